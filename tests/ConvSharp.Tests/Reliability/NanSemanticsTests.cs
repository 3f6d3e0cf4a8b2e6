using ConvSharp.Tests.Backends.OpenCL;

namespace ConvSharp.Tests.Reliability;

/// <summary>NaN and infinity through every op family, against PyTorch's documented rules written as double-precision
/// references: activations pass NaN through (relu(nan) = nan), max-like ops propagate NaN (max, maximum, max pools;
/// argmax points at the NaN), clamp keeps NaN, sums and averages of +inf and -inf are NaN. Each row runs on the CPU and,
/// in the OpenCL class below, on the OpenCL device.</summary>
public sealed class NanSemanticsTests
{
    private const float NaN = float.NaN, Inf = float.PositiveInfinity;

    /// <summary>The unary input: NaN, both infinities, negatives, zero, positives; shaped [1, 1, 2, 4] so pools see it.</summary>
    internal static readonly float[] Input = [NaN, Inf, -Inf, -2f, -0.5f, 0f, 0.5f, 3f];

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Gelu(double x) => double.IsPositiveInfinity(x) ? x : 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    // Abramowitz–Stegun 7.1.26 is too coarse for 1e-5; a series / continued-fraction pair is overkill here: the GELU row
    // only uses NaN, +inf and the finite values, compared at 1e-3.
    private static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }

    /// <summary>Unary ops: name, the op, PyTorch's rule per element, tolerance.</summary>
    internal static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Reference, double Tolerance)[] Unary =
    [
        ("relu", t => t.Relu(), x => double.IsNaN(x) ? x : Math.Max(x, 0), 0),
        ("leaky_relu", t => t.LeakyRelu(0.1f), x => x > 0 || double.IsNaN(x) ? x : 0.1 * x, 1e-6),
        ("elu", t => t.Elu(1f), x => x > 0 || double.IsNaN(x) ? x : Math.Exp(x) - 1, 1e-5),
        ("gelu", t => t.Gelu(), x => double.IsNegativeInfinity(x) ? double.NaN : Gelu(x), 1e-3),
        ("sigmoid", t => t.Sigmoid(), Sigmoid, 1e-5),
        ("tanh", t => t.Tanh(), Math.Tanh, 1e-5),
        ("abs", t => t.Abs(), Math.Abs, 0),
        ("neg", t => t.Neg(), x => -x, 0),
        ("exp", t => t.Exp(), Math.Exp, 1e-5),
        ("log", t => t.Log(), Math.Log, 1e-5),
        ("sqrt", t => t.Sqrt(), Math.Sqrt, 1e-5),
        ("clamp", t => t.Clamp(-1f, 1f), x => double.IsNaN(x) ? x : Math.Clamp(x, -1, 1), 0),
    ];

    public static TheoryData<string> UnaryNames() => [.. Unary.Select(u => u.Name)];

    /// <summary>Ops over windows or whole tensors: name, the op (input [1, 1, 2, 4] of <paramref name="values"/>), reference.</summary>
    internal static readonly (string Name, Func<Tensor, Tensor> Op, Func<float[], double[]> Reference)[] Windowed =
    [
        // Windows (2x2, stride 2) of [[a b c d], [e f g h]]: {a b e f}, {c d g h}.
        ("max_pool2d", t => t.MaxPool2d(2), v => [MaxNan(v[0], v[1], v[4], v[5]), MaxNan(v[2], v[3], v[6], v[7])]),
        ("avg_pool2d", t => t.AvgPool2d(2), v => [((double)v[0] + v[1] + v[4] + v[5]) / 4, ((double)v[2] + v[3] + v[6] + v[7]) / 4]),
        ("global_max_pool2d", t => Tensor.GlobalMaxPool2d(t), v => [MaxNan(v)]),
        ("max", t => t.Max(), v => [MaxNan(v)]),
        ("argmax", t => t.Reshape(-1).ArgMax(0), v => [ArgMaxNan(v)]),
        ("sum", t => t.Sum(), v => [v.Sum(x => (double)x)]),
        ("mean", t => t.Mean(), v => [v.Average(x => (double)x)]),
        ("softmax", t => t.Reshape(2, 4).Softmax(1), v => [.. SoftmaxRow(v[..4]), .. SoftmaxRow(v[4..])]),
    ];

    public static TheoryData<string, int> WindowedCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var w in Windowed) for (int c = 0; c < WindowInputs.Length; c++) data.Add(w.Name, c);
        return data;
    }

    /// <summary>Inputs for the windowed ops: a NaN in the first window; +inf and -inf in one window (the average is NaN);
    /// only finite values (a control: nothing becomes NaN).</summary>
    internal static readonly float[][] WindowInputs =
    [
        [1f, NaN, 7f, 2f, 3f, 4f, -1f, 5f],
        [1f, 2f, Inf, 2f, 3f, 4f, -Inf, 5f],
        [1f, 2f, 7f, 2f, 3f, 4f, -1f, 5f],
    ];

    private static double MaxNan(params float[] v) => v.Any(float.IsNaN) ? double.NaN : v.Max();

    private static double ArgMaxNan(float[] v)
    {
        int nan = Array.FindIndex(v, float.IsNaN);
        if (nan >= 0) return nan;
        return Array.IndexOf(v, v.Max());
    }

    private static double[] SoftmaxRow(float[] row)
    {
        if (row.Any(float.IsNaN)) return [.. row.Select(_ => double.NaN)];
        double m = row.Max(x => (double)x);
        double[] e = [.. row.Select(x => Math.Exp(x - m))];
        double s = e.Sum();
        return [.. e.Select(x => x / s)];
    }

    internal static void RunUnary(string name, Device device)
    {
        var (_, op, reference, tolerance) = Unary.Single(u => u.Name == name);
        using var scope = Tensor.Scope();
        float[] got = op(Tensor.FromArray(Input, 1, 1, 2, 4).To(device)).ToArray();
        AssertMatches(name, Input.Select(x => reference(x)).ToArray(), got, tolerance);
    }

    internal static void RunWindowed(string name, int inputCase, Device device)
    {
        var (_, op, reference) = Windowed.Single(w => w.Name == name);
        float[] input = WindowInputs[inputCase];
        using var scope = Tensor.Scope();
        float[] got = op(Tensor.FromArray(input, 1, 1, 2, 4).To(device)).ToArray();
        AssertMatches($"{name} of [{string.Join(", ", input)}]", reference(input), got, 1e-5);
    }

    internal static void AssertMatches(string what, double[] expected, float[] got, double tolerance)
    {
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], g = got[i];
            string where = $"{what}: element {i} is {g}, PyTorch gives {e}";
            if (double.IsNaN(e)) Assert.True(double.IsNaN(g), where);
            else if (double.IsInfinity(e)) Assert.True(e == g, where);
            else Assert.True(Math.Abs(g - e) <= tolerance * Math.Max(1, Math.Abs(e)), where);
        }
    }

    /// <summary>Maximum/Minimum: NaN on either side wins; gradients follow derivatives.yaml (a tie splits the gradient
    /// in half, a NaN gives both sides all of it, the smaller side of maximum gets none).</summary>
    internal static void RunMaximumMinimum(Device device)
    {
        float[] a = [NaN, 1f, 2f, 3f, Inf, -Inf], b = [1f, NaN, 2f, 1f, 5f, 4f];
        foreach (bool max in new[] { true, false })
        {
            using var scope = Tensor.Scope();
            var ta = Tensor.FromArray(a, 6).To(device);
            var tb = Tensor.FromArray(b, 6).To(device);
            ta.RequiresGrad = true;
            tb.RequiresGrad = true;
            Tensor y = max ? Tensor.Maximum(ta, tb) : Tensor.Minimum(ta, tb);
            double[] expected = [.. a.Zip(b, (x, z) => float.IsNaN(x) || float.IsNaN(z) ? double.NaN : max ? Math.Max(x, z) : Math.Min(x, z))];
            AssertMatches(max ? "maximum" : "minimum", expected, y.ToArray(), 0);
            y.Sum().Backward();
            double GradA(float x, float z) => float.IsNaN(x) || float.IsNaN(z) ? 1 : x == z ? 0.5 : (max ? x > z : x < z) ? 1 : 0;
            double GradB(float x, float z) => float.IsNaN(x) || float.IsNaN(z) ? 1 : x == z ? 0.5 : (max ? z > x : z < x) ? 1 : 0;
            AssertMatches(max ? "d maximum / d a" : "d minimum / d a", [.. a.Zip(b, GradA)], ta.Grad!.ToArray(), 0);
            AssertMatches(max ? "d maximum / d b" : "d minimum / d b", [.. a.Zip(b, GradB)], tb.Grad!.ToArray(), 0);
        }
    }

    /// <summary>ReLU's backward is PyTorch's threshold_backward(grad, result, 0): result &lt;= 0 ? 0 : grad, so a NaN
    /// input passes its gradient on; clamp's is grad where min &lt;= x &lt;= max, so NaN gets none.</summary>
    internal static void RunBackward(Device device)
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(Input, 8).To(device);
        x.RequiresGrad = true;
        var upstream = Tensor.FromArray([.. Enumerable.Range(1, 8).Select(i => (float)i)], 8).To(device);
        (x.Relu() * upstream).Sum().Backward();
        AssertMatches("d relu", [.. Input.Select((v, i) => v <= 0 ? 0.0 : i + 1)], x.Grad!.ToArray(), 0);
        x.Grad!.Dispose();
        x.Grad = null;
        (x.Clamp(-1f, 1f) * upstream).Sum().Backward();
        AssertMatches("d clamp", [.. Input.Select((v, i) => v >= -1 && v <= 1 ? i + 1.0 : 0.0)], x.Grad!.ToArray(), 0);
    }

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_ops_follow_PyTorch_on_nan_and_infinity_on_the_cpu(string op) => RunUnary(op, Device.Cpu);

    [Theory]
    [MemberData(nameof(WindowedCases))]
    public void Pools_and_reductions_follow_PyTorch_on_nan_and_infinity_on_the_cpu(string op, int input) => RunWindowed(op, input, Device.Cpu);

    [Fact]
    public void Maximum_and_minimum_propagate_nan_and_split_tie_gradients_on_the_cpu() => RunMaximumMinimum(Device.Cpu);

    [Fact]
    public void Relu_and_clamp_gradients_at_nan_follow_PyTorch_on_the_cpu() => RunBackward(Device.Cpu);

    [Fact]
    public void A_nan_weight_behind_a_relu_makes_the_loss_nan_and_no_checkpoint_is_written()
    {
        using var model = new ConvSharp.NN.Sequential(new ConvSharp.NN.Linear(4, 3), new ConvSharp.NN.ReLU(), new ConvSharp.NN.Linear(3, 2));
        var weight = model.NamedParameters().First(p => p.Name == "0.weight").Parameter;
        float[] w = weight.ToArray();
        w[5] = float.NaN;
        weight.CopyFrom(w);
        using var scope = Tensor.Scope();
        float loss = new ConvSharp.NN.CrossEntropyLoss().Forward(model.Forward(Tensor.Ones(2, 4)), Tensor.FromArray([0f, 1f], 2)).Item();
        Assert.True(float.IsNaN(loss), $"the loss is {loss}: the NaN was hidden by the ReLU");
        Assert.Equal(("0.weight", 5L, float.NaN), model.FirstNonFinite());
        var e = Assert.Throws<ArithmeticException>(model.EnsureFinite);
        Assert.StartsWith("Parameter 0.weight holds NaN (element 5)", e.Message);
        string path = Path.Combine(Path.GetTempPath(), $"nan-{Guid.NewGuid():N}.safetensors");
        Assert.Throws<ArithmeticException>(() => { model.EnsureFinite(); model.Save(path); });
        Assert.False(File.Exists(path));
    }
}

/// <summary>The same table on the OpenCL device (PoCL in CI).</summary>
[Collection(OpenCLCollection.Name)]
public sealed class OpenCLNanSemanticsTests
{
    [OpenCLTheory]
    [MemberData(nameof(NanSemanticsTests.UnaryNames), MemberType = typeof(NanSemanticsTests))]
    public void Unary_ops_follow_PyTorch_on_nan_and_infinity_on_OpenCL(string op) => NanSemanticsTests.RunUnary(op, OpenCLTest.Device);

    [OpenCLTheory]
    [MemberData(nameof(NanSemanticsTests.WindowedCases), MemberType = typeof(NanSemanticsTests))]
    public void Pools_and_reductions_follow_PyTorch_on_nan_and_infinity_on_OpenCL(string op, int input) =>
        NanSemanticsTests.RunWindowed(op, input, OpenCLTest.Device);

    [OpenCLFact]
    public void Maximum_and_minimum_propagate_nan_and_split_tie_gradients_on_OpenCL() => NanSemanticsTests.RunMaximumMinimum(OpenCLTest.Device);

    [OpenCLFact]
    public void Relu_and_clamp_gradients_at_nan_follow_PyTorch_on_OpenCL() => NanSemanticsTests.RunBackward(OpenCLTest.Device);
}
