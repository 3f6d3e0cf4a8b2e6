using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConvSharp.Cli.Reporting;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Cli;

/// <summary>One `convsharp train` run: data, model, optimizer, the epoch loop, and everything written to the run folder.</summary>
internal sealed class Trainer(TrainSettings s, TextWriter output, string? resumeFrom, string[] arguments)
{
    private volatile bool _stopRequested;

    /// <summary>Tests stand in for Ctrl+C: after this many training batches of the run the trainer stops as if interrupted.</summary>
    internal static int? StopAfterBatchesForTests { get; set; }

    public int Run()
    {
        if (s.Threads > 0) Blas.NumThreads = s.Threads;
        using var distributed = DistributedTraining.Start(s.Distributed);
        StopAfterBatchesForTests ??= DistributedTraining.StopAfterBatchesForTests();
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
        var info = new ModelInfo(s.Model, shape, source.Classes, source.Mean, source.Std);
        Device device = s.ResolveDevice();
        using var model = Presets.Build(s.Model, shape, source.Classes.Count, new Generator(s.Seed));
        model.To(device);
        string where = device.OpenCLInfo is { } ocl ? $"OpenCL {ocl.Name} ({device})" : $"OpenBLAS {Blas.CoreName} x{Blas.NumThreads}";
        output.WriteLine($"Model: {s.Model}, {model.ParameterCount():N0} parameters; optimizer {s.Optimizer}, batch {s.BatchSize}, {s.Epochs} epochs; {where}" +
                         (distributed.WorldSize > 1 ? $"; data-parallel over {distributed.WorldSize} ranks (global batch {distributed.WorldSize * s.BatchSize})" : ""));
        using var optimizer = MakeOptimizer(model);
        LrScheduler? scheduler = MakeScheduler(optimizer);
        using var loader = new DataLoader(distributed.Shard(train, s.Seed), s.BatchSize, shuffle: distributed.LoaderShuffles, seed: s.Seed);
        using var valLoader = new DataLoader(validation, 256);
        using var testLoader = test is null ? null : new DataLoader(test, 256);
        var lossFn = new CrossEntropyLoss();

        var history = new List<string>();
        int startEpoch = 1, skip = 0;
        double best = -1, runningLoss = 0;
        long images = 0, correct = 0;
        if (resumeFrom is not null)
        {
            var r = RunFiles.ReadResume(run);
            model.Load(Path.Combine(run, "checkpoint.safetensors"));
            optimizer.Load(Path.Combine(run, "optimizer.safetensors"));
            (startEpoch, skip, best, runningLoss, images, correct) = (r.Epoch, r.BatchesDone, r.BestValAccuracy, r.RunningLoss, r.Images, r.Correct);
            scheduler?.SetEpoch(startEpoch - 1);
            history.AddRange(RunFiles.ReadMetrics(run));
            output.WriteLine($"Resuming {run} at epoch {startEpoch}, batch {skip + 1}");
        }
        else if (distributed.IsMain)
        {
            File.WriteAllText(Path.Combine(run, "run.json"), JsonSerializer.Serialize(
                new RunRecord("convsharp train " + string.Join(' ', arguments.Select(Quote)), arguments, source.Description, DateTime.Now.ToString("o", CultureInfo.InvariantCulture)),
                CliJson.Default.RunRecord));
        }

        Module trained = distributed.Wrap(model);  // after a resume, so rank 0's weights reach every rank
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; _stopRequested = true; };
        Console.CancelKeyPress += onCancel;
        try
        {
            var progress = new EpochProgress(output);
            for (int epoch = startEpoch; epoch <= s.Epochs; epoch++)
            {
                model.Train();
                loader.Epoch = epoch - 1;
                var clock = Stopwatch.StartNew();
                bool interrupted = false;
                int epochSkip = epoch == startEpoch ? skip : 0;
                if (epoch != startEpoch || resumeFrom is null) (runningLoss, images, correct) = (0, 0, 0);
                progress.Run($"epoch {epoch}/{s.Epochs}", loader.BatchCount, report =>
                {
                    int done = 0;
                    foreach (var (hostX, hostY) in loader)
                    {
                        using var scope = Tensor.Scope();
                        if (done < epochSkip) { done++; continue; }
                        Tensor x = hostX.To(device), y = hostY.To(device);
                        var logits = trained.Forward(x);
                        var loss = lossFn.Forward(logits, y);
                        float value = loss.Item();
                        if (!float.IsFinite(value)) throw Diverged(model, lossFn, x, y, epoch, done + 1, value);
                        optimizer.ZeroGrad();
                        loss.Backward();
                        optimizer.Step();
                        runningLoss += value * x.Size(0);
                        images += x.Size(0);
                        correct += CountCorrect(logits, y);
                        done++;
                        report(done, images, runningLoss / images);
                        if (StopAfterBatchesForTests is int left)
                        {
                            StopAfterBatchesForTests = left - 1;
                            if (left <= 1) _stopRequested = true;
                        }
                        if (distributed.AnyRank(_stopRequested))
                        {
                            if (distributed.IsMain) SaveResume(run, model, optimizer, new ResumeRecord(epoch, done, best, runningLoss, images, correct));
                            interrupted = true;
                            break;
                        }
                    }
                });
                if (interrupted)
                {
                    output.WriteLine($"Interrupted: checkpoint saved in {run}; continue with: convsharp train --resume {run}");
                    return Program.Interrupted;
                }
                scheduler?.Step();
                if (!distributed.IsMain) continue;  // the weights are rank 0's: it validates and writes
                var (valLoss, valMatrix) = Evaluate(model, valLoader, lossFn, source.Classes, device);
                double trainLoss = runningLoss / images, trainAcc = (double)correct / images;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}: train loss {trainLoss:F4}, accuracy {trainAcc:P2} | validation loss {valLoss:F4}, accuracy {valMatrix.Accuracy:P2} | {images / clock.Elapsed.TotalSeconds:N0} img/s, {clock.Elapsed.TotalSeconds:F1} s"));
                history.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{epoch},{trainLoss:R},{trainAcc:R},{valLoss:R},{valMatrix.Accuracy:R},{optimizer.ParamGroups[0].Lr:R},{clock.Elapsed.TotalSeconds:F3}"));
                if (valMatrix.Accuracy > best)
                {
                    best = valMatrix.Accuracy;
                    info.Save(Path.Combine(run, "model.safetensors"), model);
                }
                WriteMetrics(run, history);
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        distributed.Barrier();
        if (!distributed.IsMain) return 0;
        foreach (string f in new[] { "checkpoint.safetensors", "optimizer.safetensors", "resume.json" }) File.Delete(Path.Combine(run, f));

        // The best validation weights, on the test set.
        model.Load(Path.Combine(run, "model.safetensors"));
        var (testLoss, matrix) = Evaluate(model, testLoader ?? valLoader, lossFn, source.Classes, device);
        string which = testLoader is null ? "validation" : "test";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{which} accuracy {matrix.Accuracy:P2} (loss {testLoss:F4}) with the best validation weights ({best:P2} validation)"));
        Report.PerClass(output, matrix);
        File.WriteAllText(Path.Combine(run, "confusion.csv"), matrix.ToCsv());
        Plots.Confusion(Path.Combine(run, "confusion.png"), matrix.Counts(), source.Classes, $"{which} confusion matrix, accuracy {matrix.Accuracy:P2}");
        output.WriteLine($"Run folder: {Path.GetFullPath(run)}");
        return 0;
    }

    /// <summary>The loss became NaN or infinite: re-run the batch with anomaly detection to name the op, and stop
    /// before anything of this epoch is saved.</summary>
    private static CliException Diverged(Module model, CrossEntropyLoss lossFn, Tensor x, Tensor y, int epoch, int batch, float value)
    {
        string cause = "no single op was found (the parameters themselves may already hold NaN)";
        try
        {
            using var anomaly = Autograd.DetectAnomaly();
            using var scope = Tensor.Scope();
            model.ZeroGrad();
            lossFn.Forward(model.Forward(x), y).Backward();
        }
        catch (ArithmeticException e)
        {
            cause = e.Message.TrimEnd('.');
        }
        return new CliException(string.Create(CultureInfo.InvariantCulture,
            $"training stopped at epoch {epoch}, batch {batch}: the loss is {value}. {cause}. No checkpoint was written for this epoch; try a smaller --lr."));
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

    internal static (double Loss, ConfusionMatrix Matrix) Evaluate(Module model, DataLoader loader, CrossEntropyLoss lossFn, IReadOnlyList<string> classes,
        Device? device = null)
    {
        device ??= Device.Cpu;
        model.Eval();
        var matrix = new ConfusionMatrix(classes);
        double loss = 0;
        using (Autograd.NoGrad())
            foreach (var (x, y) in loader)
            {
                using var scope = Tensor.Scope();
                var logits = model.Forward(x.To(device));
                loss += lossFn.Forward(logits, y.To(device)).Item() * x.Size(0);
                matrix.AddBatch(logits.To(Device.Cpu).AsSpan(), y.AsSpan());
            }
        model.Train();
        return (loss / Math.Max(1, matrix.Total), matrix);
    }

    private static long CountCorrect(Tensor logits, Tensor labels)
    {
        using (Autograd.NoGrad())
        {
            using var predicted = logits.ArgMax(1);
            ReadOnlySpan<float> p = predicted.ToArray(), l = labels.ToArray();
            long n = 0;
            for (int i = 0; i < p.Length; i++) if (p[i] == l[i]) n++;
            return n;
        }
    }

    private static void SaveResume(string run, Module model, Optimizer optimizer, ResumeRecord record)
    {
        model.EnsureFinite();
        model.Save(Path.Combine(run, "checkpoint.safetensors"));
        optimizer.Save(Path.Combine(run, "optimizer.safetensors"));
        File.WriteAllText(Path.Combine(run, "resume.json"), JsonSerializer.Serialize(record, CliJson.Default.ResumeRecord));
    }

    private static void WriteMetrics(string run, List<string> history)
    {
        File.WriteAllText(Path.Combine(run, "metrics.csv"), "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n" + string.Join('\n', history) + "\n");
        double[][] rows = history.Select(r => r.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        double[] epochs = rows.Select(r => r[0]).ToArray();
        Plots.Lines(Path.Combine(run, "loss.png"), "Loss", "epoch", "cross-entropy",
            [new("train", epochs, rows.Select(r => r[1]).ToArray()), new("validation", epochs, rows.Select(r => r[3]).ToArray())]);
        Plots.Lines(Path.Combine(run, "accuracy.png"), "Accuracy", "epoch", "accuracy",
            [new("train", epochs, rows.Select(r => r[2]).ToArray()), new("validation", epochs, rows.Select(r => r[4]).ToArray())]);
    }

    private static string Quote(string a) => a.Any(char.IsWhiteSpace) ? "\"" + a + "\"" : a;
}
