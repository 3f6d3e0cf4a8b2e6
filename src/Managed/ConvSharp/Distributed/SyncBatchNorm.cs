using ConvSharp.NN;

namespace ConvSharp.Distributed;

/// <summary>Batch normalisation whose training statistics are those of the global batch, the union of every
/// rank's batch (PyTorch's <c>nn.SyncBatchNorm</c>), over inputs [N, C, ...]. With 2 ranks of batch 8 it computes
/// what <see cref="BatchNorm2d"/> computes on the batch of 16. Evaluation uses the running statistics, like
/// BatchNorm; in a world of one it is BatchNorm's own fused kernel.
/// <para>Letters: N batch, C channels, L the size after the channel dimension, M = Σ over ranks of N·L. Forward:
/// per channel the sum Σx and the count are all-reduced for the mean, then Σ(x − mean)² for the biased variance;
/// y = x̂·γ + β with x̂ = (x − mean)·istd. Backward: Σdy and Σdy·x̂ are all-reduced, then
/// dx = γ·istd·(dy − ΣGdy/M − x̂·ΣGdy·x̂/M), dγ += Σ_local dy·x̂, dβ += Σ_local dy (averaged over ranks by
/// DistributedDataParallel). The sums are accumulated and reduced in double precision, as BatchNorm's native
/// kernel does, so the result matches the single process to float rounding.</para></summary>
public sealed class SyncBatchNorm(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <summary>Replaces every <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> in <paramref name="module"/>
    /// (and the module itself, when it is one) by a SyncBatchNorm with the same settings, parameters and running
    /// statistics, under the same names (PyTorch's <c>convert_sync_batchnorm</c>). Returns the converted module;
    /// call it before building the optimizer, which holds the parameters it is given.</summary>
    public static Module ConvertSyncBatchNorm(Module module)
    {
        Guard.NotNull(module);
        if (Convert(module) is { } replaced) return replaced;
        foreach (var (_, parent) in module.NamedModules().ToArray())
            foreach (var (name, child) in parent.NamedChildren().ToArray())
                if (Convert(child) is { } sync) parent.ReplaceChild(name, sync);
        return module;
    }

    private static SyncBatchNorm? Convert(Module module)
    {
        if (module is not (BatchNorm1d or BatchNorm2d)) return null;
        var bn = (BatchNormBase)module;
        var sync = new SyncBatchNorm(bn.NumFeatures, bn.Eps, bn.Momentum, bn.Affine, bn.TrackRunningStats);
        sync.Weight?.CopyFrom(bn.Weight!.ToArray());
        sync.Bias?.CopyFrom(bn.Bias!.ToArray());
        sync.RunningMean?.CopyFrom(bn.RunningMean!.ToArray());
        sync.RunningVar?.CopyFrom(bn.RunningVar!.ToArray());
        sync.NumBatchesTracked?.CopyFrom(bn.NumBatchesTracked!.ToArray());
        sync.Train(bn.IsTraining);
        if (bn.Weight?.Device is { } device && device != Device.Cpu) sync.To(device);
        return sync;
    }

    private protected override void CheckRank(Tensor input)
    {
        if (input.Dim < 2)
            throw new ArgumentException($"SyncBatchNorm expects an input of shape [N, C, ...], but got shape {Guard.Format(input.ShapeSpan)}.", nameof(input));
    }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        Guard.NotNull(input);
        bool batchStatistics = IsTraining || !TrackRunningStats;
        if (!batchStatistics || !Distributed.ActiveMpi("SyncBatchNorm")) return base.ForwardCore(input);
        CheckRank(input);
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException(
                $"SyncBatchNorm({NumFeatures}) expects {NumFeatures} channels in dimension 1, but the input has {input.Size(1)} (shape {Guard.Format(input.ShapeSpan)}).",
                nameof(input));

        int n = input.Size(0), c = NumFeatures;
        int l = (int)(input.Numel / ((long)n * c));
        float[] x = input.ToArray();

        // Σx per channel and the sample count, in one all-reduce.
        var sums = new double[c + 1];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
            {
                double s = 0;
                foreach (float v in x.AsSpan((i * c + k) * l, l)) s += v;
                sums[k] += s;
            }
        sums[c] = (double)n * l;
        MpiWorld.AllReduceSum(sums, "SyncBatchNorm (sums)");
        double m = sums[c];
        if (m < 2)
            throw new ArgumentException($"SyncBatchNorm: expected more than 1 value per channel over all ranks when training, but the global batch has {m}.", nameof(input));
        var mean = new double[c];
        for (int k = 0; k < c; k++) mean[k] = sums[k] / m;

        var squares = new double[c];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
            {
                double s = 0, mu = mean[k];
                foreach (float v in x.AsSpan((i * c + k) * l, l)) s += (v - mu) * (v - mu);
                squares[k] += s;
            }
        MpiWorld.AllReduceSum(squares, "SyncBatchNorm (squared deviations)");
        var variance = new double[c];
        var invStd = new double[c];
        for (int k = 0; k < c; k++)
        {
            variance[k] = squares[k] / m;
            invStd[k] = 1.0 / Math.Sqrt(variance[k] + Eps);
        }

        float[] gamma = Weight?.ToArray() ?? [.. Enumerable.Repeat(1f, c)];
        float[] beta = Bias?.ToArray() ?? new float[c];
        var y = new float[x.Length];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
            {
                int start = (i * c + k) * l;
                double mu = mean[k], istd = invStd[k];
                for (int j = start; j < start + l; j++) y[j] = (float)((x[j] - mu) * istd * gamma[k] + beta[k]);
            }
        if (TrackRunningStats && IsTraining) UpdateRunningStats(mean, variance, m);

        Tensor result = Tensor.Allocate(input.Device, input.Shape, zero: false);
        result.CopyFrom(y);
        Tensor[] inputs = Weight is not null && Bias is not null ? [input, Weight, Bias] : [input];
        return Tensor.Record(result, "SyncBatchNorm", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dw = inputs.Length > 1 ? sink[1] : null, db = inputs.Length > 1 ? sink[2] : null;
            float[] dy = g.ToArray();
            // Local Σdy and Σdy·x̂ per channel; the input gradient needs their global values.
            var local = new double[2 * c];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                {
                    int start = (i * c + k) * l;
                    double mu = mean[k], istd = invStd[k], sdy = 0, sdyx = 0;
                    for (int j = start; j < start + l; j++)
                    {
                        sdy += dy[j];
                        sdyx += dy[j] * (x[j] - mu) * istd;
                    }
                    local[k] += sdy;
                    local[c + k] += sdyx;
                }
            if (dw is not null) AddInto(dw, local.AsSpan(c, c));
            if (db is not null) AddInto(db, local.AsSpan(0, c));
            if (dx is null) return;
            var global = (double[])local.Clone();
            MpiWorld.AllReduceSum(global, "SyncBatchNorm (gradient sums)");
            float[] grad = dx.ToArray();
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                {
                    int start = (i * c + k) * l;
                    double mu = mean[k], istd = invStd[k], meanDy = global[k] / m, meanDyX = global[c + k] / m, scale = gamma[k] * istd;
                    for (int j = start; j < start + l; j++)
                        grad[j] += (float)(scale * (dy[j] - meanDy - (x[j] - mu) * istd * meanDyX));
                }
            dx.CopyFrom(grad);
        });
    }

    private static void AddInto(Tensor target, ReadOnlySpan<double> values)
    {
        float[] current = target.ToArray();
        for (int i = 0; i < current.Length; i++) current[i] = (float)(current[i] + values[i]);
        target.CopyFrom(current);
    }

    private void UpdateRunningStats(double[] mean, double[] variance, double m)
    {
        NumBatchesTracked!.AddInPlace(1f);
        double factor = Momentum ?? (1f / NumBatchesTracked.Item());  // the float factor BatchNormBase passes the kernel
        float[] runningMean = RunningMean!.ToArray(), runningVar = RunningVar!.ToArray();
        for (int i = 0; i < runningMean.Length; i++)
        {
            runningMean[i] = (float)((1 - factor) * runningMean[i] + factor * mean[i]);
            runningVar[i] = (float)((1 - factor) * runningVar[i] + factor * variance[i] * m / (m - 1));
        }
        RunningMean.CopyFrom(runningMean);
        RunningVar.CopyFrom(runningVar);
    }
}
