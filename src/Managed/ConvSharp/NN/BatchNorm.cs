using System.Globalization;

namespace ConvSharp.NN;

/// <summary>What <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> share (PyTorch's <c>_BatchNorm</c>):
/// per-channel normalisation with learnable γ ("weight", initialised to 1) and β ("bias", 0), and the
/// buffers "running_mean" (0), "running_var" (1) and "num_batches_tracked" (0, a float scalar).
/// Training normalises with the batch statistics and updates the running ones; evaluation uses the running
/// ones (or the batch statistics when they are not tracked).</summary>
public abstract class BatchNormBase : Module
{
    /// <summary>Registers the parameters and buffers of a layer over <paramref name="numFeatures"/> channels.</summary>
    private protected BatchNormBase(int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats)
    {
        Guard.Positive(numFeatures);
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), eps, $"eps must not be negative, but is {eps.ToString(CultureInfo.InvariantCulture)}.");
        if (momentum is float m && !(m >= 0f && m <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"momentum must be in [0, 1] (or null for a cumulative average), but is {m.ToString(CultureInfo.InvariantCulture)}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        Weight = RegisterParameter("weight", affine ? new Parameter(numFeatures) : null);
        Bias = RegisterParameter("bias", affine ? new Parameter(numFeatures) : null);
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.OwnedFull(Device.Cpu, [numFeatures], 0f));
            RunningVar = RegisterBuffer("running_var", Tensor.OwnedFull(Device.Cpu, [numFeatures], 1f));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.OwnedFull(Device.Cpu, [], 0f));
        }
        ResetParameters();
    }

    /// <summary>The number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <summary>The weight of the new batch statistic in the running ones; null for a cumulative average
    /// (1/num_batches_tracked).</summary>
    public float? Momentum { get; }

    /// <summary>Whether the layer has γ and β.</summary>
    public bool Affine { get; }

    /// <summary>Whether running statistics are kept.</summary>
    public bool TrackRunningStats { get; }

    /// <summary>γ [C], or null without <see cref="Affine"/>.</summary>
    public Parameter? Weight { get; }

    /// <summary>β [C], or null without <see cref="Affine"/>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The running mean [C], or null without <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running (unbiased) variance [C], or null without <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training forwards so far (a 0-dimensional float tensor), or null without <see cref="TrackRunningStats"/>.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Running mean 0, running variance 1, batch count 0.</summary>
    public void ResetRunningStats()
    {
        RunningMean?.FillInPlace(0f);
        RunningVar?.FillInPlace(1f);
        NumBatchesTracked?.FillInPlace(0f);
    }

    /// <summary>The running statistics reset, γ = 1 and β = 0.</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        Weight?.FillInPlace(1f);
        Bias?.FillInPlace(0f);
    }

    /// <summary>Throws unless <paramref name="input"/> has a rank this layer takes.</summary>
    private protected abstract void CheckRank(Tensor input);

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        CheckRank(input);
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException(
                $"{GetType().Name}({NumFeatures}) expects {NumFeatures} channels in dimension 1, but the input has {input.Size(1)} (shape {Guard.Format(input.ShapeSpan)}).",
                nameof(input));
        bool batchStatistics = IsTraining || !TrackRunningStats;
        Tensor.CheckBatchNormInput(GetType().Name, input, batchStatistics);

        float factor = Momentum ?? 0f;
        if (IsTraining && NumBatchesTracked is not null)
        {
            NumBatchesTracked.AddInPlace(1f);
            if (Momentum is null) factor = 1f / NumBatchesTracked.Item();
        }
        return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, batchStatistics, factor, Eps);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{GetType().Name}({NumFeatures}, eps={Eps.ToString(CultureInfo.InvariantCulture)}, momentum={(Momentum is float m ? m.ToString(CultureInfo.InvariantCulture) : "None")}, " +
        $"affine={(Affine ? "True" : "False")}, track_running_stats={(TrackRunningStats ? "True" : "False")})";
}

/// <summary>Batch normalisation over [N, C] or [N, C, L] (PyTorch's <c>nn.BatchNorm1d</c>).</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override void CheckRank(Tensor input)
    {
        if (input.Dim is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d expects a 2-D [N, C] or 3-D [N, C, L] input, but got shape {Guard.Format(input.ShapeSpan)}.", nameof(input));
    }
}

/// <summary>Batch normalisation over [N, C, H, W] (PyTorch's <c>nn.BatchNorm2d</c>).</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override void CheckRank(Tensor input)
    {
        if (input.Dim != 4)
            throw new ArgumentException($"BatchNorm2d expects a 4-D [N, C, H, W] input, but got shape {Guard.Format(input.ShapeSpan)}.", nameof(input));
    }
}
