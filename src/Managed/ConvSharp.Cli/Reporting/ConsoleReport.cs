using System.Globalization;
using ConvSharp.Imaging;
using ConvSharp.NN;
using ConvSharp.Training;
using Spectre.Console;

namespace ConvSharp.Cli.Reporting;

/// <summary>The trainer's progress on the console (a Spectre.Console bar per epoch on a terminal, about ten plain
/// lines per epoch otherwise), one summary line per epoch, and loss.png / accuracy.png redrawn from the trainer's
/// rows (the rows of metrics.csv) after every epoch and when a run resumes.</summary>
internal sealed class ConsoleReport(TextWriter output, string run, int trainImages, CancellationTokenSource cancel, int? stopAfterBatches)
    : TrainerCallback, IProgress<TrainProgress>
{
    private readonly bool _interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _batchesSeen;

    /// <summary>Runs <paramref name="fit"/> inside the live progress display when there is a terminal.</summary>
    public FitResult Run(Func<FitResult> fit)
    {
        if (!_interactive) return fit();
        FitResult result = null!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                _context = ctx;
                result = fit();
            });
        return result;
    }

    private void Line(string text)
    {
        if (_interactive) AnsiConsole.WriteLine(text);
        else output.WriteLine(text);
    }

    private static string Status(TrainProgress p)
    {
        double seconds = Math.Max(p.Elapsed.TotalSeconds, 1e-3);
        double eta = p.Batch == 0 ? 0 : seconds * (p.Batches - p.Batch) / p.Batch;
        return string.Create(CultureInfo.InvariantCulture, $"{p.Samples / seconds,7:N0} img/s  loss {p.RunningLoss:F4}  ETA {TimeSpan.FromSeconds(eta):mm\\:ss}");
    }

    public void Report(TrainProgress p)
    {
        string title = $"epoch {p.Epoch}/{p.Epochs}";
        if (_context is not null)
        {
            _task ??= _context.AddTask(title, maxValue: p.Batches);
            _task.Value = p.Batch;
            _task.Description = $"{title}  {Markup.Escape(Status(p))}";
            return;
        }
        int every = Math.Max(1, p.Batches / 10);
        if (p.Batch % every == 0 || p.Batch == p.Batches) output.WriteLine($"{title} {p.Batch}/{p.Batches}  {Status(p)}");
    }

    public override void OnFitStart(Trainer trainer, Module model, IReadOnlyList<EpochMetrics> history)
    {
        if (history.Count == 0) return;
        int next = history[^1].Epoch + 1;
        Line($"Resuming {run} after epoch {history[^1].Epoch} (continuing at epoch {next})");
        DrawCurves(history);
    }

    public override void OnEpochStart(Trainer trainer, int epoch) => _task = null;

    public override void OnBatchEnd(Trainer trainer, int epoch, int batch, float loss)
    {
        _batchesSeen++;
        if (stopAfterBatches is int n && _batchesSeen >= n) cancel.Cancel();
    }

    public override void OnEpochEnd(Trainer trainer, EpochMetrics m, IReadOnlyList<EpochMetrics> history, bool improved)
    {
        Line(string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}: train loss {m.TrainLoss:F4}, accuracy {m.TrainAccuracy:P2} | validation loss {m.ValLoss:F4}, accuracy {m.ValAccuracy:P2} | {trainImages / Math.Max(m.Seconds, 1e-3):N0} img/s, {m.Seconds:F1} s{(improved ? " (kept)" : "")}"));
        DrawCurves(history);
    }

    private void DrawCurves(IReadOnlyList<EpochMetrics> history)
    {
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        int kept = history.Count == 0 ? 0 : KeptEpoch(history);
        Plots.Lines(Path.Combine(run, "loss.png"), "Loss", "epoch", "cross-entropy",
            [new("train", epochs, history.Select(h => h.TrainLoss).ToArray()), new("validation", epochs, history.Select(h => h.ValLoss).ToArray())], markX: kept == 0 ? null : kept);
        Plots.Lines(Path.Combine(run, "accuracy.png"), "Accuracy", "epoch", "accuracy (%)",
            [new("train", epochs, history.Select(h => 100 * h.TrainAccuracy).ToArray()), new("validation", epochs, history.Select(h => 100 * h.ValAccuracy).ToArray())], markX: kept == 0 ? null : kept);
    }

    // The epoch whose weights model.safetensors holds: the first with the highest validation accuracy.
    private static int KeptEpoch(IReadOnlyList<EpochMetrics> history)
    {
        EpochMetrics best = history[0];
        foreach (var h in history) if (h.ValAccuracy > best.ValAccuracy) best = h;
        return best.Epoch;
    }
}
