using ConvSharp.Backends;
using Native = ConvSharp.Interop.Native;

namespace ConvSharp.Tests.Backends;

public unsafe class Im2ColTests
{
    /// <summary>Random geometries: stride 1–3, padding 0–2, dilation 1–2, odd and non-square sizes,
    /// non-square kernels, batch up to 3. Each row is one seed; the geometry is drawn from it.</summary>
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 40; seed++) data.Add(seed);
        return data;
    }

    private static (int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) Draw(Random rng)
    {
        while (true)
        {
            int n = rng.Next(1, 4), c = rng.Next(1, 5), h = rng.Next(1, 12), w = rng.Next(1, 12);
            int kh = rng.Next(1, 6), kw = rng.Next(1, 6), sh = rng.Next(1, 4), sw = rng.Next(1, 4);
            int ph = rng.Next(0, 3), pw = rng.Next(0, 3), dh = rng.Next(1, 3), dw = rng.Next(1, 3);
            if (dh * (kh - 1) + 1 <= h + 2 * ph && dw * (kw - 1) + 1 <= w + 2 * pw)
                return (n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Im2col_and_col2im_match_nested_loops_and_are_adjoint(int seed)
    {
        var rng = new Random(seed);
        var (n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw) = Draw(rng);
        var g = new ConvGeometry(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        Assert.Equal(Reference.OutSize(h, kh, sh, ph, dh), g.OH);
        Assert.Equal(Reference.OutSize(w, kw, sw, pw, dw), g.OW);
        string where = $"N={n} C={c} H={h} W={w} K={kh}x{kw} S={sh}x{sw} P={ph}x{pw} D={dh}x{dw}";

        float[] x = Reference.RandomFloats(rng, (int)g.InputLength);
        float[] y = Reference.RandomFloats(rng, (int)g.ColumnLength);
        using var tx = Tensor.FromArray(x, x.Length);
        using var ty = Tensor.FromArray(y, y.Length);

        // im2col is a copy: every cell must match exactly, padding cells included (the buffer starts dirty).
        using var cols = Tensor.Full([(int)g.ColumnLength], float.NaN);
        Device.Cpu.Kernels.Im2Col(tx.Data, g, cols.Data);
        double[] expectedCols = Reference.Im2Col(x, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        float[] actualCols = cols.ToArray();
        for (int i = 0; i < actualCols.Length; i++)
            Assert.True(expectedCols[i] == actualCols[i], $"{where}: col[{i}] = {actualCols[i]}, expected {expectedCols[i]}");

        // col2im adds into its output: start from zeros.
        using var back = Tensor.Zeros((int)g.InputLength);
        Device.Cpu.Kernels.Col2Im(ty.Data, g, back.Data);
        double[] expectedX = Reference.Col2Im(y, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        float[] actualX = back.ToArray();
        for (int i = 0; i < actualX.Length; i++)
            Assert.True(Math.Abs(expectedX[i] - actualX[i]) <= 1e-6 * kh * kw, $"{where}: x[{i}] = {actualX[i]}, expected {expectedX[i]}");

        // Adjoint: <im2col(x), y> = <x, col2im(y)>, both sides summed in double.
        double left = 0, right = 0;
        for (int i = 0; i < actualCols.Length; i++) left += (double)actualCols[i] * y[i];
        for (int i = 0; i < x.Length; i++) right += (double)x[i] * actualX[i];
        Assert.True(Math.Abs(left - right) <= 1e-6 * (Math.Abs(left) + 1), $"{where}: <im2col(x), y> = {left} but <x, col2im(y)> = {right}");
    }

    [Fact]
    public void Col2im_adds_into_what_is_already_there()
    {
        var g = new ConvGeometry(2, 3, 7, 6, 3, 2, 2, 1, 1, 0, 1, 2);
        var rng = new Random(3);
        float[] y = Reference.RandomFloats(rng, (int)g.ColumnLength);
        float[] start = Reference.RandomFloats(rng, (int)g.InputLength);
        using var ty = Tensor.FromArray(y, y.Length);
        using var x = Tensor.FromArray(start, start.Length);
        Device.Cpu.Kernels.Col2Im(ty.Data, g, x.Data);
        double[] sums = Reference.Col2Im(y, 2, 3, 7, 6, 3, 2, 2, 1, 1, 0, 1, 2);
        float[] actual = x.ToArray();
        for (int i = 0; i < actual.Length; i++) Assert.Equal(start[i] + sums[i], actual[i], 5);
    }

    [Fact]
    public void Per_image_entry_points_fill_their_own_columns_of_the_batch_matrix()
    {
        var g = new ConvGeometry(3, 2, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1);
        var rng = new Random(11);
        float[] x = Reference.RandomFloats(rng, (int)g.InputLength);
        using var tx = Tensor.FromArray(x, x.Length);
        using var batch = Tensor.Zeros((int)g.ColumnLength);
        using var perImage = Tensor.Full([(int)g.ColumnLength], float.NaN);
        Device.Cpu.Kernels.Im2Col(tx.Data, g, batch.Data);

        var native = g.ToNative();
        long ld = g.ColumnCols, imageColumns = (long)g.OH * g.OW, imageLength = (long)g.C * g.H * g.W;
        fixed (float* px = x)
        {
            Span<float> cols = perImage.AsSpan();
            fixed (float* pc = cols)
                for (int i = 0; i < g.N; i++)
                    Assert.Equal(0, Native.cs_im2col_image_f32(px + i * imageLength, &native, pc, ld, i * imageColumns));
        }
        Assert.Equal(batch.ToArray(), perImage.ToArray());

        using var back = Tensor.Zeros((int)g.InputLength);
        using var backPerImage = Tensor.Zeros((int)g.InputLength);
        Device.Cpu.Kernels.Col2Im(batch.Data, g, back.Data);
        fixed (float* pc = batch.AsSpan())
        fixed (float* px = backPerImage.AsSpan())
            for (int i = 0; i < g.N; i++)
                Assert.Equal(0, Native.cs_col2im_image_f32(pc, ld, i * imageColumns, &native, px + i * imageLength));
        Assert.Equal(back.ToArray(), backPerImage.ToArray());
    }

    [Fact]
    public void Native_entry_points_refuse_bad_geometry_themselves()
    {
        var g = new ConvGeometry(1, 1, 4, 4, 3, 3).ToNative();
        float* dummy = stackalloc float[64];
        g.KH = 9;  // does not fit in 4 rows
        Assert.Equal(-3, Native.cs_im2col_f32(dummy, &g, dummy));
        g.KH = 3; g.SH = 0;
        Assert.Equal(-2, Native.cs_im2col_f32(dummy, &g, dummy));
        g.SH = 1;
        Assert.Equal(-1, Native.cs_col2im_f32(null, &g, dummy));
        Assert.Equal(-2, Native.cs_im2col_image_f32(dummy, &g, dummy, 3, 0));  // ld shorter than OH*OW
        Assert.Equal(2, Native.cs_conv_out_size(4, 3, 1, 0, 1));
    }

    [Fact]
    public void A_kernel_larger_than_the_padded_input_is_refused_with_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new ConvGeometry(1, 1, 4, 5, 3, 4, ph: 0, pw: 1, dh: 2, dw: 2));
        Assert.Equal("The kernel 3x4 with dilation 2x2 spans 5x7, larger than the padded input 4x7 (input 4x5, padding 0x1).", e.Message);
    }

    [Fact]
    public void Im2col_refuses_a_column_buffer_of_the_wrong_size()
    {
        var g = new ConvGeometry(1, 2, 5, 5, 3, 3);
        using var x = Tensor.Zeros((int)g.InputLength);
        using var cols = Tensor.Zeros((int)g.ColumnLength - 1);
        var e = Assert.Throws<ArgumentException>(() => Device.Cpu.Kernels.Im2Col(x.Data, g, cols.Data));
        Assert.Equal($"columns holds {g.ColumnLength - 1} floats; this call needs exactly {g.ColumnLength}. (Parameter 'columns')", e.Message);
    }
}
