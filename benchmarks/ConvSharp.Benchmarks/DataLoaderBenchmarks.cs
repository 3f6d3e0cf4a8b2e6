using BenchmarkDotNet.Attributes;
using ConvSharp.Data;

namespace ConvSharp.Benchmarks;

/// <summary>Loading Fashion-MNIST (the embedded 6,000-image subset, or whatever FashionMnist.Load() finds)
/// in shuffled batches of 16 through RandomRotation(15) + ToTensor + Normalize: one invocation takes
/// <see cref="Batches"/> batches, and OperationsPerInvoke makes the reported time per image, so
/// images per second = 1e9 / Mean [ns]. Prefetching builds batches on the loader's worker task;
/// synchronous builds them on the caller's thread. With <see cref="ConsumerMicroseconds"/> = 0 the consumer
/// does no work, so both measure the loading rate itself; with a busy consumer (a stand-in for a training
/// step, spinning that long per batch) prefetching should hide the loading time behind it.</summary>
public class DataLoaderBenchmarks
{
    private const int BatchSize = 16;
    private const int Batches = 100;
    private DataLoader _prefetching = null!, _synchronous = null!;

    /// <summary>Busy time per batch on the consuming thread, in microseconds.</summary>
    [Params(0, 100)]
    public int ConsumerMicroseconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var transform = new Compose(new RandomRotation(15f), new ToTensor(), new Normalize(0.2860f, 0.3530f));
        ImageDataset data = FashionMnist.Load(train: true, transform);
        _prefetching = new DataLoader(data, BatchSize, shuffle: true, seed: 0, prefetch: true);
        _synchronous = new DataLoader(data, BatchSize, shuffle: true, seed: 0, prefetch: false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batches * BatchSize, Description = "prefetching (worker task)")]
    public float Prefetching() => Take(_prefetching, ConsumerMicroseconds);

    [Benchmark(OperationsPerInvoke = Batches * BatchSize, Description = "synchronous")]
    public float Synchronous() => Take(_synchronous, ConsumerMicroseconds);

    private static float Take(DataLoader loader, int busyMicroseconds)
    {
        long busyTicks = busyMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        int taken = 0;
        float check = 0;
        foreach (var (images, labels) in loader)
        {
            using var scope = Tensor.Scope();
            check += labels.Numel + images.Size(0);
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + busyTicks;
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
            if (++taken == Batches) break;
        }
        return check;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prefetching.Dispose();
        _synchronous.Dispose();
    }
}
