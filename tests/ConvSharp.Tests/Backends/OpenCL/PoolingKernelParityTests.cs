using ConvSharp.Backends.OpenCL;
using ConvSharp.Backends;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Every pooling kernel on OpenCL against the CPU backend: values within 1e-4, argmax offsets bit for bit.</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class PoolingKernelParityTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

    // N C H W KH KW SH SW PH PW DH DW ceil
    [OpenCLTheory]
    [InlineData(new[] { 2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, 0 })]
    [InlineData(new[] { 1, 2, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 2, 2, 11, 10, 3, 2, 1, 2, 1, 0, 2, 1, 0 })]
    [InlineData(new[] { 1, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 0 })]
    [InlineData(new[] { 1, 1, 10, 10, 4, 4, 3, 3, 2, 2, 1, 1, 1 })]
    public void Max_and_avg_pools_and_their_backward_match(int[] s)
    {
        var input = new PoolInput(s[0], s[1], s[2], s[3], true);
        bool dilated = s[10] != 1 || s[11] != 1;
        var g = new PoolGeometry("test", input, (s[4], s[5]), (s[6], s[7]), (s[8], s[9]), (s[10], s[11]), s[12] == 1);
        var rng = new Random(s.Sum());
        using var x = BufferPair.Random(rng, g.InputLength);
        using var y = BufferPair.Random(rng, g.OutputLength);
        using var idx = BufferPair.Random(rng, g.OutputLength);
        Cpu.MaxPool2d(x.Cpu, g, y.Cpu, idx.Cpu);
        Ocl.MaxPool2d(x.Ocl, g, y.Ocl, idx.Ocl);
        Assert.Equal(y.CpuValues(), y.OclValues());
        idx.AssertBitsEqual("MaxPool2d indices");
        Cpu.MaxPool2d(x.Cpu, g, y.Cpu, null);
        Ocl.MaxPool2d(x.Ocl, g, y.Ocl, null);
        Assert.Equal(y.CpuValues(), y.OclValues());

        using var dy = BufferPair.Random(rng, g.OutputLength);
        using var dx = BufferPair.Random(rng, g.InputLength);
        Cpu.MaxPool2dBackward(dy.Cpu, idx.Cpu, g.Planes, g.InputPlane, g.OutputPlane, dx.Cpu);
        Ocl.MaxPool2dBackward(dy.Ocl, idx.Ocl, g.Planes, g.InputPlane, g.OutputPlane, dx.Ocl);
        dx.AssertClose("MaxPool2dBackward");

        if (dilated) return;  // average pools take no dilation
        foreach (bool includePad in new[] { true, false })
            foreach (int divisor in new[] { 0, 3 })
            {
                Cpu.AvgPool2d(x.Cpu, g, includePad, divisor, y.Cpu);
                Ocl.AvgPool2d(x.Ocl, g, includePad, divisor, y.Ocl);
                y.AssertClose("AvgPool2d");
                Cpu.AvgPool2dBackward(dy.Cpu, g, includePad, divisor, dx.Cpu);
                Ocl.AvgPool2dBackward(dy.Ocl, g, includePad, divisor, dx.Ocl);
                dx.AssertClose("AvgPool2dBackward");
            }
    }

    [OpenCLTheory]
    [InlineData(1f)]
    [InlineData(2f)]
    [InlineData(3.5f)]
    public void Lp_pool_and_its_backward_match(float p)
    {
        var g = new PoolGeometry("test", new PoolInput(2, 2, 9, 8, true), (3, 2), (2, 2), 0, 1, ceilMode: true);
        var rng = new Random((int)(p * 10));
        using var x = BufferPair.Random(rng, g.InputLength, 0.1f, 2f);
        using var y = BufferPair.Random(rng, g.OutputLength);
        Cpu.LPPool2d(x.Cpu, g, p, y.Cpu);
        Ocl.LPPool2d(x.Ocl, g, p, y.Ocl);
        y.AssertClose("LPPool2d");
        using var dy = BufferPair.Random(rng, g.OutputLength);
        using var dx = BufferPair.Random(rng, g.InputLength);
        Cpu.LPPool2dBackward(x.Cpu, dy.Cpu, g, p, dx.Cpu);
        Ocl.LPPool2dBackward(x.Ocl, dy.Ocl, g, p, dx.Ocl);
        dx.AssertClose("LPPool2dBackward");
    }

    [OpenCLTheory]
    [InlineData(7, 9, 3, 4)]
    [InlineData(8, 8, 4, 2)]    // divides: the CPU's regular path
    [InlineData(5, 6, 1, 1)]    // global
    [InlineData(3, 4, 7, 5)]    // larger than the input
    public void Adaptive_pools_match(int h, int w, int oh, int ow)
    {
        var g = AdaptivePoolGeometry.Create("test", new PoolInput(2, 3, h, w, true), (oh, ow));
        var rng = new Random(h * 100 + w * 10 + oh);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var y = BufferPair.Random(rng, g.OutputLength);
        using var idx = BufferPair.Random(rng, g.OutputLength);
        Cpu.AdaptiveMaxPool2d(x.Cpu, g, y.Cpu, idx.Cpu);
        Ocl.AdaptiveMaxPool2d(x.Ocl, g, y.Ocl, idx.Ocl);
        Assert.Equal(y.CpuValues(), y.OclValues());
        idx.AssertBitsEqual("AdaptiveMaxPool2d indices");
        Cpu.AdaptiveAvgPool2d(x.Cpu, g, y.Cpu);
        Ocl.AdaptiveAvgPool2d(x.Ocl, g, y.Ocl);
        y.AssertClose("AdaptiveAvgPool2d");
        using var dy = BufferPair.Random(rng, g.OutputLength);
        using var dx = BufferPair.Random(rng, g.InputLength);
        Cpu.AdaptiveAvgPool2dBackward(dy.Cpu, g, dx.Cpu);
        Ocl.AdaptiveAvgPool2dBackward(dy.Ocl, g, dx.Ocl);
        dx.AssertClose("AdaptiveAvgPool2dBackward");
    }

    [OpenCLFact]
    public void Fractional_max_pool_matches()
    {
        var g = FractionalPoolGeometry.Create("test", new PoolInput(2, 3, 11, 10, true), (2, 3), (6, 5));
        var rng = new Random(3);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var samples = BufferPair.Random(rng, g.SampleLength, 0f, 0.999f);
        using var y = BufferPair.Random(rng, g.OutputLength);
        using var idx = BufferPair.Random(rng, g.OutputLength);
        Cpu.FractionalMaxPool2d(x.Cpu, g, samples.Cpu, y.Cpu, idx.Cpu);
        Ocl.FractionalMaxPool2d(x.Ocl, g, samples.Ocl, y.Ocl, idx.Ocl);
        Assert.Equal(y.CpuValues(), y.OclValues());
        idx.AssertBitsEqual("FractionalMaxPool2d indices");
    }

    [OpenCLFact]
    public void Max_pool_propagates_NaN_like_the_cpu()
    {
        var g = new PoolGeometry("test", new PoolInput(1, 1, 4, 4, true), 2, 2, 0, 1, false);
        float[] values = OpenCLTest.Random(new Random(9), 16);
        values[5] = float.NaN;
        values[10] = float.NegativeInfinity;
        using var x = new BufferPair(values);
        using var y = BufferPair.Random(new Random(1), 4);
        using var idx = BufferPair.Random(new Random(2), 4);
        Cpu.MaxPool2d(x.Cpu, g, y.Cpu, idx.Cpu);
        Ocl.MaxPool2d(x.Ocl, g, y.Ocl, idx.Ocl);
        Assert.True(float.IsNaN(y.OclValues()[0]));
        y.AssertClose("MaxPool2d NaN");
        idx.AssertBitsEqual("MaxPool2d NaN indices");
    }
}
