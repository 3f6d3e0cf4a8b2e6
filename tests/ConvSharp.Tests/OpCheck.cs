using ConvSharp.Memory;
using ConvSharp.Tests.Backends.OpenCL;

namespace ConvSharp.Tests;

/// <summary>One helper checks any op on every available backend (the tinygrad <c>helper_test_op</c> idea): on the CPU,
/// the forward against a naive double-precision reference and the backward against central finite differences of
/// that reference; on OpenCL (PoCL in CI), when a device is present, the same forward and backward against the
/// CPU's results (parity). The op is run with a random upstream gradient w, so what is checked is the full
/// vector-Jacobian product d(Σ w·f(x))/dx for every input. Every run must give back every pooled buffer it took
/// (host and OpenCL pools): the check fails on a leak.</summary>
internal static class OpCheck
{
    /// <summary>A reference: the inputs as double arrays (shapes are fixed by the test) → the output values.</summary>
    public delegate double[] Reference(double[][] inputs);

    /// <summary>Relative tolerance of OpenCL's forward against the CPU's (the project's parity bound for op outputs).</summary>
    public const double ParityTolerance = 1e-4;

    /// <summary>Relative tolerance of OpenCL's gradients against the CPU's: a backward is a longer chain of roundings (the
    /// softmax backward of 300 classes sums 300 products), judged like the CPU's own gradients (1e-3).</summary>
    public const double GradientParityTolerance = 1e-3;

    /// <param name="op">Builds the output from the input tensors (which require grad), on whatever device they are on.</param>
    /// <param name="reference">The double-precision pseudo-code version of the op.</param>
    /// <param name="inputs">Input values; float copies become the tensors.</param>
    /// <param name="shapes">Input shapes.</param>
    /// <param name="forwardTolerance">Relative tolerance of the forward against the reference.</param>
    /// <param name="gradTolerance">Relative tolerance of the gradients (≤ 1e-3 for float32 by the project's rule).</param>
    /// <param name="gradInputs">Which inputs get a gradient check (default all).</param>
    /// <param name="parity">Whether to run the op on OpenCL too (false for ops that build CPU-only constants inside).</param>
    public static void Check(Func<Tensor[], Tensor> op, Reference reference, float[][] inputs, int[][] shapes,
        double forwardTolerance = 1e-5, double gradTolerance = 1e-3, bool[]? gradInputs = null, int seed = 0, bool parity = true)
    {
        double[][] asDouble = inputs.Select(x => x.Select(v => (double)v).ToArray()).ToArray();
        double[] expected = reference(asDouble);
        (float[] actual, float[]?[] grads, float[] w) = Run(Device.Cpu, op, inputs, shapes, gradInputs, seed);
        Assert.Equal(expected.Length, actual.Length);
        AssertClose(expected, actual, forwardTolerance, "forward");
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!(gradInputs?[i] ?? true)) continue;
            double[] numeric = NumericGradient(reference, asDouble, i, w);
            Assert.True(grads[i] is not null, $"input {i} got no gradient");
            AssertClose(numeric, grads[i]!, gradTolerance, $"gradient of input {i}");
        }
        if (!parity || OpenCLTest.Unavailable is not null) return;
        (float[] oclOut, float[]?[] oclGrads, _) = Run(OpenCLTest.Device, op, inputs, shapes, gradInputs, seed);
        OpenCLTest.AssertClose(actual, oclOut, ParityTolerance, "OpCheck forward (OpenCL vs CPU)");
        for (int i = 0; i < inputs.Length; i++)
            if (grads[i] is { } g) OpenCLTest.AssertClose(g, oclGrads[i]!, GradientParityTolerance, $"OpCheck gradient of input {i} (OpenCL vs CPU)");
    }

    /// <summary>The same check (<see cref="Check"/> already runs every available backend); the name the course tests use.</summary>
    public static void CheckOnEveryBackend(Func<Tensor[], Tensor> op, Reference reference, float[][] inputs, int[][] shapes,
        double forwardTolerance = 1e-5, double gradTolerance = 1e-3, bool[]? gradInputs = null, int seed = 0) =>
        Check(op, reference, inputs, shapes, forwardTolerance, gradTolerance, gradInputs, seed);

    /// <summary>The CPU and, when an OpenCL platform is installed, the OpenCL device.</summary>
    public static IEnumerable<Device> Backends()
    {
        yield return Device.Cpu;
        if (OpenCLTest.Unavailable is null) yield return Device.OpenCL();
    }

    /// <summary>The op's output and input gradients on <paramref name="device"/>, for the upstream gradient of the seed;
    /// every pooled buffer the run took must be back when it ends.</summary>
    private static (float[] Output, float[]?[] Grads, float[] Upstream) Run(Device device, Func<Tensor[], Tensor> op, float[][] inputs,
        int[][] shapes, bool[]? gradInputs, int seed)
    {
        using var region = BufferTracker.Begin();
        Tensor[] tensors = inputs.Select((x, i) => Upload(Tensor.FromArray(x, shapes[i]), device)).ToArray();
        for (int i = 0; i < tensors.Length; i++) tensors[i].RequiresGrad = gradInputs?[i] ?? true;
        float[] actual, w;
        var grads = new float[]?[tensors.Length];
        try
        {
            using var output = op(tensors);
            Assert.Equal(device, output.Device);
            actual = output.ToArray();
            var rng = new Random(seed + 1);
            w = Enumerable.Range(0, actual.Length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            using var upstream = Upload(Tensor.FromArray(w, output.Shape), device);
            output.Backward(upstream);
            for (int i = 0; i < tensors.Length; i++) grads[i] = tensors[i].Grad?.ToArray();
        }
        finally
        {
            foreach (Tensor t in tensors) { t.Grad?.Dispose(); t.Dispose(); }
        }
        if (region.Outstanding != 0)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.True(region.Outstanding == 0, $"the op left {region.Outstanding} of the {region.Allocated} pooled buffers it took on {device} unreturned");
        return (actual, grads, w);
    }

    private static Tensor Upload(Tensor cpu, Device device)
    {
        if (device == Device.Cpu) return cpu;
        using (cpu) return cpu.To(device);
    }

    /// <summary>Central differences in double: d(Σ w·f)/dx_j ≈ (L(x + h e_j) − L(x − h e_j)) / 2h.</summary>
    public static double[] NumericGradient(Reference reference, double[][] inputs, int which, float[] w)
    {
        double[] x = inputs[which];
        var grad = new double[x.Length];
        for (int j = 0; j < x.Length; j++)
        {
            double saved = x[j], h = 1e-6 * Math.Max(1.0, Math.Abs(saved));
            x[j] = saved + h;
            double plus = Dot(reference(inputs), w);
            x[j] = saved - h;
            double minus = Dot(reference(inputs), w);
            x[j] = saved;
            grad[j] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    private static double Dot(double[] a, float[] w)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * w[i];
        return s;
    }

    /// <summary>|actual − expected| ≤ tol·(|expected| + max|expected|·0.01 + 1e-6) element by element;
    /// the second term keeps elements near zero from demanding more precision than float32 has. NaN never passes.</summary>
    public static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            double bound = tol * (Math.Abs(expected[i]) + 0.01 * scale + 1e-6);
            Assert.True(!double.IsNaN(actual[i]) && err <= bound,
                $"{what}[{i}] = {actual[i]}, expected {expected[i]} (error {err:E2} > bound {bound:E2})");
        }
    }

    public static float[] Random(int seed, int count, float low = -1f, float high = 1f) =>
        ConvSharp.Tests.Reference.RandomFloats(new Random(seed), count, low, high);

    /// <summary>Row-major index of a multi-index.</summary>
    public static int Index(int[] shape, params int[] idx)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
