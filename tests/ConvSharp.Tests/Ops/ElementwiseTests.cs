namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class ElementwiseTests
{
    /// <summary>Reference broadcasting: the element of a shape read at an output multi-index.</summary>
    private static double At(double[] x, int[] shape, int[] outShape, int[] idx)
    {
        int lead = outShape.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[d + lead]);
        return x[flat];
    }

    private static IEnumerable<int[]> Indices(int[] shape)
    {
        var idx = new int[shape.Length];
        int count = OpCheck.Count(shape);
        for (int i = 0; i < count; i++)
        {
            yield return (int[])idx.Clone();
            for (int d = shape.Length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
    }

    public static TheoryData<string, int[], int[], int[]> BroadcastCases()
    {
        var data = new TheoryData<string, int[], int[], int[]>();
        foreach (string op in new[] { "add", "sub", "mul", "div", "pow", "max", "min" })
        {
            data.Add(op, [2, 3, 4], [2, 3, 4], [2, 3, 4]);
            data.Add(op, [2, 3, 4], [4], [2, 3, 4]);
            data.Add(op, [3, 1, 5], [1, 4, 1], [3, 4, 5]);
            data.Add(op, [1], [2, 3], [2, 3]);
            data.Add(op, [2, 1, 3, 1], [5, 1, 7], [2, 5, 3, 7]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void Binary_ops_broadcast_and_their_gradients_sum_over_repeated_dimensions(string op, int[] sa, int[] sb, int[] so)
    {
        Func<double, double, double> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            "div" => (x, y) => x / y,
            "pow" => Math.Pow,
            "max" => Math.Max,
            _ => Math.Min,
        };
        Func<Tensor[], Tensor> build = op switch
        {
            "add" => t => t[0] + t[1],
            "sub" => t => t[0] - t[1],
            "mul" => t => t[0] * t[1],
            "div" => t => t[0] / t[1],
            "pow" => t => Tensor.Pow(t[0], t[1]),
            "max" => t => Tensor.Maximum(t[0], t[1]),
            _ => t => Tensor.Minimum(t[0], t[1]),
        };
        // Positive operands keep pow and div smooth; distinct ranges keep max/min away from ties.
        float[] a = OpCheck.Random(1, OpCheck.Count(sa), 0.5f, 2f);
        float[] b = OpCheck.Random(2, OpCheck.Count(sb), op is "max" or "min" ? 0.4f : 0.5f, 2f);
        OpCheck.Check(build, x =>
        {
            var result = new List<double>();
            foreach (int[] idx in Indices(so)) result.Add(f(At(x[0], sa, so, idx), At(x[1], sb, so, idx)));
            return result.ToArray();
        }, [a, b], [sa, sb]);
    }

    public static TheoryData<string> UnaryCases() =>
        new("neg", "exp", "log", "sqrt", "abs", "pow3", "powhalf", "clamp", "relu", "leaky", "elu", "gelu", "sigmoid", "tanh", "affine", "rsub", "rdiv");

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_ops_match_their_formulas_and_derivatives(string op)
    {
        Func<double, double> f = op switch
        {
            "neg" => x => -x,
            "exp" => Math.Exp,
            "log" => Math.Log,
            "sqrt" => Math.Sqrt,
            "abs" => Math.Abs,
            "pow3" => x => x * x * x,
            "powhalf" => Math.Sqrt,
            "clamp" => x => Math.Clamp(x, -0.5, 0.7),
            "relu" => x => Math.Max(x, 0),
            "leaky" => x => x > 0 ? x : 0.2 * x,
            "elu" => x => x > 0 ? x : 1.5 * (Math.Exp(x) - 1),
            "gelu" => x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
            "sigmoid" => x => 1 / (1 + Math.Exp(-x)),
            "tanh" => Math.Tanh,
            "affine" => x => 3 * x + 2,
            "rsub" => x => 2 - x,
            _ => x => 2 / x,
        };
        Func<Tensor[], Tensor> build = op switch
        {
            "neg" => t => -t[0],
            "exp" => t => t[0].Exp(),
            "log" => t => t[0].Log(),
            "sqrt" => t => t[0].Sqrt(),
            "abs" => t => t[0].Abs(),
            "pow3" => t => t[0].Pow(3),
            "powhalf" => t => t[0].Pow(0.5f),
            "clamp" => t => t[0].Clamp(-0.5f, 0.7f),
            "relu" => t => t[0].Relu(),
            "leaky" => t => t[0].LeakyRelu(0.2f),
            "elu" => t => t[0].Elu(1.5f),
            "gelu" => t => t[0].Gelu(),
            "sigmoid" => t => t[0].Sigmoid(),
            "tanh" => t => t[0].Tanh(),
            "affine" => t => t[0] * 3f + 2f,
            "rsub" => t => 2f - t[0],
            _ => t => 2f / t[0],
        };
        bool positive = op is "log" or "sqrt" or "powhalf" or "rdiv";
        float[] x = OpCheck.Random(3, 60, positive ? 0.3f : -3f, 3f);
        OpCheck.Check(build, v => v[0].Select(f).ToArray(), [x], [[3, 4, 5]], forwardTolerance: 1e-5);
    }

    [Fact]
    public void Sigmoid_does_not_overflow_at_large_inputs()
    {
        using var x = Tensor.FromArray([-1000f, -100f, 0f, 100f, 1000f], 5);
        using var y = x.Sigmoid();
        float[] v = y.ToArray();
        Assert.All(v, value => Assert.True(float.IsFinite(value)));
        Assert.Equal(0f, v[0]);
        Assert.InRange(v[1], 0f, 1e-38f);  // e^-100 is a float32 denormal
        Assert.Equal([0.5f, 1f, 1f], v[2..]);
    }

    /// <summary>Tanh and Sigmoid run a vectorized exp of our own (native/kernels/shared/unary.h, on the CPU and OpenCL alike), not glibc's:
    /// every float on a dense grid over [-20, 20] (plus the small-argument branch's edge) is compared with double
    /// precision, in units of the float spacing at the true value.</summary>
    [Fact]
    public void Tanh_and_sigmoid_stay_within_a_few_float_steps_of_double_precision()
    {
        var inputs = new List<float>();
        for (int i = -200_000; i <= 200_000; i++) inputs.Add(i * 1e-4f);
        inputs.AddRange([0.2499999f, 0.25f, 0.2500001f, -0.25f, 1e-30f, -1e-30f, 1e-45f, 9.49f, 9.51f, 50f, -50f, 88f, -88f, -90f, -103f]);
        using var x = Tensor.FromArray(inputs.ToArray(), inputs.Count);
        using var tanh = x.Tanh();
        using var sigmoid = x.Sigmoid();
        float[] t = tanh.ToArray(), s = sigmoid.ToArray();
        double worstTanh = 0, worstSigmoid = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            double v = inputs[i];
            worstTanh = Math.Max(worstTanh, Steps(t[i], Math.Tanh(v)));
            worstSigmoid = Math.Max(worstSigmoid, Steps(s[i], 1 / (1 + Math.Exp(-v))));
        }
        Assert.True(worstTanh <= 8, $"tanh is {worstTanh} float steps from double precision");
        Assert.True(worstSigmoid <= 4, $"sigmoid is {worstSigmoid} float steps from double precision");

        using var special = Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f], 5);
        using var ts = special.Tanh();
        using var ss = special.Sigmoid();
        float[] tv = ts.ToArray(), sv = ss.ToArray();
        Assert.True(float.IsNaN(tv[0]) && float.IsNaN(sv[0]), "NaN must stay NaN");
        Assert.Equal([1f, -1f, 0f], tv[1..4]);
        Assert.True(float.IsNegative(tv[4]), "tanh(-0) is -0");
        Assert.Equal([1f, 0f, 0.5f, 0.5f], sv[1..]);
    }

    /// <summary>|actual − expected| in float spacings at the expected value (subnormal spacing below the normal range).</summary>
    private static double Steps(float actual, double expected)
    {
        double spacing = Math.Max(Math.Abs(MathF.BitIncrement((float)Math.Abs(expected)) - (float)Math.Abs(expected)), float.Epsilon);
        return Math.Abs(actual - expected) / spacing;
    }

    /// <summary>erf to double precision (Abramowitz–Stegun 7.1.26 is too coarse; this is the series/continued-fraction pair).</summary>
    internal static double Erf(double x)
    {
        double ax = Math.Abs(x);
        double result;
        if (ax < 2.5)
        {
            double sum = 0, term = ax;
            for (int n = 0; n < 80; n++)
            {
                sum += term / (2 * n + 1);
                term *= -ax * ax / (n + 1);
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double cf = 0;
            for (int n = 60; n >= 1; n--) cf = n / 2.0 / (ax + cf);
            result = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + cf);
        }
        return x < 0 ? -result : result;
    }

    [Fact]
    public void Incompatible_shapes_name_both_shapes()
    {
        using var a = Tensor.Ones(2, 3);
        using var b = Tensor.Ones(4);
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Equal("Add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1 of the result: 3 against 4; each pair must be equal or one of them 1).", e.Message);
    }

    [Fact]
    public void Clamp_with_min_above_max_is_refused()
    {
        using var a = Tensor.Ones(2);
        var e = Assert.Throws<ArgumentException>(() => a.Clamp(1f, 0f));
        Assert.StartsWith("Clamp: min (1) must not exceed max (0).", e.Message);
    }
}
