using System.Globalization;
using System.Text.Json;
using ConvSharp.Cli.Reporting;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.Metrics;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

namespace ConvSharp.Cli;

/// <summary>One `convsharp train` run: the options turned into data, a model and an optimizer for the library's
/// <see cref="Trainer"/>, console progress, plots, and the final test evaluation.</summary>
internal sealed class TrainRun(TrainSettings s, TextWriter output, string? resumeFrom, string[] arguments)
{
    /// <summary>Tests stand in for Ctrl+C: after this many training batches of the run the trainer stops as if interrupted.</summary>
    internal static int? StopAfterBatchesForTests { get; set; }

    public int Run()
    {
        if (s.Threads > 0) Blas.NumThreads = s.Threads;
        // Ctrl+C stops after the current batch. Registered before the first line: on a terminal .NET initialises it
        // then (an escape sequence), which must not land in the middle of the run's output.
        using var cancel = new CancellationTokenSource();
        using var ctrlC = new CtrlC(cancel);
        using var distributed = DistributedTraining.Start(s.Distributed);
        int? stopAfterBatches = StopAfterBatchesForTests ?? DistributedTraining.StopAfterBatchesForTests();
        StopAfterBatchesForTests = null;
        output = distributed.Output(output);
        DataSource source = DataSources.Open(s.Data, s.Resize);
        output.WriteLine($"Data: {source.Description}");
        ImageShape shape = source.SampleShape;
        Transform[] augment = Augmentations.Parse(s.Augment, shape);

        int total = source.Train.Count;
        int val = ValidationCount(total);
        if (val < 1 || val >= total) throw new CliException($"--val-split leaves {total - val} training and {val} validation images of {total}.");
        var (train, _) = source.Train.WithTransform(source.Pipeline(augment)).Split(total - val, val, s.Seed);
        var (_, validation) = source.Train.WithTransform(source.Pipeline([])).Split(total - val, val, s.Seed);
        Dataset? test = source.Test?.WithTransform(source.Pipeline([]));
        output.WriteLine($"Split: {train.Count:N0} training, {validation.Count:N0} validation{(test is null ? ", no test set (the validation set is reported instead)" : $", {test.Count:N0} test")} images of {shape.Channels}x{shape.Height}x{shape.Width}");

        string run = resumeFrom ?? s.Out ?? Path.Combine("runs", $"{s.Model}-{DateTime.Now:yyyyMMdd-HHmmss}");
        if (distributed.IsMain) Directory.CreateDirectory(run);
        var info = new ModelInfo { Input = [shape.Channels, shape.Height, shape.Width], Classes = source.Classes, Mean = source.Mean, Std = source.Std };
        Device device = s.ResolveDevice();
        using var model = Presets.Build(s.Model, shape, source.Classes.Count, new Generator(s.Seed));
        model.To(device);
        string where = device.OpenCLInfo is { } ocl ? $"OpenCL {ocl.Name} ({device})" : $"OpenBLAS {Blas.CoreName} x{Blas.NumThreads}";
        output.WriteLine($"Model: {s.Model}, {model.ParameterCount():N0} parameters; optimizer {s.Optimizer}, batch {s.BatchSize}, {s.Epochs} epochs; {where}" +
                         (distributed.WorldSize > 1 ? $"; data-parallel over {distributed.WorldSize} ranks (global batch {distributed.WorldSize * s.BatchSize})" : ""));
        using var optimizer = MakeOptimizer(model);
        using var loader = new DataLoader(distributed.Shard(train, s.Seed), s.BatchSize, shuffle: distributed.LoaderShuffles, seed: s.Seed);
        using var valLoader = new DataLoader(validation, 256);
        using var testLoader = test is null ? null : new DataLoader(test, 256);
        var lossFn = new CrossEntropyLoss();

        if (resumeFrom is not null)
        {
            // The trainer resumes from checkpoint.safetensors and rewrites these from it; a hand-edited or truncated
            // copy still means the folder was tampered with, so it is one line naming the file rather than trusted.
            RunFiles.ReadResume(run);
            RunFiles.ReadMetrics(run);
        }
        else if (distributed.IsMain)
            File.WriteAllText(Path.Combine(run, "run.json"), JsonSerializer.Serialize(
                new RunRecord("convsharp train " + string.Join(' ', arguments.Select(Quote)), arguments, source.Description, DateTime.Now.ToString("o", CultureInfo.InvariantCulture)),
                CliJson.Default.RunRecord));

        // Several ranks: Ctrl+C or the test seam cancels `cancel` on one rank; the ranks agree after each batch and
        // cancel `agreed` together, so all stop after the same batch. The model's gradients are averaged by the
        // DistributedDataParallel hooks while the trainer runs (and saves) the model itself, so the state_dict names
        // of model.safetensors and the checkpoint stay the model's own (no "module." prefix).
        using var agreed = new CancellationTokenSource();
        var ddp = distributed.Wrap(model);
        bool parallel = ddp is not null;
        var console = new ConsoleReport(output, run, train.Count, cancel, parallel ? null : stopAfterBatches);
        var trainer = new Trainer
        {
            RunDirectory = run, Resume = resumeFrom is not null, Scheduler = MakeScheduler(optimizer), ModelInfo = info, Device = device,
            Progress = distributed.IsMain ? console : null, IsWriter = distributed.IsMain,
            AfterBackward = ddp is null ? null : _ => ddp.SynchronizeGradients(),
        };
        if (distributed.IsMain) trainer.Callbacks.Add(console);
        // TensorBoard curves beside the CSV: `tensorboard --logdir <run>/tensorboard` (a resumed run adds a second event file).
        using var tensorboard = distributed.IsMain ? new TensorBoardWriter(Path.Combine(run, "tensorboard")) : null;
        if (tensorboard is not null) trainer.Callbacks.Add(new TensorBoardCallback(tensorboard));
        if (parallel) trainer.Callbacks.Add(distributed.Agreement(model, cancel, agreed, stopAfterBatches));
        FitResult result;
        try
        {
            result = console.Run(() => trainer.Fit(model, lossFn, optimizer, loader, valLoader, s.Epochs, (parallel ? agreed : cancel).Token));
        }
        catch (TrainingDivergedException e)
        {
            throw new CliException(e.Message.Replace("a smaller learning rate", "a smaller --lr", StringComparison.Ordinal));
        }
        catch (FileNotFoundException e) when (resumeFrom is not null)
        {
            throw new CliException($"--resume {run}: {e.Message}");
        }
        distributed.Barrier();  // rank 0 has written the run folder before the others leave
        if (!distributed.IsMain) return result.Interrupted ? Program.Interrupted : 0;
        if (result.Interrupted)
        {
            output.WriteLine($"Interrupted: checkpoint saved in {run}; continue with: convsharp train --resume {run}");
            return Program.Interrupted;
        }
        if (result.StoppedEarly) output.WriteLine($"Stopped early after epoch {result.History[^1].Epoch}: no improvement.");

        // The kept weights (best validation accuracy), on the test set.
        model.Load(Path.Combine(run, "model.safetensors"));
        var (testLoss, matrix) = Trainer.Evaluate(model, lossFn, testLoader ?? valLoader, source.Classes, device);
        string which = testLoader is null ? "validation" : "test";
        double best = result.Best?.ValAccuracy ?? double.NaN;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{which} accuracy {matrix!.Accuracy:P2} (loss {testLoss:F4}) with the best validation weights ({best:P2} validation, epoch {result.BestEpoch})"));
        Report.PerClass(output, matrix);
        File.WriteAllText(Path.Combine(run, "confusion.csv"), matrix.ToCsv());
        Plots.Confusion(Path.Combine(run, "confusion.png"), matrix.Counts(), source.Classes, $"{which} confusion matrix, accuracy {matrix.Accuracy:P2}");
        output.WriteLine($"Run folder: {Path.GetFullPath(run)}");
        return 0;
    }

    private int ValidationCount(int total)
    {
        if (s.ValSplit is null) return total == 60_000 ? 10_000 : total / 6;
        if (int.TryParse(s.ValSplit, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count)) return count;
        if (double.TryParse(s.ValSplit, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f > 0 && f < 1) return (int)Math.Round(total * f);
        throw new CliException($"--val-split '{s.ValSplit}' is neither a count nor a fraction between 0 and 1.");
    }

    private Optimizer MakeOptimizer(Module model) => s.Optimizer switch
    {
        "sgd" => new Sgd(model.Parameters(), s.Lr ?? 0.01f, momentum: s.Momentum, weightDecay: s.WeightDecay),
        "adamw" => new AdamW(model.Parameters(), s.Lr ?? 1e-3f, weightDecay: s.WeightDecay),
        "adamax" => new Adamax(model.Parameters(), s.Lr ?? 2e-3f, weightDecay: s.WeightDecay),
        "rmsprop" => new RmsProp(model.Parameters(), s.Lr ?? 0.01f, momentum: s.Momentum, weightDecay: s.WeightDecay),
        _ => new Adam(model.Parameters(), s.Lr ?? 1e-3f, weightDecay: s.WeightDecay),
    };

    private LrScheduler? MakeScheduler(Optimizer optimizer) => s.Scheduler switch
    {
        "cosine" => new CosineAnnealingLR(optimizer, s.Epochs),
        "step" => new StepLR(optimizer, Math.Max(1, s.Epochs / 3), 0.1f),
        "warmup-cosine" when s.Epochs > 1 => new SequentialLR(optimizer,
            [new LinearLR(optimizer, 0.1f, 1f, 1), new CosineAnnealingLR(optimizer, s.Epochs - 1)], [1]),
        "warmup-cosine" => new LinearLR(optimizer, 0.1f, 1f, 1),
        _ => null,
    };

    /// <summary>Console.CancelKeyPress for the lifetime of a run: cancels <paramref name="cancel"/> instead of ending the process.</summary>
    private sealed class CtrlC : IDisposable
    {
        private readonly ConsoleCancelEventHandler _handler;

        public CtrlC(CancellationTokenSource cancel)
        {
            _handler = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += _handler;
        }

        public void Dispose() => Console.CancelKeyPress -= _handler;
    }

    private static string Quote(string a) => a.Any(char.IsWhiteSpace) ? "\"" + a + "\"" : a;
}
