using Xunit.Abstractions;
using System.Collections.Concurrent;
using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Tests.Reliability;

/// <summary>A process killed with SIGKILL while it saves a checkpoint never costs the checkpoint: after
/// every kill the file at the path loads and holds one complete version, the last one announced or the
/// one being written when the kill came.</summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 30;

    [Fact]
    public void Killing_a_writer_mid_save_always_leaves_a_complete_previous_checkpoint()
    {
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");
        var random = new Random(20261123);
        long lastAnnounced = 0, nextStart = 1;
        int killedMidWrite = 0, killedAfterRename = 0;
        for (int kill = 0; kill < Kills; kill++)
        {
            int tempsBefore = Temps(dir);
            using var child = StressProgram.Start("write-checkpoints", "--path", path, "--start", nextStart.ToString());
            var saved = new BlockingCollection<long>();
            child.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.StartsWith("saved ", StringComparison.Ordinal)) saved.Add(long.Parse(line[6..]));
            };
            child.BeginOutputReadLine();
            // Wait for the child's first save (or, every fifth time, kill it before or during that first save).
            if (kill % 5 != 4 && !SpinWait.SpinUntil(() => saved.Count > 0, TimeSpan.FromSeconds(20)))
            {
                if (!child.HasExited) child.Kill();
                Assert.Fail($"kill {kill}: the writer announced no save within 20 s (exit code {(child.WaitForExit(5000) ? child.ExitCode : -1)}): {child.StandardError.ReadToEnd()}");
            }
            Thread.Sleep(random.Next(0, 40));
            child.Kill();  // SIGKILL on Linux
            child.WaitForExit();
            Assert.NotEqual(0, child.ExitCode);
            long childLast = LastAnnounced(child, saved);
            if (Temps(dir) > tempsBefore) killedMidWrite++;  // a new temporary file: the kill landed inside a save

            if (!File.Exists(path))
            {
                Assert.Equal(0, lastAnnounced + childLast);  // killed before the very first save finished: nothing was promised yet
                continue;
            }
            long version = CompleteVersion(path);
            // The file holds the last version announced (by this child, or the previous file when this one
            // announced none), or the one after it: renamed into place, killed before it was announced.
            long announced = childLast > 0 ? childLast : lastAnnounced;
            long next = childLast > 0 ? childLast + 1 : nextStart;
            Assert.True(version == announced || version == next, $"kill {kill}: the checkpoint holds version {version}, expected {announced} or {next}");
            if (version == next) killedAfterRename++;
            lastAnnounced = version;
            nextStart = version + 1000;  // versions from different children never collide
        }
        output.WriteLine($"{Kills} kills: {killedMidWrite} inside a save (temporary file left), {killedAfterRename} between the rename and its announcement; every checkpoint loaded complete.");
        Assert.True(killedMidWrite > 0, "no kill landed inside a save; the test would prove nothing");
        // Killed writers leave their temporary file behind (nothing runs after SIGKILL), never a torn target.
        Assert.All(dir.FileNames().Where(n => n != "model.safetensors"), n => Assert.Matches(@"^\.model\.safetensors\.[0-9a-f]{32}\.tmp$", n));
        Assert.True(File.Exists(path));
    }

    private static int Temps(TempFolder dir) => dir.FileNames().Count(n => n.EndsWith(".tmp", StringComparison.Ordinal));

    private static long LastAnnounced(System.Diagnostics.Process child, BlockingCollection<long> saved)
    {
        child.WaitForExit();  // after the exit, every line the child wrote has been delivered
        return saved.ToArray().DefaultIfEmpty(0).Max();
    }

    /// <summary>The architecture tests/ConvSharp.Stress/CheckpointWriter.cs saves (names and shapes only matter).</summary>
    private static Sequential WriterModel() => new(
        new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10)),
        new Linear(1024, 512));

    /// <summary>Loads the checkpoint and returns its version, failing unless every tensor holds that one version's values.</summary>
    private static long CompleteVersion(string path)
    {
        using TensorDictionary loaded = SafeTensors.Load(path);
        using var model = WriterModel();
        var expected = model.StateDict().Select(t => (t.Name, Shape: t.Tensor.Shape)).ToArray();
        Assert.Equal(expected.Select(e => e.Name), loaded.Keys);
        long version = (long)(loaded.Values.First().ToArray()[0] / 64);
        int j = 0;
        foreach (var (name, tensor) in loaded.Keys.Zip(loaded.Values))
        {
            Assert.Equal(expected[j].Shape, tensor.Shape);
            float want = version * 64 + j;
            float[] values = tensor.ToArray();
            Assert.True(values.All(v => v == want), $"{name} is not uniformly {want}: a torn checkpoint");
            j++;
        }
        return version;
    }
}
