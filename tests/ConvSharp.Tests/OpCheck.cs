namespace ConvSharp.Tests;

/// <summary>One helper checks any op (the tinygrad <c>helper_test_op</c> idea): the forward against a
/// naive double-precision reference, and the backward against central finite differences of that
/// reference. The op is run with a random upstream gradient w, so what is checked is the full
/// vector-Jacobian product d(Σ w·f(x))/dx for every input.</summary>
internal static class OpCheck
{
    /// <summary>A reference: the inputs as double arrays (shapes are fixed by the test) → the output values.</summary>
    public delegate double[] Reference(double[][] inputs);

    /// <param name="op">Builds the output from the input tensors (which require grad).</param>
    /// <param name="reference">The double-precision pseudo-code version of the op.</param>
    /// <param name="inputs">Input values; float copies become the tensors.</param>
    /// <param name="shapes">Input shapes.</param>
    /// <param name="forwardTolerance">Relative tolerance of the forward against the reference.</param>
    /// <param name="gradTolerance">Relative tolerance of the gradients (≤ 1e-3 for float32 by the project's rule).</param>
    /// <param name="gradInputs">Which inputs get a gradient check (default all).</param>
    /// <param name="device">Where the op runs (default the CPU); the reference is always the double loop.</param>
    public static void Check(Func<Tensor[], Tensor> op, Reference reference, float[][] inputs, int[][] shapes,
        double forwardTolerance = 1e-5, double gradTolerance = 1e-3, bool[]? gradInputs = null, int seed = 0, Device? device = null)
    {
        double[][] asDouble = inputs.Select(x => x.Select(v => (double)v).ToArray()).ToArray();
        double[] expected = reference(asDouble);

        Tensor[] tensors = inputs.Select((x, i) => MoveTo(Tensor.FromArray(x, shapes[i]), device ?? Device.Cpu)).ToArray();
        for (int i = 0; i < tensors.Length; i++) tensors[i].RequiresGrad = gradInputs?[i] ?? true;
        try
        {
            using var output = op(tensors);
            float[] actual = output.ToArray();
            Assert.Equal(expected.Length, actual.Length);
            AssertClose(expected, actual, forwardTolerance, "forward");

            var rng = new Random(seed + 1);
            float[] w = Enumerable.Range(0, actual.Length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            using var upstream = MoveTo(Tensor.FromArray(w, output.Shape), output.Device);
            output.Backward(upstream);

            for (int i = 0; i < tensors.Length; i++)
            {
                if (!(gradInputs?[i] ?? true)) continue;
                double[] numeric = NumericGradient(reference, asDouble, i, w);
                Tensor? grad = tensors[i].Grad;
                Assert.True(grad is not null, $"input {i} got no gradient");
                AssertClose(numeric, grad!.ToArray(), gradTolerance, $"gradient of input {i}");
            }
        }
        finally
        {
            foreach (Tensor t in tensors) { t.Grad?.Dispose(); t.Dispose(); }
        }
    }

    /// <summary><see cref="Check"/> on every backend: the CPU, then the OpenCL device when one is installed (CI always
    /// has PoCL). Tests that call it belong to the OpenCL collection, which runs one test at a time on the device.</summary>
    public static void CheckOnEveryBackend(Func<Tensor[], Tensor> op, Reference reference, float[][] inputs, int[][] shapes,
        double forwardTolerance = 1e-5, double gradTolerance = 1e-3, bool[]? gradInputs = null, int seed = 0)
    {
        foreach (Device device in Backends())
            Check(op, reference, inputs, shapes, forwardTolerance, gradTolerance, gradInputs, seed, device);
    }

    /// <summary>The CPU and, when an OpenCL platform is installed, the OpenCL device.</summary>
    public static IEnumerable<Device> Backends()
    {
        yield return Device.Cpu;
        if (ConvSharp.Tests.Backends.OpenCL.OpenCLTest.Unavailable is null) yield return Device.OpenCL();
    }

    private static Tensor MoveTo(Tensor t, Device device)
    {
        if (ReferenceEquals(device, t.Device)) return t;
        Tensor moved = t.To(device);
        t.Dispose();
        return moved;
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
