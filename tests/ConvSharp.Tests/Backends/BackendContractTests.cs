using System.Reflection;
using ConvSharp.Backends;
using ConvSharp.Backends.Cpu;

namespace ConvSharp.Tests.Backends;

/// <summary>The backend contract of DESIGN.md: a closed kernel set of at most 30 members, convolution as a backend-owned
/// plan, and one set of slice checks in front of every backend (exact exception types, parameter names, messages).</summary>
public class BackendContractTests
{
    [Fact]
    public void The_kernel_interface_is_a_closed_set_of_at_most_30_members()
    {
        MemberInfo[] members = typeof(IKernels).GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is not MethodInfo { IsSpecialName: true }).ToArray();  // a property counts once, not as its getter
        Assert.InRange(members.Length, 1, 30);
        Assert.DoesNotContain(members, m => m.Name is "Workers" or "ParallelFor" or "PrefersDirectConv");
    }

    [Fact]
    public void Every_device_runs_its_backend_behind_the_checks()
    {
        Assert.IsType<CheckedKernels>(Device.Cpu.Kernels);
        Assert.IsType<CpuKernels>(Device.Cpu.Backend);
    }

    [Fact]
    public void The_cpu_plans_once_per_shape_and_decides_the_strategy()
    {
        var small = new ConvGeometry(4, 16, 14, 14, 3, 3, 1, 1, 1, 1);
        ConvPlan first = Device.Cpu.Kernels.Plan(small, 32), again = Device.Cpu.Kernels.Plan(small, 32);
        Assert.Same(first, again);
        Assert.True(((CpuKernels.CpuConvPlan)first).Direct);
        var deep = new ConvGeometry(2, 256, 8, 8, 3, 3, 1, 1, 1, 1);  // C·KH·KW = 2,304: OpenBLAS's GEMM
        Assert.False(((CpuKernels.CpuConvPlan)Device.Cpu.Kernels.Plan(deep, 64)).Direct);
        var grouped = new ConvGeometry(2, 8, 6, 6, 3, 3, 1, 1, 1, 1, groups: 4);
        ConvPlan g = Device.Cpu.Kernels.Plan(grouped, 12);
        Assert.False(((CpuKernels.CpuConvPlan)g).Direct);
        Assert.Equal(12L * 2 * 9, g.WeightLength);
    }

    [Fact]
    public void Conv_plan_calls_name_the_slice_that_does_not_fit()
    {
        var geometry = new ConvGeometry(1, 2, 5, 5, 3, 3, 1, 1, 1, 1);
        ConvPlan plan = Device.Cpu.Kernels.Plan(geometry, 4);
        using var x = Tensor.Zeros(1, 2, 5, 5);
        using var w = Tensor.Zeros(4, 2, 3, 3);
        using var shortY = Tensor.Zeros(99);
        var e = Assert.Throws<ArgumentException>(() => Device.Cpu.Kernels.ConvForward(plan, x.Data, w.Data, null, shortY.Data));
        Assert.Equal("y", e.ParamName);
        Assert.StartsWith("y holds 99 floats; this call needs exactly 100.", e.Message);
        using var shortBias = Tensor.Zeros(3);
        using var y = Tensor.Zeros(1, 4, 5, 5);
        e = Assert.Throws<ArgumentException>(() => Device.Cpu.Kernels.ConvForward(plan, x.Data, w.Data, shortBias.Data, y.Data));
        Assert.StartsWith("bias holds 3 floats; this call needs exactly 4.", e.Message);
        e = Assert.Throws<ArgumentException>(() => Device.Cpu.Kernels.ConvBackwardFilter(plan, x.Data, y.Data, shortBias.Data, null));
        Assert.StartsWith("dw holds 3 floats; this call needs exactly 72.", e.Message);
        e = Assert.Throws<ArgumentException>(() => Device.Cpu.Kernels.Plan(new ConvGeometry(1, 4, 5, 5, 3, 3, groups: 2), 3));
        Assert.Equal("outChannels", e.ParamName);
        Assert.StartsWith("3 output channels are not divisible by groups = 2.", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ConvGeometry(1, 3, 5, 5, 3, 3, groups: 2));
        Assert.StartsWith("3 input channels are not divisible by groups = 2.", e.Message);
    }

    [Fact]
    public void Kernel_kinds_check_their_extra_slices()
    {
        using var p = Tensor.Zeros(10);
        using var g = Tensor.Zeros(10);
        var e = Assert.Throws<ArgumentNullException>(() =>
            Device.Cpu.Kernels.OptimStep(OptimKind.Adam, p.Data, g.Data, p.Data, null, null, new OptimStep(0.1f, 0f, false)));
        Assert.Equal("state1", e.ParamName);
        using var shortState = Tensor.Zeros(9);
        var a = Assert.Throws<ArgumentException>(() =>
            Device.Cpu.Kernels.OptimStep(OptimKind.Sgd, p.Data, g.Data, shortState.Data, null, null, new OptimStep(0.1f, 0f, false)));
        Assert.StartsWith("state0 holds 9 floats; this call needs exactly 10.", a.Message);
        var layout = LossLayout.Elementwise(10);
        a = Assert.Throws<ArgumentException>(() =>
            Device.Cpu.Kernels.Loss(LossKind.BinaryCrossEntropy, layout with { C = 2 }, p.Data, g.Data, null, null, p.Data));
        Assert.StartsWith("BinaryCrossEntropy is element-wise: its layout must be (N, 1, 1) without reduction.", a.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cpu.Kernels.Reduce((ReduceOp)99, 1, 10, 1, p.Data, g.Data.Slice(0, 1), null));
        Assert.Equal("op", r.ParamName);
    }

    [Fact]
    public void The_norm_reductions_match_double_loops()
    {
        float[] values = OpCheck.Random(5, 3 * 7 * 4, -3f, 3f);
        using var x = Tensor.FromArray(values, 3, 7, 4);
        using var norms = Tensor.Zeros(3, 4);
        Device.Cpu.Kernels.Reduce(ReduceOp.L2Norm, 3, 7, 4, x.Data, norms.Data, null);
        using var maxima = Tensor.Zeros(3, 4);
        Device.Cpu.Kernels.Reduce(ReduceOp.MaxAbs, 3, 7, 4, x.Data, maxima.Data, null);
        float[] l2 = norms.ToArray(), inf = maxima.ToArray();
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 4; i++)
            {
                double sum = 0, max = 0;
                for (int j = 0; j < 7; j++)
                {
                    double v = values[(o * 7 + j) * 4 + i];
                    sum += v * v;
                    max = Math.Max(max, Math.Abs(v));
                }
                Assert.Equal((float)Math.Sqrt(sum), l2[o * 4 + i]);
                Assert.Equal((float)max, inf[o * 4 + i]);
            }
        values[5] = float.NaN;
        using var withNaN = Tensor.FromArray(values, values.Length);
        Assert.True(double.IsNaN(Device.Cpu.Kernels.Norm(withNaN.Data, infinity: true)));
    }
}
