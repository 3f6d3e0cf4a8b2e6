using ConvSharp.Backends.OpenCL;
using ConvSharp.Backends;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>The core IKernels methods on OpenCL against the CPU backend, on random inputs.
/// Tolerance 1e-4 relative (OpenCLTest.AssertClose), except GEMM: its dot products (up to 12,544 terms) differ
/// from OpenBLAS only in summation order, so each element's difference is measured against the magnitude of
/// its terms, Σ|a·b| + |β·c|, and must stay under 1e-6 of it (float rounding of a k-term sum grows like
/// k·2⁻²⁴ of that magnitude in the worst case; 1e-6 leaves room for k ≈ 16).</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class CoreKernelParityTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

    [OpenCLFact]
    public void Upload_download_fill_and_copy_round_trip()
    {
        var rng = new Random(1);
        using var a = BufferPair.Random(rng, 1000);
        Assert.Equal(a.CpuValues(), a.OclValues());
        using var b = BufferPair.Random(rng, 1000);
        Cpu.Copy(a.Cpu.Slice(10, 500), b.Cpu.Slice(300, 500));
        Ocl.Copy(a.Ocl.Slice(10, 500), b.Ocl.Slice(300, 500));
        Cpu.Copy(b.Cpu.Slice(0, 600), b.Cpu.Slice(100, 600));  // overlapping, within one buffer
        Ocl.Copy(b.Ocl.Slice(0, 600), b.Ocl.Slice(100, 600));
        Cpu.Fill(a.Cpu.Slice(7, 93), 2.5f);
        Ocl.Fill(a.Ocl.Slice(7, 93), 2.5f);
        Assert.Equal(a.CpuValues(), a.OclValues());
        Assert.Equal(b.CpuValues(), b.OclValues());
        using var zero = new TensorOwner(Ocl.Allocate(77, zero: true));
        var values = new float[77];
        Ocl.Download(new BufferSlice(zero.Buffer, 0, 77), values);
        Assert.All(values, v => Assert.Equal(0f, v));
    }

    [OpenCLTheory]
    [InlineData(false, false, 3, 5, 7)]         // naive kernel
    [InlineData(false, false, 67, 45, 130)]     // tiled, ragged edges
    [InlineData(true, false, 64, 64, 64)]
    [InlineData(false, true, 33, 129, 17)]
    [InlineData(true, true, 100, 31, 300)]
    [InlineData(false, false, 16, 784, 9)]      // a conv layer's shape: K × (N·OH·OW), k = C·KH·KW
    [InlineData(false, true, 16, 9, 12544)]     // its weight gradient: split-k (few tiles, long k)
    [InlineData(false, false, 16, 1, 5000)]     // a bias gradient as a matrix-vector product, split-k
    public void Gemm_matches_OpenBlas(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
        using var a = BufferPair.Random(rng, (long)(ta ? k : m) * lda);
        using var b = BufferPair.Random(rng, (long)(tb ? n : k) * ldb);
        using var c = BufferPair.Random(rng, (long)m * ldc);
        float[] av = a.CpuValues(), bv = b.CpuValues(), c0 = c.CpuValues();
        Cpu.Gemm(ta, tb, m, n, k, 0.7f, a.Cpu, lda, b.Cpu, ldb, 0.3f, c.Cpu, ldc);
        Ocl.Gemm(ta, tb, m, n, k, 0.7f, a.Ocl, lda, b.Ocl, ldb, 0.3f, c.Ocl, ldc);
        AssertGemmClose(c, "Gemm", (i, j) => 0.7 * Magnitude(i, j) + 0.3 * Math.Abs(c0[i * ldc + j]));

        // beta = 0 never reads C, even when it holds NaN (uninitialised pool memory may).
        var nan = Enumerable.Repeat(float.NaN, m * ldc).ToArray();
        using var d = new BufferPair(nan);
        Cpu.Gemm(ta, tb, m, n, k, 1f, a.Cpu, lda, b.Cpu, ldb, 0f, d.Cpu, ldc);
        Ocl.Gemm(ta, tb, m, n, k, 1f, a.Ocl, lda, b.Ocl, ldb, 0f, d.Ocl, ldc);
        AssertGemmClose(d, "Gemm beta=0", Magnitude);

        double Magnitude(int i, int j)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
                sum += Math.Abs(av[ta ? p * lda + i : i * lda + p] * (double)bv[tb ? j * ldb + p : p * ldb + j]);
            return sum;
        }

        void AssertGemmClose(BufferPair result, string what, Func<int, int, double> magnitude)
        {
            float[] cpu = result.CpuValues(), ocl = result.OclValues();
            double worst = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    int at = i * ldc + j;
                    double err = Math.Abs((double)ocl[at] - cpu[at]) / magnitude(i, j);
                    Assert.True(err <= 1e-6, $"{what}[{i},{j}]: OpenCL {ocl[at]}, CPU {cpu[at]} ({err:E2} of the terms' magnitude)");
                    worst = Math.Max(worst, err);
                }
            OpenCLTest.MaxErrors.AddOrUpdate($"{what} (of Σ|a·b|)", worst, (_, old) => Math.Max(old, worst));
        }
    }

    // N C H W KH KW SH SW PH PW DH DW
    [OpenCLTheory]
    [InlineData(new[] { 2, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 1, 2, 10, 8, 3, 2, 2, 3, 1, 0, 1, 1 })]
    [InlineData(new[] { 3, 2, 9, 9, 3, 3, 2, 2, 2, 2, 2, 2 })]
    [InlineData(new[] { 2, 4, 5, 6, 1, 1, 1, 1, 0, 0, 1, 1 })]
    [InlineData(new[] { 1, 1, 12, 11, 5, 4, 3, 2, 2, 1, 1, 2 })]
    public void Im2col_and_col2im_match(int[] s)
    {
        int n = s[0], c = s[1], h = s[2], w = s[3], kh = s[4], kw = s[5], sh = s[6], sw = s[7], ph = s[8], pw = s[9], dh = s[10], dw = s[11];
        var g = new ConvGeometry(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        var rng = new Random(h * w + kh);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var col = BufferPair.Random(rng, g.ColumnLength);
        Cpu.Im2Col(x.Cpu, g, col.Cpu);
        Ocl.Im2Col(x.Ocl, g, col.Ocl);
        Assert.Equal(col.CpuValues(), col.OclValues());

        using var back = BufferPair.Random(rng, g.InputLength);
        Cpu.Col2Im(col.Cpu, g, back.Cpu);
        Ocl.Col2Im(col.Ocl, g, back.Ocl);
        back.AssertClose("Col2Im");

        // One image into a column window of a wider matrix, and back.
        var one = new ConvGeometry(1, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        long per = (long)g.OH * g.OW, ld = per * 3 + 5, offset = per + 2;
        using var image = BufferPair.Random(rng, (long)c * h * w);
        using var wide = BufferPair.Random(rng, g.ColumnRows * ld);
        Cpu.Im2ColImage(image.Cpu, one, wide.Cpu, ld, offset);
        Ocl.Im2ColImage(image.Ocl, one, wide.Ocl, ld, offset);
        Assert.Equal(wide.CpuValues(), wide.OclValues());
        Cpu.Col2ImImage(wide.Cpu, ld, offset, one, image.Cpu);
        Ocl.Col2ImImage(wide.Ocl, ld, offset, one, image.Ocl);
        image.AssertClose("Col2ImImage");
    }

    [OpenCLTheory]
    [InlineData((int)BinaryOp.Add)] [InlineData((int)BinaryOp.Sub)] [InlineData((int)BinaryOp.Mul)] [InlineData((int)BinaryOp.Div)]
    [InlineData((int)BinaryOp.Pow)] [InlineData((int)BinaryOp.Maximum)] [InlineData((int)BinaryOp.Minimum)] [InlineData((int)BinaryOp.CopyA)]
    [InlineData((int)BinaryOp.GreaterMask)] [InlineData((int)BinaryOp.EqualMask)]
    public void Elementwise_broadcasts_and_reduces_like_the_cpu(int which)
    {
        var op = (BinaryOp)which;
        var rng = new Random((int)op + 5);
        // out[4,3,5] = a[4,3,5] op b[1,3,1] (broadcast), alpha 0.5, accumulating.
        int[] shape = [4, 3, 5];
        using var a = BufferPair.Random(rng, 60, 0.1f, 2f);
        using var b = BufferPair.Random(rng, 3, 0.1f, 2f);
        using var o = BufferPair.Random(rng, 60);
        long[] so = [15, 5, 1], sa = [15, 5, 1], sb = [0, 1, 0];
        Cpu.Elementwise(op, shape, new(o.Cpu, so), new(a.Cpu, sa), new(b.Cpu, sb), 0.5f, accumulate: true);
        Ocl.Elementwise(op, shape, new(o.Ocl, so), new(a.Ocl, sa), new(b.Ocl, sb), 0.5f, accumulate: true);
        o.AssertClose($"Elementwise {op} broadcast");

        // Sum to a shape: out[3] += Σ over dims 0 and 2 (output stride 0), a permuted read of a.
        using var r = BufferPair.Random(rng, 3);
        long[] ro = [0, 1, 0], ra = [1, 20, 4], rb = [0, 0, 0];
        Cpu.Elementwise(op, shape, new(r.Cpu, ro), new(a.Cpu, ra), new(b.Cpu, rb), 1f, accumulate: true);
        Ocl.Elementwise(op, shape, new(r.Ocl, ro), new(a.Ocl, ra), new(b.Ocl, rb), 1f, accumulate: true);
        r.AssertClose($"Elementwise {op} reduce");

        // A scalar (0-dimensional) operation.
        using var s = BufferPair.Random(rng, 1);
        Cpu.Elementwise(op, [], new(s.Cpu, []), new(a.Cpu, []), new(b.Cpu, []));
        Ocl.Elementwise(op, [], new(s.Ocl, []), new(a.Ocl, []), new(b.Ocl, []));
        s.AssertClose($"Elementwise {op} scalar");
    }

    [OpenCLTheory]
    [InlineData((int)UnaryOp.Neg, 0f, 0f)] [InlineData((int)UnaryOp.Exp, 0f, 0f)] [InlineData((int)UnaryOp.Log, 0f, 0f)]
    [InlineData((int)UnaryOp.Sqrt, 0f, 0f)] [InlineData((int)UnaryOp.Abs, 0f, 0f)] [InlineData((int)UnaryOp.Relu, 0f, 0f)]
    [InlineData((int)UnaryOp.Sigmoid, 0f, 0f)] [InlineData((int)UnaryOp.Tanh, 0f, 0f)] [InlineData((int)UnaryOp.Gelu, 0f, 0f)]
    [InlineData((int)UnaryOp.Elu, 0.7f, 0f)] [InlineData((int)UnaryOp.LeakyRelu, 0.01f, 0f)] [InlineData((int)UnaryOp.Pow, 2.5f, 0f)]
    [InlineData((int)UnaryOp.Clamp, -0.3f, 0.4f)] [InlineData((int)UnaryOp.Affine, 1.5f, -0.25f)]
    public void Unary_and_its_backward_match(int which, float alpha, float beta)
    {
        var op = (UnaryOp)which;
        var rng = new Random((int)op + 11);
        bool positive = op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Pow;
        using var x = BufferPair.Random(rng, 1001, positive ? 0.05f : -3f, 3f);
        using var y = BufferPair.Random(rng, 1001);
        Cpu.Unary(op, x.Cpu, y.Cpu, alpha, beta);
        Ocl.Unary(op, x.Ocl, y.Ocl, alpha, beta);
        y.AssertClose($"Unary {op}");
        using var dy = BufferPair.Random(rng, 1001);
        using var dx = BufferPair.Random(rng, 1001);
        Cpu.UnaryBackward(op, x.Cpu, y.Cpu, dy.Cpu, dx.Cpu, alpha, beta);
        Ocl.UnaryBackward(op, x.Ocl, y.Ocl, dy.Ocl, dx.Ocl, alpha, beta);
        dx.AssertClose($"UnaryBackward {op}");
    }
}

/// <summary>Releases a raw device buffer at the end of a test.</summary>
internal sealed class TensorOwner(DeviceBuffer buffer) : IDisposable
{
    public DeviceBuffer Buffer { get; } = buffer;
    public void Dispose() => Buffer.Release();
}
