using ConvSharp.Backends;

namespace ConvSharp;

// Batch normalisation (PyTorch's nn.functional.batch_norm). Letters: N batch, C channels, L the
// product of the sizes after the channel dimension ([N, C] → L = 1, [N, C, L], [N, C, H, W] → L = H·W);
// M = N·L values per channel. One fused native kernel per direction, per channel:
//   forward:  y = (x − mean)·istd·γ + β, istd = 1/√(var + eps); training uses the batch mean and the
//             biased variance and moves the running statistics toward them (the UNBIASED variance for
//             running_var); evaluation uses the running statistics.
//   backward: dγ += Σ dy·x̂, dβ += Σ dy, and
//             training:   dx += (1/M)·γ·istd·(M·dy − Σ dy − x̂·Σ dy·x̂)
//             evaluation: dx += γ·istd·dy
public partial class Tensor
{
    /// <summary>Normalises each channel (dimension 1) of <paramref name="input"/> ([N, C, ...]) and applies
    /// the optional affine <paramref name="weight"/> (γ) and <paramref name="bias"/> (β), all [C].
    /// With <paramref name="training"/> (or without running statistics) the batch statistics are used, and
    /// <paramref name="runningMean"/>/<paramref name="runningVar"/>, when given, are updated in place:
    /// running = (1 − momentum)·running + momentum·batch statistic. Otherwise the running statistics are used.</summary>
    /// <exception cref="ArgumentException">A [C] tensor has the wrong size, or training sees a single value per channel.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        const string op = "BatchNorm";
        Guard.NotNull(input);
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: pass both runningMean and runningVar, or neither.", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        if (!(momentum >= 0f && momentum <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{op}: momentum must be in [0, 1], but is {momentum.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (!(eps >= 0f))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{op}: eps must not be negative, but is {eps.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        bool batchStatistics = training || runningMean is null;
        BatchNormLayout layout = CheckBatchNormInput(op, input, batchStatistics);
        int channels = (int)layout.C;
        CheckChannelVector(op, input, runningMean, channels, nameof(runningMean));
        CheckChannelVector(op, input, runningVar, channels, nameof(runningVar));
        CheckChannelVector(op, input, weight, channels, nameof(weight));
        CheckChannelVector(op, input, bias, channels, nameof(bias));

        var y = input.NewLike(zero: false);
        var saveMean = Allocate(input.Device, [channels], zero: false, owned: true);
        var saveInvStd = Allocate(input.Device, [channels], zero: false, owned: true);
        input.Kernels.BatchNorm(layout, input.Data, weight?.Data, bias?.Data, runningMean?.Data, runningVar?.Data,
            batchStatistics, momentum, eps, y.Data, saveMean.Data, saveInvStd.Data);

        Onnx.OnnxTrace.Current?.BatchNorm(y, input, runningMean, runningVar, weight, bias, batchStatistics, eps);
        var inputs = new List<Tensor> { input };
        int weightAt = -1, biasAt = -1;
        if (weight is not null) { weightAt = inputs.Count; inputs.Add(weight); }
        if (bias is not null) { biasAt = inputs.Count; inputs.Add(bias); }
        return Record(y, op, inputs.ToArray(), (g, sink) =>
        {
            Tensor? dx = sink[0], dw = weightAt < 0 ? null : sink[weightAt], db = biasAt < 0 ? null : sink[biasAt];
            if (dx is null && dw is null && db is null) return;
            g.Kernels.BatchNormBackward(layout, input.Data, g.Data, weight?.Data, saveMean.Data, saveInvStd.Data, batchStatistics,
                dx?.Data, dw?.Data, db?.Data);
        }, saveMean, saveInvStd);
    }

    /// <summary>The (N, C, L) layout of a batch norm input, checked: at least 2 dimensions, and more than one
    /// value per channel when batch statistics are used.</summary>
    internal static BatchNormLayout CheckBatchNormInput(string op, Tensor input, bool batchStatistics)
    {
        if (input.Dim < 2)
            throw new ArgumentException($"{op} expects an input of shape [N, C, ...], but got shape {Guard.Format(input._shape)}.", nameof(input));
        long l = input.Numel / ((long)input._shape[0] * input._shape[1]);
        var layout = new BatchNormLayout(input._shape[0], input._shape[1], l);
        if (batchStatistics && layout.N * layout.L < 2)
            throw new ArgumentException(
                $"{op}: expected more than 1 value per channel when training, but the input of shape {Guard.Format(input._shape)} has 1.", nameof(input));
        return layout;
    }

    private static void CheckChannelVector(string op, Tensor input, Tensor? vector, int channels, string name)
    {
        if (vector is null) return;
        input.CheckSameDevice(vector, op);
        if (vector.Dim != 1 || vector._shape[0] != channels)
            throw new ArgumentException(
                $"{op}: {name} has shape {Guard.Format(vector._shape)}, but the input of shape {Guard.Format(input._shape)} has {channels} channels; it needs shape [{channels}].",
                name);
    }
}
