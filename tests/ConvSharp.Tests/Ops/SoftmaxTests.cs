using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class SoftmaxTests
{
    /// <summary>Softmax or log-softmax along <paramref name="dim"/>, the pseudo-code way: for every position
    /// around that dimension, subtract the maximum, exponentiate, normalise.</summary>
    internal static double[] Reference(double[] x, int[] shape, int dim, bool log)
    {
        int outer = shape[..dim].Aggregate(1, (a, b) => a * b), n = shape[dim];
        int inner = shape[(dim + 1)..].Aggregate(1, (a, b) => a * b);
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
        for (int j = 0; j < inner; j++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int k = 0; k < n; k++) m = Math.Max(m, x[(o * n + k) * inner + j]);
            for (int k = 0; k < n; k++) s += Math.Exp(x[(o * n + k) * inner + j] - m);
            for (int k = 0; k < n; k++)
            {
                double v = x[(o * n + k) * inner + j] - m;
                y[(o * n + k) * inner + j] = log ? v - Math.Log(s) : Math.Exp(v) / s;
            }
        }
        return y;
    }

    public static TheoryData<int[], int, bool> Cases()
    {
        var data = new TheoryData<int[], int, bool>();
        foreach (bool log in new[] { false, true })
        {
            data.Add([3, 4, 5], 0, log);
            data.Add([3, 4, 5], 1, log);
            data.Add([3, 4, 5], 2, log);
            data.Add([3, 4, 5], -1, log);
            data.Add([2, 3, 2, 3], -2, log);
            data.Add([7], 0, log);
            data.Add([2, 3, 300], 1, log);   // inner 300: more than one tile of the strided path
            data.Add([2, 37], 1, log);       // a row longer than the vector lanes, with a tail
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Softmax_and_log_softmax_match_the_reference_and_finite_differences(int[] shape, int dim, bool log)
    {
        int d = dim < 0 ? dim + shape.Length : dim;
        float[] x = OpCheck.Random(11 + shape.Length + d, OpCheck.Count(shape), -3f, 3f);
        OpCheck.Check(t => log ? t[0].LogSoftmax(dim) : t[0].Softmax(dim), v => Reference(v[0], shape, d, log), [x], [shape]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Large_logits_do_not_overflow(bool log)
    {
        float[] x = [1000f, 1001f, 999f, -1000f, 88f, 89f, 0f, -88f, -1e30f, 3e38f, 3e38f, 0f];
        int[] shape = [3, 4];
        using var t = Tensor.FromArray(x, shape);
        using var y = log ? t.LogSoftmax(1) : t.Softmax(1);
        float[] actual = y.ToArray();
        Assert.All(actual, v => Assert.True(float.IsFinite(v), $"{v} is not finite"));
        double[] expected = Reference(x.Select(v => (double)v).ToArray(), shape, 1, log);
        OpCheck.AssertClose(expected, actual, 1e-5, log ? "log-softmax" : "softmax");
        if (!log) Assert.Equal([0.5f, 0.5f], actual[9..11]);

        // The gradient at large logits is finite too.
        using var xg = Tensor.FromArray(x, shape);
        xg.RequiresGrad = true;
        using var yg = log ? xg.LogSoftmax(1) : xg.Softmax(1);
        using var w = Tensor.FromArray(OpCheck.Random(5, 12), shape);
        using var loss = (yg * w).Sum();
        loss.Backward();
        Assert.All(xg.Grad!.ToArray(), v => Assert.True(float.IsFinite(v), $"gradient {v} is not finite"));
        xg.Grad!.Dispose();
    }

    [Fact]
    public void The_exponential_is_accurate_across_the_float_range()
    {
        // softmax([0, v])[1] = e^v / (1 + e^v) for v from −87 to 0 in steps of about 0.01, through the
        // kernels' own vectorized exp: relative error ≤ 1e-6 element by element.
        const int count = 8701;
        var rng = new Random(17);
        var x = new float[2 * count];
        for (int i = 0; i < count; i++) x[2 * i + 1] = -87f + i * 0.01f + (float)rng.NextDouble() * 0.01f;
        using var t = Tensor.FromArray(x, count, 2);
        using var p = t.Softmax(1);
        using var lp = t.LogSoftmax(1);
        float[] pv = p.ToArray(), lv = lp.ToArray();
        for (int i = 0; i < count; i++)
        {
            double v = x[2 * i + 1], e = Math.Exp(v);
            double expected = e / (1 + e), expectedLog = v - Math.Log(1 + e);
            Assert.True(Math.Abs(pv[2 * i + 1] - expected) <= 1e-6 * expected, $"softmax([0, {v}]) = {pv[2 * i + 1]}, expected {expected}");
            Assert.True(Math.Abs(lv[2 * i + 1] - expectedLog) <= 1e-6 * Math.Abs(expectedLog) + 1e-7, $"log_softmax([0, {v}]) = {lv[2 * i + 1]}, expected {expectedLog}");
        }
    }

    [Fact]
    public void Minus_infinity_gets_zero_probability_and_nan_is_never_swallowed()
    {
        using var x = Tensor.FromArray([0f, float.NegativeInfinity, 1f, 0f, float.NaN, 1f], 2, 3);
        using var p = x.Softmax(1);
        float[] v = p.ToArray();
        Assert.Equal(0f, v[1]);
        Assert.Equal(1f, v[0] + v[2], 6);
        Assert.All(v[3..], value => Assert.True(float.IsNaN(value), $"{value} should be NaN: a NaN logit makes the whole row NaN, as in PyTorch"));

        // The fused cross-entropy: a −∞ (masked) logit gives a finite loss and a zero gradient there.
        using var logits = Tensor.FromArray([0f, float.NegativeInfinity, 1f], 1, 3);
        logits.RequiresGrad = true;
        using var target = Tensor.FromArray([0f], 1);
        using (var loss = Tensor.CrossEntropy(logits, target))
        {
            Assert.Equal(Math.Log(1 + Math.E), loss.Item(), 5);
            loss.Backward();
        }
        float[] g = logits.Grad!.ToArray();
        Assert.Equal(0f, g[1]);
        Assert.All(g, value => Assert.True(float.IsFinite(value)));
        logits.Grad.Dispose();
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_log_softmax_is_its_log()
    {
        using var x = Tensor.FromArray(OpCheck.Random(3, 2 * 5 * 3, -10, 10), 2, 5, 3);
        using var p = x.Softmax(1);
        using var lp = x.LogSoftmax(1);
        using var sums = p.Sum(1);
        Assert.All(sums.ToArray(), s => Assert.Equal(1f, s, 5));
        float[] pv = p.ToArray(), lv = lp.ToArray();
        for (int i = 0; i < pv.Length; i++) Assert.Equal(Math.Log(pv[i]), lv[i], 4);
    }

    [Fact]
    public void Modules_apply_the_op_along_their_dimension()
    {
        using var x = Tensor.FromArray(OpCheck.Random(4, 6), 2, 3);
        using var a = new Softmax(1).Forward(x);
        using var b = x.Softmax(1);
        Assert.Equal(b.ToArray(), a.ToArray());
        using var c = new LogSoftmax(0).Forward(x);
        using var d = x.LogSoftmax(0);
        Assert.Equal(d.ToArray(), c.ToArray());
        Assert.Equal("Softmax(dim=1)", new Softmax(1).ToString());
        Assert.Equal("LogSoftmax(dim=-1)", new LogSoftmax(-1).ToString());
    }

    [Fact]
    public void A_dimension_out_of_range_is_refused()
    {
        using var x = Tensor.Ones(2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Softmax(2));
        Assert.StartsWith("Dimension 2 is out of range for a tensor of shape [2, 3].", e.Message);
    }
}
