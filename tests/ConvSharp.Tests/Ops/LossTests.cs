using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class LossTests
{
    // ---- references (double precision, nested loops) ----

    /// <summary>(N, C, inner) of an [N, C, d1, ...] input, or of an unbatched [C] one.</summary>
    private static (int N, int C, int Inner) Layout(int[] shape)
    {
        if (shape.Length == 1) return (1, shape[0], 1);
        return (shape[0], shape[1], shape[2..].Aggregate(1, (a, b) => a * b));
    }

    /// <summary>The scores of one position, as log-probabilities (log-softmax first for logits).</summary>
    private static double[] LogProbs(double[] x, int c, int inner, int i, int j, bool logits)
    {
        var lp = new double[c];
        for (int k = 0; k < c; k++) lp[k] = x[(i * c + k) * inner + j];
        if (!logits) return lp;
        double m = lp.Max(), s = lp.Sum(v => Math.Exp(v - m));
        return lp.Select(v => v - m - Math.Log(s)).ToArray();
    }

    private static double[] Reduced(double[] losses, Reduction reduction, double meanDivisor) => reduction switch
    {
        Reduction.None => losses,
        Reduction.Sum => [losses.Sum()],
        _ => [losses.Sum() / meanDivisor],
    };

    /// <summary>PyTorch's cross-entropy (logits) or NLL on class indices, label smoothing and weighted mean included.</summary>
    internal static double[] ClassLoss(double[] x, double[] target, double[]? weight, int[] shape, int ignoreIndex,
        double smoothing, Reduction reduction, bool logits)
    {
        var (n, c, inner) = Layout(shape);
        var losses = new double[n * inner];
        double weightSum = 0;
        for (int i = 0; i < n; i++)
        for (int j = 0; j < inner; j++)
        {
            double t = target[i * inner + j];
            if (t == ignoreIndex) continue;
            double[] lp = LogProbs(x, c, inner, i, j, logits);
            int cls = (int)t;
            double wt = weight?[cls] ?? 1, smooth = 0;
            for (int k = 0; k < c; k++) smooth += (weight?[k] ?? 1) * lp[k];
            losses[i * inner + j] = -(1 - smoothing) * wt * lp[cls] - smoothing / c * smooth;
            weightSum += wt;
        }
        return Reduced(losses, reduction, weightSum);
    }

    /// <summary>Cross-entropy (logits) or NLL against class probabilities of the input's shape.</summary>
    internal static double[] SoftLoss(double[] x, double[] target, double[]? weight, int[] shape, double smoothing,
        Reduction reduction, bool logits)
    {
        var (n, c, inner) = Layout(shape);
        var losses = new double[n * inner];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < inner; j++)
        {
            double[] lp = LogProbs(x, c, inner, i, j, logits);
            for (int k = 0; k < c; k++)
            {
                double t = target[(i * c + k) * inner + j] * (1 - smoothing) + smoothing / c;
                losses[i * inner + j] -= (weight?[k] ?? 1) * t * lp[k];
            }
        }
        return Reduced(losses, reduction, n * inner);
    }

    private static float[] ClassTargets(int seed, int count, int classes, int ignoredAt = -1, int ignoreIndex = -100)
    {
        var rng = new Random(seed);
        float[] t = Enumerable.Range(0, count).Select(_ => (float)rng.Next(classes)).ToArray();
        if (ignoredAt >= 0) t[ignoredAt] = ignoreIndex;
        return t;
    }

    private static int[] TargetShape(int[] input) => input.Length == 1 ? [] : [input[0], .. input[2..]];

    // ---- cross-entropy and NLL on class indices ----

    public static TheoryData<int[], Reduction, bool, float> ClassCases()
    {
        var data = new TheoryData<int[], Reduction, bool, float>();
        foreach (int[] shape in new[] { new[] { 6, 5 }, [2, 4, 3, 5], [5] })
        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        foreach (bool weighted in new[] { false, true })
        foreach (float smoothing in new[] { 0f, 0.2f })
            data.Add(shape, reduction, weighted, smoothing);
        return data;
    }

    [Theory]
    [MemberData(nameof(ClassCases))]
    public void Cross_entropy_on_class_indices_matches_the_reference_and_finite_differences(int[] shape, Reduction reduction, bool weighted, float smoothing)
    {
        var (n, c, inner) = Layout(shape);
        float[] x = OpCheck.Random(21, OpCheck.Count(shape), -3f, 3f);
        float[] t = ClassTargets(22, n * inner, c, ignoredAt: n * inner > 1 ? 1 : -1);
        float[] w = OpCheck.Random(23, c, 0.2f, 2f);
        float[][] inputs = weighted ? [x, t, w] : [x, t];
        int[][] shapes = weighted ? [shape, TargetShape(shape), [c]] : [shape, TargetShape(shape)];
        OpCheck.Check(
            v => Tensor.CrossEntropy(v[0], v[1], weighted ? v[2] : null, reduction: reduction, labelSmoothing: smoothing),
            v => ClassLoss(v[0], v[1], weighted ? v[2] : null, shape, -100, smoothing, reduction, logits: true),
            inputs, shapes, gradInputs: weighted ? [true, false, false] : [true, false]);
    }

    public static TheoryData<int[], Reduction, bool> NllCases()
    {
        var data = new TheoryData<int[], Reduction, bool>();
        foreach (int[] shape in new[] { new[] { 6, 5 }, [2, 4, 3, 5], [5] })
        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        foreach (bool weighted in new[] { false, true })
            data.Add(shape, reduction, weighted);
        return data;
    }

    [Theory]
    [MemberData(nameof(NllCases))]
    public void Nll_on_class_indices_matches_the_reference_and_finite_differences(int[] shape, Reduction reduction, bool weighted)
    {
        var (n, c, inner) = Layout(shape);
        float[] x = OpCheck.Random(31, OpCheck.Count(shape), -4f, -0.1f);
        float[] t = ClassTargets(32, n * inner, c, ignoredAt: n * inner > 1 ? 0 : -1);
        float[] w = OpCheck.Random(33, c, 0.2f, 2f);
        float[][] inputs = weighted ? [x, t, w] : [x, t];
        int[][] shapes = weighted ? [shape, TargetShape(shape), [c]] : [shape, TargetShape(shape)];
        OpCheck.Check(
            v => Tensor.NllLoss(v[0], v[1], weighted ? v[2] : null, reduction: reduction),
            v => ClassLoss(v[0], v[1], weighted ? v[2] : null, shape, -100, 0, reduction, logits: false),
            inputs, shapes, gradInputs: weighted ? [true, false, false] : [true, false]);
    }

    [Fact]
    public void Cross_entropy_over_many_positions_crosses_tile_boundaries()
    {
        int[] shape = [2, 3, 300];
        float[] x = OpCheck.Random(41, 1800, -3f, 3f);
        float[] t = ClassTargets(42, 600, 3, ignoredAt: 299);
        float[] w = [0.5f, 1.5f, 1f];
        OpCheck.Check(v => Tensor.CrossEntropy(v[0], v[1], v[2], labelSmoothing: 0.1f),
            v => ClassLoss(v[0], v[1], v[2], shape, -100, 0.1, Reduction.Mean, logits: true),
            [x, t, w], [shape, [2, 300], [3]], gradInputs: [true, false, false]);
    }

    [Fact]
    public void An_ignore_index_inside_the_class_range_drops_those_targets()
    {
        int[] shape = [5, 4];
        float[] x = OpCheck.Random(51, 20, -2f, 2f);
        float[] t = [2, 0, 2, 3, 1];
        OpCheck.Check(v => Tensor.CrossEntropy(v[0], v[1], ignoreIndex: 2),
            v => ClassLoss(v[0], v[1], null, shape, 2, 0, Reduction.Mean, logits: true),
            [x, t], [shape, [5]], gradInputs: [true, false]);
    }

    [Fact]
    public void Cross_entropy_matches_values_pytorch_prints()
    {
        using var logits = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        using var target = Tensor.FromArray([0f], 1);
        using var loss = Tensor.CrossEntropy(logits, target);
        Assert.Equal(2.4076059644443806, loss.Item(), 5);  // torch.nn.functional.cross_entropy(torch.tensor([[1., 2, 3]]), torch.tensor([0]))
        Assert.Empty(loss.Shape);

        // Weighted mean: Σ w[t]·loss / Σ w[t] = (1·ln2 + 3·ln2) / 4 = ln 2, not the plain mean 2·ln 2.
        using var zeros = Tensor.Zeros(2, 2);
        using var classes = Tensor.FromArray([0f, 1f], 2);
        using var w = Tensor.FromArray([1f, 3f], 2);
        using var mean = Tensor.CrossEntropy(zeros, classes, w);
        using var sum = Tensor.CrossEntropy(zeros, classes, w, reduction: Reduction.Sum);
        Assert.Equal(Math.Log(2), mean.Item(), 6);
        Assert.Equal(4 * Math.Log(2), sum.Item(), 5);
    }

    [Fact]
    public void The_fused_backward_is_softmax_minus_one_hot_over_n()
    {
        float[] x = OpCheck.Random(61, 12, -2f, 2f);
        using var logits = Tensor.FromArray(x, 3, 4);
        logits.RequiresGrad = true;
        using var target = Tensor.FromArray([3f, 0f, 1f], 3);
        using (var loss = Tensor.CrossEntropy(logits, target)) loss.Backward();
        using var p = logits.Detach().Softmax(1);
        float[] expected = p.ToArray();
        foreach (var (row, cls) in new[] { (0, 3), (1, 0), (2, 1) }) expected[row * 4 + cls] -= 1f;
        float[] grad = logits.Grad!.ToArray();
        for (int i = 0; i < 12; i++) Assert.Equal(expected[i] / 3f, grad[i], 6);
        logits.Grad.Dispose();
    }

    [Fact]
    public void Every_target_ignored_gives_nan_for_the_mean_as_pytorch_does()
    {
        using var logits = Tensor.FromArray(OpCheck.Random(62, 6), 2, 3);
        using var target = Tensor.FromArray([-100f, -100f], 2);
        using var mean = Tensor.CrossEntropy(logits, target);
        using var sum = Tensor.CrossEntropy(logits, target, reduction: Reduction.Sum);
        Assert.True(float.IsNaN(mean.Item()));
        Assert.Equal(0f, sum.Item());
    }

    [Fact]
    public void Reduction_none_keeps_the_target_shape()
    {
        using var logits = Tensor.FromArray(OpCheck.Random(63, 2 * 3 * 4 * 5), 2, 3, 4, 5);
        using var target = Tensor.FromArray(ClassTargets(64, 40, 3), 2, 4, 5);
        using var loss = Tensor.CrossEntropy(logits, target, reduction: Reduction.None);
        Assert.Equal([2, 4, 5], loss.Shape);
        using var scores = Tensor.FromArray([1f, 2f, 3f], 3);
        using var one = Tensor.FromArray([2f], 1);
        using var scalar = one.Reshape();
        using var unbatched = Tensor.CrossEntropy(scores, scalar, reduction: Reduction.None);
        Assert.Empty(unbatched.Shape);
        Assert.Equal(0.40760596, unbatched.Item(), 5);
    }

    // ---- class-probability targets ----

    public static TheoryData<int[], Reduction, bool, float> SoftCases()
    {
        var data = new TheoryData<int[], Reduction, bool, float>();
        foreach (int[] shape in new[] { new[] { 4, 5 }, [2, 3, 2, 2] })
        foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            data.Add(shape, reduction, false, 0f);
            data.Add(shape, reduction, true, 0.3f);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SoftCases))]
    public void Cross_entropy_on_class_probabilities_matches_the_reference_for_input_and_target(int[] shape, Reduction reduction, bool weighted, float smoothing)
    {
        int c = Layout(shape).C;
        float[] x = OpCheck.Random(71, OpCheck.Count(shape), -3f, 3f);
        float[] t = OpCheck.Random(72, OpCheck.Count(shape), 0f, 1f);
        float[] w = OpCheck.Random(73, c, 0.2f, 2f);
        float[][] inputs = weighted ? [x, t, w] : [x, t];
        int[][] shapes = weighted ? [shape, shape, [c]] : [shape, shape];
        OpCheck.Check(
            v => Tensor.CrossEntropy(v[0], v[1], weighted ? v[2] : null, reduction: reduction, labelSmoothing: smoothing),
            v => SoftLoss(v[0], v[1], weighted ? v[2] : null, shape, smoothing, reduction, logits: true),
            inputs, shapes, gradInputs: weighted ? [true, true, false] : [true, true]);
    }

    [Fact]
    public void Nll_on_class_probabilities_is_the_weighted_negative_dot_product()
    {
        int[] shape = [3, 4];
        float[] x = OpCheck.Random(74, 12, -3f, -0.1f), t = OpCheck.Random(75, 12, 0f, 1f), w = [1f, 2f, 0.5f, 1.5f];
        OpCheck.Check(v => Tensor.NllLoss(v[0], v[1], v[2]),
            v => SoftLoss(v[0], v[1], v[2], shape, 0, Reduction.Mean, logits: false),
            [x, t, w], [shape, shape, [4]], gradInputs: [true, true, false]);
    }

    // ---- MSE, L1 ----

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Mse_and_l1_match_their_formulas(Reduction reduction)
    {
        int[] shape = [3, 4, 2];
        float[] a = OpCheck.Random(81, 24, -2f, 2f), b = OpCheck.Random(82, 24, -2f, 2f);
        OpCheck.Check(v => Tensor.MseLoss(v[0], v[1], reduction),
            v => Reduced(v[0].Zip(v[1], (p, q) => (p - q) * (p - q)).ToArray(), reduction, 24), [a, b], [shape, shape]);
        OpCheck.Check(v => Tensor.L1Loss(v[0], v[1], reduction),
            v => Reduced(v[0].Zip(v[1], (p, q) => Math.Abs(p - q)).ToArray(), reduction, 24), [a, b], [shape, shape]);
    }

    // ---- binary cross-entropy ----

    private static double[] Bce(double[] x, double[] t, double[]? w, int period, Reduction reduction)
    {
        var l = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            l[i] = -(w?[i % period] ?? 1) * (t[i] * Math.Max(Math.Log(x[i]), -100) + (1 - t[i]) * Math.Max(Math.Log(1 - x[i]), -100));
        return Reduced(l, reduction, x.Length);
    }

    private static double SoftplusNeg(double x) => Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double[] BceLogits(double[] x, double[] t, double[]? w, double[]? pw, int period, Reduction reduction)
    {
        var l = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double p = pw?[i % period] ?? 1;
            l[i] = (w?[i % period] ?? 1) * ((1 - t[i]) * x[i] + (1 + (p - 1) * t[i]) * SoftplusNeg(x[i]));
        }
        return Reduced(l, reduction, x.Length);
    }

    [Theory]
    [InlineData(Reduction.Mean, false)]
    [InlineData(Reduction.Sum, true)]
    [InlineData(Reduction.None, true)]
    public void Bce_matches_the_formula_for_input_and_target(Reduction reduction, bool weighted)
    {
        int[] shape = [4, 3];
        float[] x = OpCheck.Random(91, 12, 0.05f, 0.95f), t = OpCheck.Random(92, 12, 0f, 1f), w = [0.5f, 1f, 2f];
        float[][] inputs = weighted ? [x, t, w] : [x, t];
        int[][] shapes = weighted ? [shape, shape, [3]] : [shape, shape];
        OpCheck.Check(v => Tensor.BinaryCrossEntropy(v[0], v[1], weighted ? v[2] : null, reduction),
            v => Bce(v[0], v[1], weighted ? v[2] : null, 3, reduction), inputs, shapes,
            gradInputs: weighted ? [true, true, false] : [true, true]);
    }

    [Fact]
    public void Bce_clamps_its_logs_so_saturated_probabilities_stay_finite()
    {
        using var x = Tensor.FromArray([0f, 1f, 0f, 1f], 4);
        x.RequiresGrad = true;
        using var t = Tensor.FromArray([1f, 0f, 0f, 1f], 4);
        using var loss = Tensor.BinaryCrossEntropy(x, t, reduction: Reduction.None);
        Assert.Equal([100f, 100f, 0f, 0f], loss.ToArray());
        using var total = loss.Sum();
        total.Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g), $"gradient {g} is not finite"));
        Assert.Equal([-1e12f, 1e12f, 0f, 0f], x.Grad!.ToArray());  // PyTorch: (x − t) / max(x(1 − x), 1e-12)
        x.Grad.Dispose();
    }

    [Theory]
    [InlineData(Reduction.Mean, false, false)]
    [InlineData(Reduction.Sum, true, false)]
    [InlineData(Reduction.None, false, true)]
    [InlineData(Reduction.Mean, true, true)]
    public void Bce_with_logits_matches_the_formula_incl_pos_weight(Reduction reduction, bool weighted, bool positive)
    {
        int[] shape = [4, 3];
        float[] x = OpCheck.Random(93, 12, -4f, 4f), t = OpCheck.Random(94, 12, 0f, 1f);
        float[] w = [0.5f, 1f, 2f], pw = [3f, 0.5f, 1.5f];
        var inputs = new List<float[]> { x, t };
        var shapes = new List<int[]> { shape, shape };
        var grads = new List<bool> { true, true };
        if (weighted) { inputs.Add(w); shapes.Add([3]); grads.Add(false); }
        if (positive) { inputs.Add(pw); shapes.Add([3]); grads.Add(true); }
        int pwAt = weighted ? 3 : 2;
        OpCheck.Check(v => Tensor.BinaryCrossEntropyWithLogits(v[0], v[1], weighted ? v[2] : null, reduction, positive ? v[pwAt] : null),
            v => BceLogits(v[0], v[1], weighted ? v[2] : null, positive ? v[pwAt] : null, 3, reduction),
            inputs.ToArray(), shapes.ToArray(), gradInputs: grads.ToArray());
    }

    [Fact]
    public void Bce_with_logits_is_stable_at_large_logits()
    {
        using var x = Tensor.FromArray([100f, -100f, 100f, -100f, 1000f], 5);
        using var t = Tensor.FromArray([1f, 1f, 0f, 0f, 1f], 5);
        using var loss = Tensor.BinaryCrossEntropyWithLogits(x, t, reduction: Reduction.None);
        float[] v = loss.ToArray();
        Assert.All(v, value => Assert.True(float.IsFinite(value)));
        Assert.Equal(0f, v[0], 6);
        Assert.Equal(100f, v[1], 4);
        Assert.Equal(100f, v[2], 4);
        Assert.Equal(0f, v[3], 6);
        Assert.Equal(0f, v[4]);
    }

    [Fact]
    public void Pos_weight_broadcasts_over_channels_of_an_image()
    {
        // [N, C, H, W] logits with pos_weight [C, 1, 1]: its gradient sums over N, H and W.
        int[] shape = [2, 3, 2, 2];
        float[] x = OpCheck.Random(95, 24, -3f, 3f), t = OpCheck.Random(96, 24, 0f, 1f), pw = [2f, 0.5f, 1.5f];
        OpCheck.Check(v => Tensor.BinaryCrossEntropyWithLogits(v[0], v[1], posWeight: v[2]),
            v =>
            {
                var full = new double[24];
                for (int i = 0; i < 24; i++) full[i] = v[2][i / 4 % 3];
                return BceLogits(v[0], v[1], null, full, 24, Reduction.Mean);
            },
            [x, t, pw], [shape, shape, [3, 1, 1]]);
    }

    // ---- modules ----

    [Fact]
    public void Loss_modules_match_the_functions_and_run_forward_hooks()
    {
        using var logits = Tensor.FromArray(OpCheck.Random(101, 12), 3, 4);
        using var target = Tensor.FromArray([1f, 3f, 0f], 3);
        using var weight = Tensor.FromArray([1f, 2f, 3f, 4f], 4);
        using var lossFn = new CrossEntropyLoss(weight, ignoreIndex: 3, labelSmoothing: 0.1f);
        Module? seenModule = null;
        Tensor? seenInput = null;
        using var hook = lossFn.RegisterForwardHook((m, input, _) => { seenModule = m; seenInput = input; });
        using var a = lossFn.Forward(logits, target);
        using var b = Tensor.CrossEntropy(logits, target, weight, 3, Reduction.Mean, 0.1f);
        Assert.Equal(b.Item(), a.Item());
        Assert.Same(lossFn, seenModule);
        Assert.Same(logits, seenInput);

        var e = Assert.Throws<InvalidOperationException>(() => lossFn.Forward(logits));
        Assert.Equal("CrossEntropyLoss needs a target: call Forward(input, target).", e.Message);

        // The weight is the module's own copy, registered as the buffer "weight".
        Assert.Equal(["weight"], lossFn.NamedBuffers().Select(x => x.Name));
        Assert.NotSame(weight, lossFn.Weight);
        Assert.Equal(weight.ToArray(), lossFn.Weight!.ToArray());

        using var p = Tensor.FromArray([0.2f, 0.9f], 2);
        using var q = Tensor.FromArray([0f, 1f], 2);
        using var bce = new BCELoss().Forward(p, q);
        using var bceF = Tensor.BinaryCrossEntropy(p, q);
        Assert.Equal(bceF.Item(), bce.Item());
        using var posWeight = Tensor.FromArray([2f, 3f], 2);
        var withLogits = new BCEWithLogitsLoss(reduction: Reduction.Sum, posWeight: posWeight);
        Assert.Equal(["pos_weight"], withLogits.NamedBuffers().Select(x => x.Name));
        using var l1 = withLogits.Forward(p, q);
        using var l2 = Tensor.BinaryCrossEntropyWithLogits(p, q, null, Reduction.Sum, posWeight);
        Assert.Equal(l2.Item(), l1.Item());
        withLogits.Dispose();
        Assert.False(posWeight.IsDisposed);
        using var mse = new MSELoss(Reduction.Sum).Forward(p, q);
        Assert.Equal(0.2f * 0.2f + 0.1f * 0.1f, mse.Item(), 6);
        using var l1Loss = new L1Loss().Forward(p, q);
        Assert.Equal(0.15f, l1Loss.Item(), 6);
        using var nll = new NLLLoss().Forward(logits, target);
        using var nllF = Tensor.NllLoss(logits, target);
        Assert.Equal(nllF.Item(), nll.Item());
        Assert.Equal("MSELoss(reduction=sum)", new MSELoss(Reduction.Sum).ToString());
        Assert.Equal("CrossEntropyLoss()", new CrossEntropyLoss().ToString());
    }

    [Fact]
    public void A_classifier_step_inside_a_scope_fills_the_parameter_gradients()
    {
        using var model = new Linear(4, 3, generator: new Generator(1));
        var lossFn = new CrossEntropyLoss();
        float before;
        using (var scope = Tensor.Scope())
        {
            var x = Tensor.FromArray(OpCheck.Random(111, 8), 2, 4);
            var y = Tensor.FromArray([2f, 0f], 2);
            var loss = lossFn.Forward(model.Forward(x), y);
            before = loss.Item();
            loss.Backward();
        }
        Assert.True(float.IsFinite(before));
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Contains(model.Weight.Grad!.ToArray(), g => g != 0f);
    }

    // ---- bad input ----

    [Fact]
    public void A_target_index_out_of_range_names_the_value_its_position_and_the_class_count()
    {
        using var logits = Tensor.Zeros(3, 5);
        using var target = Tensor.FromArray([0f, 7f, 2f], 3);
        var e = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, target));
        Assert.Equal("target", e.ParamName);
        Assert.Equal("CrossEntropyLoss: target 7 at position [1] is out of range; with 5 classes a target must be a class index from 0 to 4 (or ignoreIndex, -100). (Parameter 'target')", e.Message);

        using var lossFn = new CrossEntropyLoss();
        var e2 = Assert.Throws<ArgumentException>(() => lossFn.Forward(logits, target));
        Assert.Equal(e.Message, e2.Message);
    }

    [Fact]
    public void A_negative_target_index_is_named_as_negative()
    {
        using var logits = Tensor.Zeros(3, 5);
        using var target = Tensor.FromArray([0f, 1f, -1f], 3);
        var e = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, target));
        Assert.StartsWith("CrossEntropyLoss: target -1 at position [2] is negative; with 5 classes a target must be a class index from 0 to 4 (or ignoreIndex, -100).", e.Message);
        var nll = Assert.Throws<ArgumentException>(() => Tensor.NllLoss(logits, target));
        Assert.StartsWith("NLLLoss: target -1 at position [2] is negative;", nll.Message);
    }

    [Fact]
    public void Bad_targets_are_found_wherever_they_are_and_reported_with_their_multi_index()
    {
        using var logits = Tensor.Zeros(2, 3, 2, 2);
        float[] values = new float[8];
        values[5] = 2.5f;  // [1, 0, 1]
        using var fractional = Tensor.FromArray(values, 2, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, fractional));
        Assert.StartsWith("CrossEntropyLoss: target 2.5 at position [1, 0, 1] is not a whole number; with 3 classes", e.Message);

        // Past the vector loop's first blocks and in its tail.
        foreach (int at in new[] { 777, 998 })
        {
            float[] many = ClassTargets(5, 999, 4);
            many[at] = at == 777 ? float.NaN : 4f;
            using var big = Tensor.FromArray(many, 999);
            using var scores = Tensor.Zeros(999, 4);
            var e2 = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(scores, big));
            Assert.StartsWith($"CrossEntropyLoss: target {(at == 777 ? "NaN" : "4")} at position [{at}] {(at == 777 ? "is not a number" : "is out of range")}", e2.Message);
        }
    }

    [Fact]
    public void A_target_of_the_wrong_shape_names_both_shapes()
    {
        using var logits = Tensor.Zeros(3, 5);
        using var target = Tensor.Zeros(4);
        var e = Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, target));
        Assert.Equal("CrossEntropyLoss: the target has shape [4], but an input of shape [3, 5] needs class indices of shape [3] or class probabilities of shape [3, 5]. (Parameter 'target')", e.Message);

        using var image = Tensor.Zeros(2, 3, 4, 4);
        using var flat = Tensor.Zeros(2, 16);
        Assert.StartsWith("CrossEntropyLoss: the target has shape [2, 16], but an input of shape [2, 3, 4, 4] needs class indices of shape [2, 4, 4]",
            Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(image, flat)).Message);

        using var a = Tensor.Zeros(2, 3);
        using var b = Tensor.Zeros(3, 2);
        Assert.StartsWith("MSELoss: the target has shape [3, 2], but the input has shape [2, 3]; they must be the same.",
            Assert.Throws<ArgumentException>(() => Tensor.MseLoss(a, b)).Message);
        Assert.StartsWith("BCELoss: the target has shape [3, 2]",
            Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(a, b)).Message);
        Assert.StartsWith("BCEWithLogitsLoss: the target has shape [3, 2]",
            Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(a, b)).Message);
    }

    [Fact]
    public void Other_bad_arguments_are_refused_with_what_was_wrong()
    {
        using var logits = Tensor.Zeros(3, 5);
        using var target = Tensor.Zeros(3);
        using var weight = Tensor.Ones(4);
        Assert.StartsWith("CrossEntropyLoss: weight has shape [4], but the input of shape [3, 5] has 5 classes; it needs one weight per class, shape [5].",
            Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, target, weight)).Message);
        Assert.StartsWith("CrossEntropyLoss: labelSmoothing must be in [0, 1], but is 1.5.",
            Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, target, labelSmoothing: 1.5f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: -0.1f));
        using var probs = Tensor.Zeros(3, 5);
        Assert.StartsWith("CrossEntropyLoss: ignoreIndex (0) is not supported with class-probability targets",
            Assert.Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, probs, ignoreIndex: 0)).Message);

        using var p = Tensor.FromArray([0.5f, 1.5f], 2);
        using var q = Tensor.FromArray([0f, 1f], 2);
        var e = Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(p, q));
        Assert.Equal("input", e.ParamName);
        Assert.StartsWith("BCELoss: input value 1.5 at position [1] is outside [0, 1]; BCELoss takes probabilities (apply Sigmoid first, or use BCEWithLogitsLoss on logits).", e.Message);
        using var p2 = Tensor.FromArray([0.5f, 0.5f], 2);
        using var q2 = Tensor.FromArray([0f, -0.5f], 2);
        Assert.StartsWith("BCELoss: target value -0.5 at position [1] is outside [0, 1].",
            Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(p2, q2)).Message);
        using var badWeight = Tensor.Ones(3);
        Assert.StartsWith("BCELoss: weight of shape [3] does not broadcast to the input's shape [2].",
            Assert.Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(p2, q, badWeight)).Message);
    }
}
