using ConvSharp.Backends;
using ConvSharp.Backends.OpenCL;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>The implicit-GEMM convolution kernels of conv.cl (forward with bias, backward-data, backward-filter with
/// the bias gradient, split or not over the batch) against the CPU backend's plans, on geometries with stride,
/// padding, dilation, groups, depthwise, odd sizes and batches above one. Each output element is a sum of up to
/// C/G·KH·KW (forward), K/G·KH·KW (input gradient) or N·OH·OW (weight gradient) terms added in another order than
/// the CPU's, hence the relative tolerance 1e-4 (gradients, whose sums are longest and cancel most, 1e-3).</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class ConvKernelParityTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

    // N C K H W KH KW SH SW PH PW DH DW G
    [OpenCLTheory]
    [InlineData(new[] { 2, 3, 8, 9, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1 })]      // odd sizes, padding, batch 2
    [InlineData(new[] { 3, 4, 6, 11, 10, 3, 2, 2, 3, 1, 0, 1, 1, 1 })]    // stride 2×3, rectangular kernel
    [InlineData(new[] { 2, 5, 7, 13, 12, 3, 3, 2, 2, 2, 2, 2, 2, 1 })]    // dilation 2, stride 2
    [InlineData(new[] { 2, 8, 12, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 4 })]     // 4 groups
    [InlineData(new[] { 3, 6, 6, 10, 9, 3, 3, 2, 1, 1, 1, 1, 1, 6 })]     // depthwise, stride 2×1
    [InlineData(new[] { 2, 6, 12, 8, 8, 5, 5, 1, 1, 2, 2, 1, 1, 3 })]     // 3 groups, 5×5, 2 outputs per input channel
    [InlineData(new[] { 4, 20, 40, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1 })]    // wide tiles (more than 16 channels each side)
    [InlineData(new[] { 2, 1, 6, 28, 28, 5, 5, 1, 1, 0, 0, 1, 1, 1 })]    // LeNet-5's first layer, no padding
    [InlineData(new[] { 1, 3, 5, 6, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1 })]      // 1×1
    public void Forward_backward_data_and_backward_filter_match_the_cpu(int[] s)
    {
        int n = s[0], c = s[1], k = s[2], h = s[3], w = s[4], kh = s[5], kw = s[6];
        var g = new ConvGeometry(n, c, h, w, kh, kw, s[7], s[8], s[9], s[10], s[11], s[12], s[13]);
        var rng = new Random(n * 1000 + c * 100 + k);
        ConvPlan cpuPlan = Cpu.Plan(g, k), oclPlan = Ocl.Plan(g, k, implicitGemm: true);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var wt = BufferPair.Random(rng, cpuPlan.WeightLength);
        using var bias = BufferPair.Random(rng, k);
        using var y = BufferPair.Random(rng, cpuPlan.OutputLength);   // overwritten (NaN would also be)
        Cpu.ConvForward(cpuPlan, x.Cpu, wt.Cpu, bias.Cpu, y.Cpu);
        Ocl.ConvForward(oclPlan, x.Ocl, wt.Ocl, bias.Ocl, y.Ocl);
        y.AssertClose($"ConvForward {string.Join(',', s)}");
        Cpu.ConvForward(cpuPlan, x.Cpu, wt.Cpu, null, y.Cpu);
        Ocl.ConvForward(oclPlan, x.Ocl, wt.Ocl, null, y.Ocl);
        y.AssertClose($"ConvForward without bias {string.Join(',', s)}");

        using var dy = BufferPair.Random(rng, cpuPlan.OutputLength);
        using var dx = BufferPair.Random(rng, g.InputLength);       // backward passes add into what is there
        Cpu.ConvBackwardData(cpuPlan, wt.Cpu, dy.Cpu, dx.Cpu);
        Ocl.ConvBackwardData(oclPlan, wt.Ocl, dy.Ocl, dx.Ocl);
        dx.AssertClose($"ConvBackwardData {string.Join(',', s)}", 1e-3);

        using var dw = BufferPair.Random(rng, cpuPlan.WeightLength);
        using var db = BufferPair.Random(rng, k);
        Cpu.ConvBackwardFilter(cpuPlan, x.Cpu, dy.Cpu, dw.Cpu, db.Cpu);
        Ocl.ConvBackwardFilter(oclPlan, x.Ocl, dy.Ocl, dw.Ocl, db.Ocl);
        dw.AssertClose($"ConvBackwardFilter {string.Join(',', s)}", 1e-3);
        db.AssertClose($"ConvBackwardFilter bias {string.Join(',', s)}", 1e-3);
    }

    [OpenCLFact]
    public void A_long_batch_reduction_is_split_and_still_matches_and_a_short_one_is_not()
    {
        // Few weight-gradient tiles (8 × 27) over 16·32·32 reduction columns: the plan splits the batch reduction.
        var g = new ConvGeometry(16, 3, 32, 32, 3, 3, ph: 1, pw: 1);
        var plan = (OpenCLKernels.OpenCLConvPlan)Ocl.Plan(g, 8, implicitGemm: true);
        Assert.True(plan.FilterSplits > 1, $"expected a split reduction, got {plan.FilterSplits} slice(s)");
        var rng = new Random(7);
        ConvPlan cpuPlan = Cpu.Plan(g, 8);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var dy = BufferPair.Random(rng, cpuPlan.OutputLength);
        using var dw = BufferPair.Random(rng, cpuPlan.WeightLength);
        Cpu.ConvBackwardFilter(cpuPlan, x.Cpu, dy.Cpu, dw.Cpu, null);
        Ocl.ConvBackwardFilter(plan, x.Ocl, dy.Ocl, dw.Ocl, null);
        dw.AssertClose("ConvBackwardFilter split", 1e-3);

        var small = (OpenCLKernels.OpenCLConvPlan)Ocl.Plan(new ConvGeometry(1, 2, 4, 4, 3, 3), 2, implicitGemm: true);
        Assert.Equal(1, small.FilterSplits);
    }

    [OpenCLFact]
    public void Each_pass_is_one_launch_over_the_whole_batch()
    {
        var g = new ConvGeometry(8, 16, 12, 12, 3, 3, ph: 1, pw: 1, groups: 2);
        ConvPlan plan = Ocl.Plan(g, 32, implicitGemm: true);
        var rng = new Random(3);
        using var x = BufferPair.Random(rng, g.InputLength);
        using var wt = BufferPair.Random(rng, plan.WeightLength);
        using var y = BufferPair.Random(rng, plan.OutputLength);
        using var dx = BufferPair.Random(rng, g.InputLength);
        OpenCLCounters before = Ocl.Context.Counters;
        Ocl.ConvForward(plan, x.Ocl, wt.Ocl, null, y.Ocl);
        Ocl.ConvBackwardData(plan, wt.Ocl, y.Ocl, dx.Ocl);
        OpenCLCounters used = Ocl.Context.Counters - before;
        Assert.Equal(2, used.Launches);
        Assert.Equal(0, used.HostWaits);
    }
}
