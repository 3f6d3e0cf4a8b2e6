using ConvSharp.IO;
using Xunit.Abstractions;

namespace ConvSharp.Tests.Distributed;

/// <summary>`mpirun -np 2 convsharp train --distributed`: sharded data, output and run folder from rank 0 only,
/// and an interrupted distributed run resumed under mpirun reaching the uninterrupted run's weights.</summary>
[Collection("mpirun")]
public sealed class CliDistributedTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Distributed_training_prints_and_writes_once_and_resumes_to_the_same_weights()
    {
        // 120 random 28x28 images of 10 classes: 100 for training (50 per rank), 20 for validation.
        string data = _dir.File("data");
        Directory.CreateDirectory(data);
        var rng = new Random(5);
        byte[] Header(int magic, params int[] dims) => [.. new byte[] { 0, 0, 8, (byte)magic }, .. dims.SelectMany(d => new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d })];
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), [.. Header(3, 120, 28, 28), .. Enumerable.Range(0, 120 * 784).Select(_ => (byte)rng.Next(256))]);
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), [.. Header(1, 120), .. Enumerable.Range(0, 120).Select(i => (byte)(i % 10))]);
        string[] Args(string run) => ["train", "--distributed", "--data", data, "--epochs", "2", "--batch-size", "4", "--out", run, "--seed", "3"];
        var limit = TimeSpan.FromSeconds(120);

        string whole = _dir.File("whole"), split = _dir.File("split");
        var full = MpiRun.RunDll(MpiRun.CliDllPath, 2, limit, null, Args(whole));
        output.WriteLine(full.ToString());
        Assert.True(full.ExitCode == 0, full.ToString());
        Assert.Contains("data-parallel over 2 ranks (global batch 8)", full.Stdout);
        Assert.Single(full.Stdout.Split('\n'), l => l.StartsWith("epoch 1:"));       // progress from rank 0 only
        Assert.Single(full.Stdout.Split('\n'), l => l.StartsWith("Run folder:"));
        foreach (string f in new[] { "model.safetensors", "metrics.csv", "run.json", "confusion.csv" }) Assert.True(File.Exists(Path.Combine(whole, f)), f);

        // 13 batches per epoch per rank (50 / 4, rounded up): stop both ranks inside epoch 2, then resume under mpirun.
        var stopped = MpiRun.RunDll(MpiRun.CliDllPath, 2, limit, new Dictionary<string, string> { ["CONVSHARP_TEST_STOP_AFTER_BATCHES"] = "17" }, Args(split));
        output.WriteLine(stopped.ToString());
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.Contains("Interrupted: checkpoint saved", stopped.Stdout);
        Assert.True(File.Exists(Path.Combine(split, "checkpoint.safetensors")));
        var resumed = MpiRun.RunDll(MpiRun.CliDllPath, 2, limit, null, "train", "--resume", split);
        output.WriteLine(resumed.ToString());
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Single(resumed.Stdout.Split('\n'), l => l.StartsWith("Resuming"));

        using var a = SafeTensors.Load(Path.Combine(whole, "model.safetensors"));
        using var b = SafeTensors.Load(Path.Combine(split, "model.safetensors"));
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys) Assert.Equal(a[key].ToArray(), b[key].ToArray());
    }
}
