using ConvSharp.Data;
using ConvSharp.IO;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;
using Xunit.Abstractions;

namespace ConvSharp.Tests.Training;

/// <summary>Issue 18, item 3: a run killed at any moment and resumed, any number of times, ends with the weights and
/// the metrics rows of an uninterrupted run, and in between the folder never holds duplicated or missing epochs.
/// A kill is simulated in-process at every point between two file operations and after every batch (the trainer's
/// FaultPoint seam throws; everything in memory is dropped and the next "process" starts from the disk alone), which
/// covers every order of completed writes a SIGKILL can leave (a kill inside an atomic write leaves the file as it was,
/// CrashSafetyTests shows that with real SIGKILLs). Ctrl+C (cancellation) is mixed in at random batches.</summary>
[Collection(FaultPointCollection.Name)]
public class ResumeKillTests(ITestOutputHelper output)
{
    private const int Kills = 100, Epochs = 3;

    private sealed class Kill : Exception;

    /// <summary>One "process": fresh model, optimizer, loaders and trainer; resumes when a checkpoint exists.
    /// Returns the trainer's result, or null when it was killed.</summary>
    private static FitResult? RunOnce(string folder, int killAt, int cancelAtBatch, out int points)
    {
        int seen = 0, batches = 0;
        using var cancel = new CancellationTokenSource();
        RunFolder.FaultPoint = point =>
        {
            seen++;
            if (point == "batch" && ++batches == cancelAtBatch) cancel.Cancel();
            if (seen == killAt) throw new Kill();
        };
        try
        {
            using var model = TrainingData.Net(7);
            using var opt = new Adam(model.Parameters(), 0.02f);
            using var train = new DataLoader(TrainingData.Classes(18, 1), 6, shuffle: true, seed: 3, prefetch: false);
            using var val = new DataLoader(TrainingData.Classes(9, 2), 9, prefetch: false);
            var trainer = new Trainer
            {
                RunDirectory = folder, Resume = File.Exists(Path.Combine(folder, "checkpoint.safetensors")),
                Scheduler = new CosineAnnealingLR(opt, Epochs),
            };
            return trainer.Fit(model, new CrossEntropyLoss(), opt, train, val, Epochs, cancel.Token);
        }
        catch (Kill)
        {
            return null;
        }
        finally
        {
            points = seen;
            RunFolder.FaultPoint = null;
        }
    }

    private static string[] Rows(string folder) =>
        File.Exists(Path.Combine(folder, "metrics.csv")) ? File.ReadAllLines(Path.Combine(folder, "metrics.csv"))[1..] : [];

    // Every column but the wall-clock seconds.
    private static string Stable(string row) => row[..row.LastIndexOf(',')];

    private static float[][] Weights(string path)
    {
        using var t = SafeTensors.Load(path);
        return t.Where(kv => !kv.Key.StartsWith("optimizer.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.ToArray()).ToArray();
    }

    private static int CommittedEpochs(string folder)
    {
        string path = Path.Combine(folder, "checkpoint.safetensors");
        if (!File.Exists(path)) return 0;
        string json = SafeTensors.ReadHeader(path).Metadata["convsharp.resume"];
        return System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("history").GetArrayLength();
    }

    [Fact]
    public void Random_kills_and_resumes_end_with_the_uninterrupted_runs_weights_and_rows()
    {
        using var root = new TempFolder();
        string reference = Path.Combine(root.Path, "reference");
        Assert.NotNull(RunOnce(reference, killAt: 0, cancelAtBatch: 0, out int total));
        string[] referenceRows = Rows(reference).Select(Stable).ToArray();
        Assert.Equal(Epochs, referenceRows.Length);
        float[][] finalWeights = Weights(Path.Combine(reference, "checkpoint.safetensors"));
        float[][] keptWeights = Weights(Path.Combine(reference, "model.safetensors"));

        var random = new Random(20261204);
        int kills = 0, runs = 0, cancels = 0, repairsSeen = 0;
        while (kills < Kills)
        {
            string folder = Path.Combine(root.Path, $"run{runs++}");
            for (int attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 50, "a run did not finish in 50 attempts");
                int cancelAt = random.Next(4) == 0 ? random.Next(1, 10) : 0;
                int killAt = kills < Kills && random.Next(5) != 0 ? random.Next(1, total + 1) : 0;
                FitResult? result = RunOnce(folder, killAt, cancelAt, out _);
                if (result is null) kills++;
                else if (result.Interrupted) cancels++;

                // Between processes: the rows are the committed epochs 1..n, or lag them by one (the kill came between
                // the commit and the metrics.csv write) — never a duplicate, never a gap — and they agree with the reference.
                int committed = CommittedEpochs(folder);
                string[] rows = Rows(folder);
                Assert.True(rows.Length == committed || rows.Length == committed - 1, $"{rows.Length} rows for {committed} committed epochs");
                if (rows.Length < committed) repairsSeen++;
                Assert.Equal(referenceRows[..rows.Length], rows.Select(Stable));
                if (File.Exists(Path.Combine(folder, "resume.json")))
                    System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "resume.json")));  // never torn
                if (result is { Interrupted: false }) break;
            }
            Assert.Equal(referenceRows, Rows(folder).Select(Stable));
            Assert.Equal(finalWeights, Weights(Path.Combine(folder, "checkpoint.safetensors")));
            Assert.Equal(keptWeights, Weights(Path.Combine(folder, "model.safetensors")));
        }
        output.WriteLine($"{kills} kills and {cancels} Ctrl+C over {runs} runs ({total} fault points per uninterrupted run); {repairsSeen} times metrics.csv lagged its checkpoint and was repaired on resume.");
        Assert.True(repairsSeen > 0, "no kill landed between a commit and the metrics.csv write; the test would not show the repair");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultPointCollection
{
    public const string Name = "trainer fault points (a static seam)";
}
