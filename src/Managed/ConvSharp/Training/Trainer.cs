using System.Diagnostics;
using System.Globalization;
using ConvSharp.Data;
using ConvSharp.Metrics;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Training;

/// <summary>The training loop, written out once: per epoch it trains on every batch, steps the LR scheduler,
/// validates, keeps the best weights, and stops early when asked to; with <see cref="RunDirectory"/> set it writes a
/// run folder that a killed or interrupted run resumes from (<see cref="Resume"/>). It is not a framework: each
/// step is forward, loss, ZeroGrad, Backward, <see cref="AfterBackward"/>, clipping, Step — the loop a PyTorch user writes.</summary>
/// <example><code>
/// var trainer = new Trainer { RunDirectory = "runs/mnist", Patience = 3, Scheduler = new CosineAnnealingLR(opt, 10) };
/// FitResult result = trainer.Fit(model, new CrossEntropyLoss(), opt, trainLoader, valLoader, epochs: 10);
/// </code></example>
public sealed class Trainer
{
    /// <summary>The folder for checkpoint.safetensors, resume.json, metrics.csv and the kept model.safetensors; null writes nothing.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Continue the run in <see cref="RunDirectory"/> from its last checkpoint instead of starting afresh.</summary>
    public bool Resume { get; init; }

    /// <summary>Stepped once after every epoch.</summary>
    public LrScheduler? Scheduler { get; init; }

    /// <summary>When set, gradients are clipped to this total 2-norm before every step (<see cref="ClipGrad.Norm"/>).</summary>
    public float? ClipGradNorm { get; init; }

    /// <summary>When set, every gradient element is clipped to ±this value before every step (<see cref="ClipGrad.Value"/>).</summary>
    public float? ClipGradValue { get; init; }

    /// <summary>Stop after this many epochs in a row without an improvement of more than <see cref="MinDelta"/>; null never stops early.</summary>
    public int? Patience { get; init; }

    /// <summary>The smallest change of the monitored value that counts as an improvement for early stopping.</summary>
    public double MinDelta { get; init; }

    /// <summary>Which value picks the kept weights and drives early stopping.</summary>
    public Monitor Monitor { get; init; }

    /// <summary>The device batches are moved to (default: the device of the model's first parameter).</summary>
    public Device? Device { get; init; }

    /// <summary>Receives a report after every training batch (a progress bar, a log line).</summary>
    public IProgress<TrainProgress>? Progress { get; init; }

    /// <summary>Input shape, normalisation and class names written with the kept model.safetensors.</summary>
    public ModelInfo? ModelInfo { get; init; }

    /// <summary>Hooks called at the start and end of the fit, of each epoch and after each batch.</summary>
    public IList<TrainerCallback> Callbacks { get; } = [];

    /// <summary>Called after every Backward and before clipping and the step, with the model: where distributed
    /// training averages the gradients across processes.</summary>
    public Action<Module>? AfterBackward { get; init; }

    /// <summary>Whether this process writes the run folder (true; in distributed training only rank 0 does). A
    /// non-writing process still trains, validates and calls the callbacks.</summary>
    public bool IsWriter { get; init; } = true;

    /// <summary>Trains <paramref name="model"/> for <paramref name="epochs"/> epochs (in total, counting those of a resumed run).
    /// Cancelling <paramref name="cancellationToken"/> (Ctrl+C) stops after the current batch, writes a resume checkpoint
    /// and returns with <see cref="FitResult.Interrupted"/> set.</summary>
    /// <exception cref="TrainingDivergedException">A training loss was NaN or infinite.</exception>
    public FitResult Fit(Module model, Loss loss, Optimizer optimizer, IDataLoader trainLoader, IDataLoader? valLoader, int epochs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(trainLoader);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be at least 1, but is {epochs}.");
        if (Patience is < 1) throw new ArgumentOutOfRangeException(nameof(Patience), $"Patience must be at least 1, but is {Patience}.");
        if (!(MinDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(MinDelta), $"MinDelta must not be negative, but is {MinDelta}.");
        if (Resume && RunDirectory is null) throw new InvalidOperationException("Resume needs a RunDirectory to resume from.");
        Device device = Device ?? model.Parameters().FirstOrDefault()?.Device ?? ConvSharp.Device.Cpu;
        RunFolder? folder = RunDirectory is null ? null : new RunFolder(RunDirectory, IsWriter);

        ResumeState state;
        if (Resume)
        {
            state = folder!.Load(model, optimizer);
            folder.Repair(state, model, ModelInfo);
            state = state with { Epochs = epochs, Finished = state.Finished && state.Epoch > epochs };
            Scheduler?.SetEpoch(state.Epoch - 1);
        }
        else
        {
            folder?.Clear();
            state = new ResumeState(1, 0, epochs, 0, double.NaN, 0, 0, 0, 0, 0, false, false, []);
        }
        var history = state.History.Select(EpochMetrics.FromCsv).ToList();
        foreach (var c in Callbacks) c.OnFitStart(this, model, history);

        bool interrupted = false;
        while (!state.Finished && !state.StoppedEarly && state.Epoch <= epochs)
        {
            int epoch = state.Epoch;
            foreach (var c in Callbacks) c.OnEpochStart(this, epoch);
            model.Train();
            trainLoader.Epoch = epoch - 1;
            var clock = Stopwatch.StartNew();
            double runningLoss = state.RunningLoss, secondsBefore = state.EpochSeconds;
            long samples = state.Samples, correct = state.Correct;
            bool classification = false;
            int done = 0, skip = state.BatchesDone;
            foreach (var (hostX, hostY) in trainLoader.Batches())
            {
                using var scope = Tensor.Scope();
                if (done < skip) { done++; continue; }
                // The loader's batches are fresh pinned tensors: their upload overlaps the work still queued.
                Tensor x = hostX.To(device, nonBlocking: true), y = hostY.To(device, nonBlocking: true);
                Tensor output = model.Forward(x);
                Tensor value = loss.Forward(output, y);
                float l = value.Item();
                if (!float.IsFinite(l)) throw Diverged(model, loss, x, y, epoch, done + 1, l);
                optimizer.ZeroGrad();
                value.Backward();
                AfterBackward?.Invoke(model);
                if (ClipGradNorm is float maxNorm) ClipGrad.Norm(model.Parameters(), maxNorm);
                if (ClipGradValue is float clip) ClipGrad.Value(model.Parameters(), clip);
                optimizer.Step();
                int n = x.Size(0);
                runningLoss += (double)l * n;
                samples += n;
                if (IsClassification(output, y))
                {
                    classification = true;
                    correct += CountCorrect(output, y);
                }
                done++;
                Progress?.Report(new TrainProgress(epoch, epochs, done, trainLoader.BatchCount, samples, runningLoss / samples, clock.Elapsed));
                foreach (var c in Callbacks) c.OnBatchEnd(this, epoch, done, l);
                RunFolder.Fault("batch");
                if (cancellationToken.IsCancellationRequested && done < trainLoader.BatchCount)
                {
                    state = state with { BatchesDone = done, RunningLoss = runningLoss, Samples = samples, Correct = correct,
                        EpochSeconds = secondsBefore + clock.Elapsed.TotalSeconds };
                    folder?.Commit(state, model, optimizer);
                    interrupted = true;
                    break;
                }
            }
            if (interrupted) break;

            Scheduler?.Step();
            double lr = optimizer.ParamGroups[0].Lr;
            double valLoss = double.NaN, valAccuracy = double.NaN;
            if (valLoader is not null)
            {
                var (vl, matrix) = Evaluate(model, loss, valLoader, null, device);
                valLoss = vl;
                valAccuracy = matrix?.Accuracy ?? double.NaN;
            }
            classification |= state.Correct > 0;
            var metrics = new EpochMetrics(epoch, runningLoss / Math.Max(1, samples), classification ? (double)correct / Math.Max(1, samples) : double.NaN,
                valLoss, valAccuracy, lr, secondsBefore + clock.Elapsed.TotalSeconds);
            history.Add(metrics);

            double monitored = Monitored(metrics, out bool higherIsBetter);
            bool improved = state.BestEpoch == 0 || double.IsNaN(state.BestValue) || (higherIsBetter ? monitored > state.BestValue : monitored < state.BestValue);
            bool significant = state.BestEpoch == 0 || double.IsNaN(state.BestValue)
                || (higherIsBetter ? monitored > state.BestValue + MinDelta : monitored < state.BestValue - MinDelta);
            int without = significant ? 0 : state.EpochsWithoutImprovement + 1;
            bool stop = Patience is int p && without >= p;
            state = new ResumeState(epoch + 1, 0, epochs, improved ? epoch : state.BestEpoch, improved ? monitored : state.BestValue, without,
                0, 0, 0, 0, epoch + 1 > epochs || stop, stop, history.Select(h => h.ToCsv()).ToArray());
            if (folder is not null)
            {
                folder.Commit(state, model, optimizer);
                folder.WriteMetrics(state.History);
                if (improved) folder.WriteBest(model, ModelInfo, epoch);
            }
            foreach (var c in Callbacks) c.OnEpochEnd(this, metrics, history, improved);
        }

        var result = new FitResult(history, state.BestEpoch, interrupted, state.StoppedEarly);
        foreach (var c in Callbacks) c.OnFitEnd(this, result);
        return result;
    }

    /// <summary>The mean loss over <paramref name="loader"/> in evaluation mode without gradients, and, when the model
    /// classifies (output [N, C] against labels [N]), the confusion matrix (null otherwise).</summary>
    public static (double Loss, ConfusionMatrix? Matrix) Evaluate(Module model, Loss loss, IDataLoader loader, IReadOnlyList<string>? classNames = null,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(loader);
        device ??= model.Parameters().FirstOrDefault()?.Device ?? ConvSharp.Device.Cpu;
        bool wasTraining = model.IsTraining;
        model.Eval();
        ConfusionMatrix? matrix = null;
        double total = 0;
        long samples = 0;
        try
        {
            using (Autograd.NoGrad())
                foreach (var (x, y) in loader.Batches())
                {
                    using var scope = Tensor.Scope();
                    Tensor output = model.Forward(x.To(device));
                    total += (double)loss.Forward(output, y.To(device)).Item() * x.Size(0);
                    samples += x.Size(0);
                    if (IsClassification(output, y))
                    {
                        matrix ??= classNames is null ? new ConfusionMatrix(output.Size(1)) : new ConfusionMatrix(classNames);
                        matrix.AddBatch(output.To(ConvSharp.Device.Cpu).AsSpan(), y.AsSpan());
                    }
                }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return (total / Math.Max(1, samples), matrix);
    }

    private double Monitored(EpochMetrics m, out bool higherIsBetter)
    {
        Monitor monitor = Monitor;
        if (monitor == Monitor.Auto) monitor = double.IsNaN(m.ValAccuracy) ? Monitor.ValLoss : Monitor.ValAccuracy;
        higherIsBetter = monitor == Monitor.ValAccuracy;
        double value = monitor == Monitor.ValAccuracy ? m.ValAccuracy : m.ValLoss;
        // Without a validation loader the training loss is all there is.
        if (double.IsNaN(value) && monitor == Monitor.ValLoss) value = m.TrainLoss;
        if (double.IsNaN(value) && monitor == Monitor.ValAccuracy)
        {
            higherIsBetter = true;
            value = m.TrainAccuracy;
        }
        return value;
    }

    private static bool IsClassification(Tensor output, Tensor target) =>
        output.Dim == 2 && target.Dim == 1 && target.Size(0) == output.Size(0) && output.Size(1) > 1;

    private static long CountCorrect(Tensor logits, Tensor labels)
    {
        using (Autograd.NoGrad())
        {
            using var predicted = logits.ArgMax(1);
            float[] p = predicted.ToArray(), l = labels.ToArray();
            long n = 0;
            for (int i = 0; i < p.Length; i++) if (p[i] == l[i]) n++;
            return n;
        }
    }

    /// <summary>The loss became NaN or infinite: re-run the batch with anomaly detection to name the op.</summary>
    private static TrainingDivergedException Diverged(Module model, Loss loss, Tensor x, Tensor y, int epoch, int batch, float value)
    {
        string cause = "no single op was found (the parameters themselves may already hold NaN)";
        try
        {
            using var anomaly = Autograd.DetectAnomaly();
            using var scope = Tensor.Scope();
            model.ZeroGrad();
            loss.Forward(model.Forward(x), y).Backward();
        }
        catch (ArithmeticException e)
        {
            cause = e.Message.TrimEnd('.');
        }
        return new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
            $"training stopped at epoch {epoch}, batch {batch}: the loss is {value}. {cause}. No checkpoint was written for this epoch; try a smaller learning rate."))
        { Epoch = epoch, Batch = batch };
    }
}
