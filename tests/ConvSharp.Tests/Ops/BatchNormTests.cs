using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class BatchNormTests
{
    /// <summary>Per-channel statistics of an [N, C, ...] input: mean, biased and unbiased variance.</summary>
    private static (double[] Mean, double[] Biased, double[] Unbiased) Statistics(double[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], l = x.Length / (n * c), m = n * l;
        double[] mean = new double[c], biased = new double[c], unbiased = new double[c];
        for (int k = 0; k < c; k++)
        {
            double s = 0, q = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) s += x[(i * c + k) * l + j];
            mean[k] = s / m;
            for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) q += Math.Pow(x[(i * c + k) * l + j] - mean[k], 2);
            biased[k] = q / m;
            unbiased[k] = q / (m - 1);
        }
        return (mean, biased, unbiased);
    }

    /// <summary>y = (x − mean)/√(var + eps)·γ + β per channel; batch statistics (biased variance) unless running ones are given.</summary>
    internal static double[] Reference(double[] x, int[] shape, double[]? gamma, double[]? beta,
        double[]? runningMean = null, double[]? runningVar = null, double eps = 1e-5)
    {
        int n = shape[0], c = shape[1], l = x.Length / (n * c);
        var (mean, variance, _) = runningMean is null ? Statistics(x, shape) : (runningMean, runningVar!, runningVar!);
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
        for (int k = 0; k < c; k++)
        for (int j = 0; j < l; j++)
        {
            int at = (i * c + k) * l + j;
            y[at] = (x[at] - mean[k]) / Math.Sqrt(variance[k] + eps) * (gamma?[k] ?? 1) + (beta?[k] ?? 0);
        }
        return y;
    }

    public static TheoryData<int[], bool> Shapes() => new()
    {
        { [6, 4], true }, { [6, 4], false }, { [3, 4, 5], true }, { [2, 3, 4, 5], true }, { [2, 3, 4, 5], false }, { [5, 2, 1, 1], true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Training_mode_matches_the_reference_and_finite_differences(int[] shape, bool affine)
    {
        int c = shape[1];
        float[] x = OpCheck.Random(201 + shape.Length, OpCheck.Count(shape), -2f, 3f);
        float[] gamma = OpCheck.Random(202, c, 0.5f, 2f), beta = OpCheck.Random(203, c, -1f, 1f);
        if (affine)
            OpCheck.Check(t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true),
                v => Reference(v[0], shape, v[1], v[2]), [x, gamma, beta], [shape, [c], [c]], forwardTolerance: 1e-4);
        else
            OpCheck.Check(t => Tensor.BatchNorm(t[0], null, null, training: true),
                v => Reference(v[0], shape, null, null), [x], [shape], forwardTolerance: 1e-4);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Evaluation_mode_matches_the_reference_and_finite_differences(int[] shape, bool affine)
    {
        int c = shape[1];
        float[] x = OpCheck.Random(211, OpCheck.Count(shape), -2f, 3f);
        float[] gamma = OpCheck.Random(212, c, 0.5f, 2f), beta = OpCheck.Random(213, c, -1f, 1f);
        float[] mean = OpCheck.Random(214, c, -1f, 1f), variance = OpCheck.Random(215, c, 0.2f, 3f);
        float[][] inputs = affine ? [x, mean, variance, gamma, beta] : [x, mean, variance];
        int[][] shapes = affine ? [shape, [c], [c], [c], [c]] : [shape, [c], [c]];
        OpCheck.Check(t => Tensor.BatchNorm(t[0], t[1], t[2], affine ? t[3] : null, affine ? t[4] : null, training: false),
            v => Reference(v[0], shape, affine ? v[3] : null, affine ? v[4] : null, v[1], v[2]),
            inputs, shapes, forwardTolerance: 1e-5, gradInputs: affine ? [true, false, false, true, true] : [true, false, false]);
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(null)]
    public void Running_statistics_follow_pytorchs_update_with_the_unbiased_variance(float? momentum)
    {
        int[] shape = [4, 3, 2, 2];
        using var bn = new BatchNorm2d(3, momentum: momentum);
        double[] runningMean = [0, 0, 0], runningVar = [1, 1, 1];
        for (int step = 1; step <= 5; step++)
        {
            float[] x = OpCheck.Random(220 + step, 48, -1f + step, 2f + 2 * step);
            using (var input = Tensor.FromArray(x, shape))
            using (var y = bn.Forward(input)) { }
            var (mean, _, unbiased) = Statistics(x.Select(v => (double)v).ToArray(), shape);
            double factor = momentum ?? 1.0 / step;
            for (int k = 0; k < 3; k++)
            {
                runningMean[k] = (1 - factor) * runningMean[k] + factor * mean[k];
                runningVar[k] = (1 - factor) * runningVar[k] + factor * unbiased[k];
            }
            OpCheck.AssertClose(runningMean, bn.RunningMean!.ToArray(), 1e-5, $"running_mean after step {step}");
            OpCheck.AssertClose(runningVar, bn.RunningVar!.ToArray(), 1e-5, $"running_var after step {step}");
            Assert.Equal(step, bn.NumBatchesTracked!.Item());
        }
        Assert.Empty(bn.NumBatchesTracked!.Shape);
    }

    [Fact]
    public void Evaluation_mode_normalises_with_the_running_statistics_and_leaves_them_alone()
    {
        int[] shape = [3, 2, 4];
        using var bn = new BatchNorm1d(2);
        bn.Weight!.CopyFrom([1.5f, 0.5f]);
        bn.Bias!.CopyFrom([0.25f, -1f]);
        for (int step = 0; step < 3; step++)
        {
            using var input = Tensor.FromArray(OpCheck.Random(230 + step, 24, -2f, 4f), shape);
            using var y = bn.Forward(input);
        }
        float[] mean = bn.RunningMean!.ToArray(), variance = bn.RunningVar!.ToArray();

        bn.Eval();
        float[] x = OpCheck.Random(239, 24, -2f, 4f);
        using var evalInput = Tensor.FromArray(x, shape);
        using var output = bn.Forward(evalInput);
        double[] expected = Reference(x.Select(v => (double)v).ToArray(), shape, [1.5, 0.5], [0.25, -1],
            mean.Select(v => (double)v).ToArray(), variance.Select(v => (double)v).ToArray());
        OpCheck.AssertClose(expected, output.ToArray(), 1e-5, "eval output");
        Assert.Equal(mean, bn.RunningMean!.ToArray());
        Assert.Equal(variance, bn.RunningVar!.ToArray());
        Assert.Equal(3f, bn.NumBatchesTracked!.Item());

        // One sample per channel is fine in evaluation.
        using var single = Tensor.FromArray([1f, 2f], 1, 2);
        using var one = new BatchNorm1d(2).Eval().Forward(single);
        Assert.Equal(2, one.Numel);
    }

    [Fact]
    public void Module_gradients_reach_gamma_and_beta()
    {
        using var bn = new BatchNorm2d(2);
        using var x = Tensor.FromArray(OpCheck.Random(241, 2 * 2 * 3 * 3, -1f, 1f), 2, 2, 3, 3);
        x.RequiresGrad = true;
        using var w = Tensor.FromArray(OpCheck.Random(242, 36), 2, 2, 3, 3);
        using (var y = bn.Forward(x))
        using (var loss = (y * w).Sum())
            loss.Backward();
        Assert.NotNull(bn.Weight!.Grad);
        Assert.NotNull(bn.Bias!.Grad);
        Assert.NotNull(x.Grad);
        // dβ = Σ dy over each channel.
        float[] wv = w.ToArray();
        for (int k = 0; k < 2; k++)
        {
            double s = 0;
            for (int i = 0; i < 2; i++) for (int j = 0; j < 9; j++) s += wv[(i * 2 + k) * 9 + j];
            Assert.Equal(s, bn.Bias.Grad!.ToArray()[k], 5);
        }
        // In training mode the input gradient of each channel sums to zero (the mean is subtracted).
        float[] dx = x.Grad!.ToArray();
        for (int k = 0; k < 2; k++)
        {
            double s = 0;
            for (int i = 0; i < 2; i++) for (int j = 0; j < 9; j++) s += dx[(i * 2 + k) * 9 + j];
            Assert.Equal(0, s, 5);
        }
        x.Grad.Dispose();
    }

    [Fact]
    public void Parameters_and_buffers_have_pytorchs_names_and_initial_values()
    {
        using var model = new Sequential(new Linear(4, 3), new BatchNorm1d(3));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(["1.running_mean", "1.running_var", "1.num_batches_tracked"], model.NamedBuffers().Select(b => b.Name));
        var bn = (BatchNorm1d)model[1];
        Assert.Equal([1f, 1f, 1f], bn.Weight!.ToArray());
        Assert.Equal([0f, 0f, 0f], bn.Bias!.ToArray());
        Assert.Equal([0f, 0f, 0f], bn.RunningMean!.ToArray());
        Assert.Equal([1f, 1f, 1f], bn.RunningVar!.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        Assert.Equal(6, model.ParameterCount() - 15);
        Assert.Equal("BatchNorm1d(3, eps=1E-05, momentum=0.1, affine=True, track_running_stats=True)", bn.ToString());

        using var plain = new BatchNorm2d(5, affine: false, trackRunningStats: false);
        Assert.Empty(plain.NamedParameters());
        Assert.Empty(plain.NamedBuffers());
        Assert.Null(plain.RunningMean);
    }

    [Fact]
    public void Without_running_statistics_evaluation_uses_the_batch_statistics()
    {
        int[] shape = [3, 2, 2, 2];
        float[] x = OpCheck.Random(251, 24, -1f, 2f);
        using var bn = new BatchNorm2d(2, trackRunningStats: false);
        bn.Eval();
        using var input = Tensor.FromArray(x, shape);
        using var y = bn.Forward(input);
        OpCheck.AssertClose(Reference(x.Select(v => (double)v).ToArray(), shape, null, null), y.ToArray(), 1e-4, "eval without running stats");
    }

    [Fact]
    public void Large_offsets_keep_their_precision()
    {
        int[] shape = [8, 2, 4, 4];
        float[] x = OpCheck.Random(252, 256, -1f, 1f).Select(v => 1000f + v).ToArray();
        using var input = Tensor.FromArray(x, shape);
        using var y = Tensor.BatchNorm(input, null, null, training: true);
        OpCheck.AssertClose(Reference(x.Select(v => (double)v).ToArray(), shape, null, null), y.ToArray(), 1e-3, "offset input");
    }

    [Fact]
    public void A_channel_mismatch_names_the_expected_and_actual_channels()
    {
        using var bn = new BatchNorm2d(16);
        using var x = Tensor.Zeros(2, 8, 5, 5);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(x));
        Assert.Equal("input", e.ParamName);
        Assert.Equal("BatchNorm2d(16) expects 16 channels in dimension 1, but the input has 8 (shape [2, 8, 5, 5]). (Parameter 'input')", e.Message);
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());

        using var mean = Tensor.Zeros(3);
        using var variance = Tensor.Ones(3);
        using var y = Tensor.Zeros(2, 4);
        Assert.StartsWith("BatchNorm: runningMean has shape [3], but the input of shape [2, 4] has 4 channels; it needs shape [4].",
            Assert.Throws<ArgumentException>(() => Tensor.BatchNorm(y, mean, variance)).Message);
    }

    [Fact]
    public void Wrong_ranks_and_single_values_per_channel_are_refused()
    {
        using var bn2 = new BatchNorm2d(4);
        using var flat = Tensor.Zeros(2, 4);
        Assert.StartsWith("BatchNorm2d expects a 4-D [N, C, H, W] input, but got shape [2, 4].",
            Assert.Throws<ArgumentException>(() => bn2.Forward(flat)).Message);
        using var bn1 = new BatchNorm1d(4);
        using var image = Tensor.Zeros(2, 4, 3, 3);
        Assert.StartsWith("BatchNorm1d expects a 2-D [N, C] or 3-D [N, C, L] input, but got shape [2, 4, 3, 3].",
            Assert.Throws<ArgumentException>(() => bn1.Forward(image)).Message);
        using var single = Tensor.Zeros(1, 4);
        Assert.StartsWith("BatchNorm1d: expected more than 1 value per channel when training, but the input of shape [1, 4] has 1.",
            Assert.Throws<ArgumentException>(() => bn1.Forward(single)).Message);
        Assert.Equal(0f, bn1.NumBatchesTracked!.Item());
        Assert.StartsWith("momentum must be in [0, 1] (or null for a cumulative average), but is 1.5.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(4, momentum: 1.5f)).Message);
        using var x = Tensor.Ones(2, 4);
        Assert.StartsWith("BatchNorm: eps must not be negative, but is -0.5.",
            Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.BatchNorm(x, null, null, training: true, eps: -0.5f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
    }
}
