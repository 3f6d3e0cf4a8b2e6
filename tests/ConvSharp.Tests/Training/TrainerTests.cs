using System.Globalization;
using ConvSharp.Data;
using ConvSharp.IO;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

namespace ConvSharp.Tests.Training;

public class TrainerTests
{
    private sealed class Recorder : TrainerCallback
    {
        public List<string> Events { get; } = [];

        public override void OnFitStart(Trainer trainer, Module model, IReadOnlyList<EpochMetrics> history) => Events.Add($"start {history.Count}");

        public override void OnEpochStart(Trainer trainer, int epoch) => Events.Add($"epoch {epoch}");

        public override void OnEpochEnd(Trainer trainer, EpochMetrics metrics, IReadOnlyList<EpochMetrics> history, bool improved) =>
            Events.Add($"end {metrics.Epoch} {history.Count} {improved}");

        public override void OnFitEnd(Trainer trainer, FitResult result) => Events.Add($"fit {result.History.Count}");
    }

    [Fact]
    public void Fit_trains_validates_keeps_the_best_epoch_and_writes_the_run_folder()
    {
        using var dir = new TempFolder();
        using var model = TrainingData.Net(1);
        model.Architecture = "hand-made";
        using var opt = new Adam(model.Parameters(), 0.01f);
        using var train = new DataLoader(TrainingData.Classes(48, 1), 8, shuffle: true, seed: 2);
        using var val = new DataLoader(TrainingData.Classes(24, 2), 12);
        var recorder = new Recorder();
        var reports = new List<TrainProgress>();
        var trainer = new Trainer
        {
            RunDirectory = dir.Path, Scheduler = new StepLR(opt, 1, 0.5f), ClipGradNorm = 1f, Progress = new SyncProgress(reports.Add),
            ModelInfo = new ModelInfo { Input = [1, 6, 6] },
        };
        trainer.Callbacks.Add(recorder);
        FitResult result = trainer.Fit(model, new CrossEntropyLoss(), opt, train, val, epochs: 3);

        Assert.Equal([1, 2, 3], result.History.Select(h => h.Epoch));
        Assert.False(result.Interrupted);
        Assert.Equal(["start 0", "epoch 1"], recorder.Events[..2]);
        Assert.Equal("fit 3", recorder.Events[^1]);
        Assert.Equal(18, reports.Count);  // 6 batches × 3 epochs
        Assert.Equal((3, 6, 6, 48), (reports[^1].Epoch, reports[^1].Batch, reports[^1].Batches, (int)reports[^1].Samples));
        Assert.Equal([0.005, 0.0025, 0.00125], result.History.Select(h => Math.Round(h.Lr, 6)));  // StepLR stepped after each epoch
        Assert.True(result.History[^1].ValAccuracy > 0.9, $"the bands are easy: {result.History[^1].ValAccuracy}");
        double bestAccuracy = result.History.Max(h => h.ValAccuracy);
        Assert.Equal(result.History.First(h => h.ValAccuracy == bestAccuracy).Epoch, result.BestEpoch);

        // metrics.csv holds the same rows, model.safetensors the kept epoch's weights with their metadata.
        string[] rows = File.ReadAllLines(Path.Combine(dir.Path, "metrics.csv"));
        Assert.Equal(EpochMetrics.CsvHeader, rows[0]);
        Assert.Equal(result.History.Select(h => h.ToCsv()), rows[1..]);
        var meta = SafeTensors.ReadHeader(Path.Combine(dir.Path, "model.safetensors")).Metadata;
        Assert.Equal(result.BestEpoch.ToString(CultureInfo.InvariantCulture), meta["convsharp.epoch"]);
        Assert.Equal("hand-made", meta["convsharp.architecture"]);
        Assert.Equal("1x6x6", meta["convsharp.input"]);
        Assert.True(File.Exists(Path.Combine(dir.Path, "resume.json")));

        // Evaluate on its own gives the validation numbers of the kept epoch.
        using var kept = TrainingData.Net(1);
        kept.Load(Path.Combine(dir.Path, "model.safetensors"));
        var (loss, matrix) = Trainer.Evaluate(kept, new CrossEntropyLoss(), val);
        Assert.Equal(result.Best!.ValAccuracy, matrix!.Accuracy);
        Assert.Equal(result.Best.ValLoss, loss, 1e-9);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement()
    {
        using var model = TrainingData.Net(1);
        using var opt = new Sgd(model.Parameters(), 0f);  // lr 0: nothing ever improves after epoch 1
        using var train = new DataLoader(TrainingData.Classes(12, 1), 6);
        using var val = new DataLoader(TrainingData.Classes(6, 2), 6);
        var result = new Trainer { Patience = 2 }.Fit(model, new CrossEntropyLoss(), opt, train, val, epochs: 10);
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(1, result.BestEpoch);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer { Patience = 0 }.Fit(model, new CrossEntropyLoss(), opt, train, val, 1));
        Assert.StartsWith("Patience must be at least 1, but is 0.", e.Message);
        Assert.StartsWith("epochs must be at least 1, but is 0.", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer().Fit(model, new CrossEntropyLoss(), opt, train, val, 0)).Message);
    }

    [Fact]
    public void A_denoiser_trains_on_image_pairs_and_keeps_the_lowest_validation_loss()
    {
        var rng = new Random(3);
        float[][] clean = Enumerable.Range(0, 24).Select(i => Enumerable.Range(0, 64).Select(p => (p / 8 + i) % 2 == 0 ? 1f : 0f).ToArray()).ToArray();
        float[][] noisy = clean.Select(c => c.Select(v => v + (float)(rng.NextDouble() - 0.5) * 0.4f).ToArray()).ToArray();
        var train = new PairLoader(noisy[..16], clean[..16], 4, [1, 8, 8]);
        var val = new PairLoader(noisy[16..], clean[16..], 8, [1, 8, 8]);
        using var model = new Sequential(new Conv2d(1, 8, 3, padding: 1, generator: new Generator(5)), new ReLU(), new Conv2d(8, 1, 3, padding: 1, generator: new Generator(6)));
        using var opt = new Adam(model.Parameters(), 0.01f);
        var result = new Trainer().Fit(model, new MSELoss(), opt, train, val, epochs: 8);
        Assert.All(result.History, h => Assert.True(double.IsNaN(h.TrainAccuracy) && double.IsNaN(h.ValAccuracy)));
        Assert.True(result.History[^1].ValLoss < result.History[0].ValLoss / 2, string.Join(", ", result.History.Select(h => h.ValLoss)));
        Assert.Equal(result.History.MinBy(h => h.ValLoss)!.Epoch, result.BestEpoch);
    }

    [Fact]
    public void A_diverging_loss_names_the_epoch_and_batch()
    {
        using var model = TrainingData.Net(1);
        using var opt = new Sgd(model.Parameters(), 1e38f);
        using var train = new DataLoader(TrainingData.Classes(24, 1), 4);
        var e = Assert.Throws<TrainingDivergedException>(() => new Trainer().Fit(model, new CrossEntropyLoss(), opt, train, null, 3));
        Assert.Matches(@"^training stopped at epoch 1, batch \d+: the loss is ", e.Message);
        Assert.Equal(1, e.Epoch);
    }

    private sealed class SyncProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
