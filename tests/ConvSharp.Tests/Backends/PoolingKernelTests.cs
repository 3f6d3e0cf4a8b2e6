using ConvSharp.Backends;
using Native = ConvSharp.Interop.Native;

namespace ConvSharp.Tests.Backends;

/// <summary>The pooling kernels below the ops: the native argument checks (each entry point refuses what the
/// managed side should never send, before touching memory), the output-size rule shared by C and C#, and the
/// slice-length checks of the CPU kernels.</summary>
public unsafe class PoolingKernelTests
{
    private const int Ok = 0, Null = -1, Range = -2, Geometry = -3;

    private static Native.PoolGeometryNative Geometry2x2(int h = 4, int w = 4) => new()
    {
        N = 1, C = 1, H = h, W = w, KH = 2, KW = 2, SH = 2, SW = 2, PH = 0, PW = 0, DH = 1, DW = 1, CeilMode = 0, OH = h / 2, OW = w / 2,
    };

    [Fact]
    public void Output_size_in_C_and_CSharp_agree_with_PyTorchs_rule()
    {
        for (int input = 1; input <= 12; input++)
        for (int k = 1; k <= 5; k++)
        for (int s = 1; s <= 3; s++)
        for (int p = 0; p <= k / 2; p++)
        for (int d = 1; d <= 2; d++)
        foreach (bool ceil in new[] { false, true })
        {
            long managed = PoolGeometry.OutputSize(input, k, s, p, d, ceil);
            long native = Native.cs_pool_out_size(input, k, s, p, d, ceil ? 1 : 0);
            Assert.Equal(Math.Max(managed, 0), native);
            // PyTorch: floor((in + 2p - d(k-1) - 1 + (ceil ? s-1 : 0)) / s) + 1, minus one if the last window starts past in + p.
            int num = input + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
            long expected = (long)Math.Floor(num / (double)s) + 1;
            if (ceil && (expected - 1) * s >= input + p) expected--;
            Assert.Equal(expected, managed);
        }
        Assert.Equal(0, Native.cs_pool_out_size(8, 3, 1, 2, 1, 0));  // padding over half the kernel
        Assert.Equal(0, Native.cs_pool_out_size(8, 0, 1, 0, 1, 0));
        Assert.Equal(0, Native.cs_pool_out_size(8, 2, 1, 0, 1, 2));  // ceil_mode is 0 or 1
    }

    [Fact]
    public void Native_max_and_avg_pools_refuse_bad_arguments_before_touching_memory()
    {
        float* x = stackalloc float[16];
        float* y = stackalloc float[16];  // room for every output size tried below (at most 3x2)
        int* idx = stackalloc int[16];
        var g = Geometry2x2();
        Assert.Equal(Ok, Native.cs_max_pool2d_f32(x, &g, y, idx));
        Assert.Equal(Ok, Native.cs_max_pool2d_f32(x, &g, y, null));  // indices are optional
        Assert.Equal(Null, Native.cs_max_pool2d_f32(null, &g, y, idx));
        Assert.Equal(Null, Native.cs_max_pool2d_f32(x, null, y, idx));
        Assert.Equal(Null, Native.cs_avg_pool2d_f32(x, &g, 1, 0, null));

        var bad = g; bad.OH = 3;
        Assert.Equal(Geometry, Native.cs_max_pool2d_f32(x, &bad, y, idx));   // an output size the window rule does not give
        bad = g; bad.KH = 0;
        Assert.Equal(Range, Native.cs_max_pool2d_f32(x, &bad, y, idx));
        bad = g; bad.PH = 2;
        Assert.Equal(Range, Native.cs_max_pool2d_f32(x, &bad, y, idx));      // padding over half the kernel
        bad = g; bad.CeilMode = 2;
        Assert.Equal(Range, Native.cs_max_pool2d_f32(x, &bad, y, idx));
        bad = g; bad.DH = 2; bad.OH = 1;
        Assert.Equal(Ok, Native.cs_max_pool2d_f32(x, &bad, y, idx));
        Assert.Equal(Range, Native.cs_avg_pool2d_f32(x, &bad, 1, 0, y));      // average pools take no dilation
        Assert.Equal(Range, Native.cs_avg_pool2d_f32(x, &g, 2, 0, y));        // count_include_pad is 0 or 1
        bad = g; bad.PH = 1; bad.OH = 3;
        Assert.Equal(Ok, Native.cs_avg_pool2d_f32(x, &bad, 1, 0, y));
        Assert.Equal(Range, Native.cs_lp_pool2d_f32(x, &bad, 2f, y));         // Lp pools take no padding
        Assert.Equal(Range, Native.cs_lp_pool2d_f32(x, &g, 0f, y));
        Assert.Equal(Range, Native.cs_lp_pool2d_f32(x, &g, float.PositiveInfinity, y));
        Assert.Equal(Range, Native.cs_lp_pool2d_f32(x, &g, float.NaN, y));
    }

    [Fact]
    public void Native_max_pool_backward_skips_out_of_range_indices_and_reports_them()
    {
        float* dy = stackalloc float[4];
        float* dx = stackalloc float[4];
        int* idx = stackalloc int[4];
        for (int i = 0; i < 4; i++) { dy[i] = i + 1; dx[i] = 0; }
        idx[0] = 3; idx[1] = -1; idx[2] = 0; idx[3] = 0;
        Assert.Equal(Ok, Native.cs_max_pool2d_backward_f32(dy, idx, 1, 4, 4, dx));
        Assert.Equal([7f, 0f, 0f, 1f], new[] { dx[0], dx[1], dx[2], dx[3] });  // -1 is "no element": skipped

        idx[1] = 4; idx[3] = -7;
        Assert.Equal(Range, Native.cs_max_pool2d_backward_f32(dy, idx, 1, 4, 4, dx));
        Assert.Equal([10f, 0f, 0f, 2f], new[] { dx[0], dx[1], dx[2], dx[3] });  // only the valid ones were added
        Assert.Equal(Range, Native.cs_max_pool2d_backward_f32(dy, idx, 0, 4, 4, dx));
        Assert.Equal(Null, Native.cs_max_pool2d_backward_f32(dy, null, 1, 4, 4, dx));
    }

    [Fact]
    public void Native_adaptive_and_fractional_pools_refuse_bad_arguments()
    {
        float* x = stackalloc float[16];
        float* y = stackalloc float[16];
        int* idx = stackalloc int[16];
        float* samples = stackalloc float[2];
        samples[0] = 0.5f; samples[1] = 0.25f;
        Assert.Equal(Ok, Native.cs_adaptive_max_pool2d_f32(x, 1, 4, 4, 3, 3, y, idx));
        Assert.Equal(Range, Native.cs_adaptive_max_pool2d_f32(x, 1, 4, 4, 0, 3, y, idx));
        Assert.Equal(Range, Native.cs_adaptive_avg_pool2d_f32(x, 0, 4, 4, 3, 3, y));
        Assert.Equal(Null, Native.cs_adaptive_avg_pool2d_backward_f32(null, 1, 4, 4, 3, 3, y));
        Assert.Equal(Ok, Native.cs_fractional_max_pool2d_f32(x, 1, 4, 4, 2, 2, 3, 3, samples, y, idx));
        Assert.Equal(Geometry, Native.cs_fractional_max_pool2d_f32(x, 1, 4, 4, 2, 2, 4, 3, samples, y, idx));  // 4 + 2 - 1 > 4
        samples[1] = 1f;
        Assert.Equal(Range, Native.cs_fractional_max_pool2d_f32(x, 1, 4, 4, 2, 2, 3, 3, samples, y, idx));     // samples lie in [0, 1)
        samples[1] = float.NaN;
        Assert.Equal(Range, Native.cs_fractional_max_pool2d_f32(x, 1, 4, 4, 2, 2, 3, 3, samples, y, idx));
        Assert.Equal(Null, Native.cs_fractional_max_pool2d_f32(x, 1, 4, 4, 2, 2, 3, 3, null, y, idx));
    }

    [Fact]
    public void Cpu_kernels_check_slice_lengths_before_the_native_call()
    {
        var kernels = Device.Cpu.Kernels;
        using var x = Tensor.Zeros(1, 2, 4, 4);
        using var shortOut = Tensor.Zeros(7);
        var g = new PoolGeometry("MaxPool2d", PoolInput.Of("MaxPool2d", x.ShapeSpan), 2, 2, 0, 1, false);
        var max = new PoolParams(PoolKind.Max, g);
        var e = Assert.Throws<ArgumentException>(() => kernels.Pool(max, x.Data, shortOut.Data, null, null));
        Assert.StartsWith("output holds 7 floats; this call needs exactly 8.", e.Message);
        using var output = Tensor.Zeros(8);
        e = Assert.Throws<ArgumentException>(() => kernels.Pool(max, x.Data, output.Data, shortOut.Data, null));
        Assert.StartsWith("indices holds 7 floats; this call needs exactly 8.", e.Message);
        e = Assert.Throws<ArgumentException>(() => kernels.PoolBackward(max, null, output.Data, output.Data, shortOut.Data));
        Assert.StartsWith("gradInput holds 7 floats; this call needs exactly 32.", e.Message);
        var a = AdaptivePoolGeometry.Create("AdaptiveAvgPool2d", PoolInput.Of("AdaptiveAvgPool2d", x.ShapeSpan), 3);
        e = Assert.Throws<ArgumentException>(() => kernels.Pool(PoolParams.Of(PoolKind.AdaptiveAvg, a), x.Data, shortOut.Data, null, null));
        Assert.StartsWith("output holds 7 floats; this call needs exactly 18.", e.Message);
    }
}

public class PoolingSimdTests
{
    /// <summary>Every path of the fused max pools (2x2 stride 2, 3x3 stride 2 and 1) gives PyTorch's values and
    /// argmax (first maximum in row-major order, NaN wins) on short rows (masked tails), long rows, odd sizes,
    /// ceil mode and padding.</summary>
    [Theory]
    [InlineData(2, 2, 3, 2, 14, 14, 0, false)]
    [InlineData(2, 2, 2, 3, 7, 9, 0, true)]
    [InlineData(2, 2, 1, 2, 9, 70, 1, false)]
    [InlineData(2, 2, 2, 1, 6, 35, 1, true)]
    [InlineData(2, 2, 1, 1, 2, 2, 0, false)]
    [InlineData(3, 2, 2, 3, 14, 14, 1, false)]
    [InlineData(3, 2, 1, 2, 15, 41, 1, true)]
    [InlineData(3, 2, 1, 1, 9, 80, 0, false)]
    [InlineData(3, 1, 2, 2, 7, 7, 1, false)]
    [InlineData(3, 1, 1, 1, 5, 45, 0, true)]
    public void Fused_max_pools_match_the_reference(int k, int s, int n, int c, int h, int w, int pad, bool ceil)
    {
        // The fused interiors have explicit AVX-512 and AVX2 code and a portable loop; CI runs this class once more
        // with CONVSHARP_ISA=sse2 (see build.cake), so each instantiation the host can run is checked.
        string isa = NativeKernels.Isa;
        var rng = new Random(h * 100 + w + k);
        // Small integers: plenty of ties; a few NaNs.
        float[] x = Enumerable.Range(0, n * c * h * w).Select(_ => rng.Next(10) == 0 ? float.NaN : rng.Next(4)).ToArray();
        using var input = Tensor.FromArray(x, n, c, h, w);
        input.RequiresGrad = true;
        using var y = input.MaxPool2d(k, s, pad, ceilMode: ceil);
        using var ones = Tensor.Ones(y.Shape);
        y.Backward(ones);
        var (values, counts) = Reference(x, n * c, h, w, y.Shape[^2], y.Shape[^1], k, s, pad);
        float[] actual = y.ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(float.IsNaN(values[i]) ? float.IsNaN(actual[i]) : values[i] == actual[i], $"{isa} kernels: output {i} is {actual[i]}, expected {values[i]}");
        Assert.Equal(counts, input.Grad!.ToArray());
        input.Grad.Dispose();
    }

    /// <summary>Values and, per input element, how many windows chose it, by PyTorch's sequential rule.</summary>
    private static (float[] Values, float[] Counts) Reference(float[] x, int planes, int h, int w, int oh, int ow, int k, int stride, int pad)
    {
        var values = new float[planes * oh * ow];
        var counts = new float[x.Length];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            float m = float.NegativeInfinity;
            int at = -1;
            for (int r = 0; r < k; r++)
            for (int s = 0; s < k; s++)
            {
                int ih = stride * i - pad + r, iw = stride * j - pad + s;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                float v = x[(p * h + ih) * w + iw];
                if (at < 0 || v > m || float.IsNaN(v)) { m = v; at = (p * h + ih) * w + iw; }
            }
            values[(p * oh + i) * ow + j] = m;
            counts[at] += 1;
        }
        return (values, counts);
    }
}
