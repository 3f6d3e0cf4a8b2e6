using ConvSharp.NN;
using ConvSharp.Tests.Backends.OpenCL;

namespace ConvSharp.Tests.Ops;

/// <summary>SiLU and Hardswish, the two element-wise ops added through the shared-body structure (one ops.def line,
/// one body in native/kernels/shared/unary.h used by the CPU loops and the OpenCL kernel).</summary>
public class SiluHardswishTests
{
    private static double Silu(double x) => x / (1 + Math.Exp(-x));
    private static double Hardswish(double x) => x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;

    [Fact]
    public void Silu_matches_a_double_precision_loop_and_finite_differences()
    {
        float[] x = OpCheck.Random(11, 120, -12f, 12f);
        OpCheck.Check(t => t[0].Silu(), v => v[0].Select(Silu).ToArray(), [x], [[4, 5, 6]], forwardTolerance: 1e-5);
    }

    [Fact]
    public void Hardswish_matches_a_double_precision_loop_and_finite_differences()
    {
        // Values on every piece, kept 0.05 away from the kinks at ±3 where central differences straddle two slopes.
        float[] x = OpCheck.Random(12, 120, -6f, 6f).Select(v => Math.Abs(Math.Abs(v) - 3f) < 0.05f ? v + 0.1f : v).ToArray();
        OpCheck.Check(t => t[0].Hardswish(), v => v[0].Select(Hardswish).ToArray(), [x], [[4, 5, 6]], forwardTolerance: 1e-5);
    }

    [Fact]
    public void Hardswish_takes_PyTorchs_gradient_at_the_kinks()
    {
        // torch.nn.functional.hardswish backward: 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 for x > 3.
        float[] x = [-3.5f, -3f, 0f, 3f, 3.5f];
        using var input = Tensor.FromArray(x, 5);
        input.RequiresGrad = true;
        using var y = input.Hardswish();
        Assert.Equal(new[] { 0f, 0f, 0f, 3f, 3.5f }, y.ToArray());
        using var ones = Tensor.Ones(5);
        y.Backward(ones);
        Assert.Equal(new[] { 0f, -0.5f, 0.5f, 1.5f, 1f }, input.Grad!.ToArray());
        input.Grad.Dispose();
    }

    [Fact]
    public void Silu_stays_finite_and_exact_at_the_extremes()
    {
        using var x = Tensor.FromArray([-1000f, -100f, 0f, 100f, 1000f], 5);
        using var y = x.Silu();
        float[] v = y.ToArray();
        Assert.All(v, value => Assert.True(float.IsFinite(value), $"SiLU gave {value}"));
        Assert.Equal(0f, v[2]);
        Assert.Equal(100f, v[3]);
        Assert.Equal(1000f, v[4]);
        Assert.InRange(v[1], -1e-40f, 0f);  // -100·e^-100 underflows to (minus) zero
    }

    [Fact]
    public void Modules_and_functional_forms_agree()
    {
        float[] values = OpCheck.Random(13, 24, -5f, 5f);
        using var x = Tensor.FromArray(values, 2, 3, 4);
        using var a = new SiLU().Forward(x);
        using var b = Tensor.Silu(x);
        using var c = new Hardswish().Forward(x);
        using var d = Tensor.Hardswish(x);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(c.ToArray(), d.ToArray());
        Assert.Equal(new[] { 2, 3, 4 }, a.Shape);
        OpCheck.AssertClose(values.Select(v => Silu(v)).ToArray(), a.ToArray(), 1e-5, "SiLU module");
        OpCheck.AssertClose(values.Select(v => Hardswish(v)).ToArray(), c.ToArray(), 1e-5, "Hardswish module");
    }
}

/// <summary>The same ops on OpenCL (PoCL in CI) against the CPU: one shared body, so they agree to rounding.</summary>
[Collection(OpenCLCollection.Name)]
public class SiluHardswishOpenCLTests
{
    [OpenCLTheory]
    [InlineData("silu")]
    [InlineData("hardswish")]
    public void OpenCL_matches_the_CPU_forward_and_backward(string op)
    {
        float[] x = OpCheck.Random(14, 300, -6f, 6f);
        float[] w = OpCheck.Random(15, 300);
        var (cpuY, cpuG) = Run(Device.Cpu, op, x, w);
        var (oclY, oclG) = Run(OpenCLTest.Device, op, x, w);
        OpenCLTest.AssertClose(cpuY, oclY, 1e-5, $"{op} forward");
        OpenCLTest.AssertClose(cpuG, oclG, 1e-5, $"{op} gradient");
    }

    private static (float[] Y, float[] Grad) Run(Device device, string op, float[] x, float[] w)
    {
        using var scope = Tensor.Scope();
        Tensor input = Tensor.FromArray(x, 3, 100).To(device);
        input.RequiresGrad = true;
        Tensor y = op == "silu" ? input.Silu() : input.Hardswish();
        Assert.Same(device, y.Device);
        y.Backward(Tensor.FromArray(w, 3, 100).To(device));
        return (y.ToArray(), input.Grad!.ToArray());
    }
}
