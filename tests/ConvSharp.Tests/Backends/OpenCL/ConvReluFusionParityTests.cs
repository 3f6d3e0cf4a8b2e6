using ConvSharp.Backends.OpenCL;
using ConvSharp.Tests.NN;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>The fused Conv2d + ReLU on OpenCL (implicit-GEMM epilogue, and the im2col plan PoCL keeps by default)
/// against the CPU's two separate ops: forward and every gradient within the parity tolerances.</summary>
[Collection(OpenCLCollection.Name)]
public class ConvReluFusionParityTests
{
    [OpenCLTheory]
    [InlineData("implicit")]
    [InlineData("im2col")]
    public void The_fused_conv_and_relu_on_opencl_match_the_cpus_two_ops(string strategy)
    {
        string? saved = Environment.GetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable);
        Environment.SetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable, strategy);
        try
        {
            using var cpuNet = ConvReluFusionTests.Net(11);
            using var oclNet = ConvReluFusionTests.Net(11);
            oclNet.To(OpenCLTest.Device);
            using var scope = Tensor.Scope();
            var x = Tensor.Rand([2, 3, 16, 16], seed: 9) - 0.5f;
            x.RequiresGrad = true;
            var xo = (Tensor.Rand([2, 3, 16, 16], seed: 9) - 0.5f).To(OpenCLTest.Device);
            xo.RequiresGrad = true;
            var cpu = ConvReluFusionTests.Run(cpuNet, x, fused: false);
            var ocl = ConvReluFusionTests.Run(oclNet, xo, fused: true);
            Close(cpu.Output, ocl.Output, 1e-4, "output");
            Close(cpu.InputGrad, ocl.InputGrad, 1e-4, "input gradient");
            for (int i = 0; i < cpu.Grads.Length; i++) Close(cpu.Grads[i], ocl.Grads[i], 1e-4, $"parameter {i} gradient");
        }
        finally
        {
            Environment.SetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable, saved);
        }
    }

    private static void Close(float[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(expected.Max(v => Math.Abs((double)v)), 1e-30);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / Math.Max(Math.Abs(expected[i]), 1e-3 * scale);
            Assert.True(err <= tol, $"{what}[{i}]: CPU {expected[i]}, OpenCL {actual[i]} (relative error {err:E2} > {tol:E0})");
        }
    }
}
