using System.Diagnostics;
using System.Globalization;
using ConvSharp.Memory;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Stress;

/// <summary>Trains the 29,066-parameter network for many steps on generated data and samples the
/// managed heap, the pinned pool and the process RSS every few steps; after warm-up each must stay
/// within a tolerance of its warm-up value. Exit code 0 when flat, 1 when not.</summary>
internal static class LongRun
{
    private const int Batch = 16;
    private const int Batches = 32;

    public static int Run(Arguments arguments)
    {
        long steps = arguments.Long("steps", 20_000);
        long every = arguments.Long("every", 1_000);
        long warmup = arguments.Long("warmup", 2_000);
        double tolerance = arguments.Double("tolerance", 0.05);
        Blas.NumThreads = (int)arguments.Long("threads", Blas.NumThreads);

        var generator = new Generator(0);
        using Sequential model = Network.MnistCnn(generator);
        using var optimizer = new Adam(model.Parameters(), lr: 1e-3f);
        var lossFn = new CrossEntropyLoss();
        // Generated data made once, so the loop itself allocates only what the library allocates.
        var images = new Tensor[Batches];
        var labels = new Tensor[Batches];
        var random = new Random(1);
        for (int b = 0; b < Batches; b++)
        {
            images[b] = Tensor.Randn([Batch, 1, 28, 28], generator);
            labels[b] = Tensor.FromArray([.. Enumerable.Range(0, Batch).Select(_ => (float)random.Next(10))], Batch);
        }

        Console.WriteLine($"longrun: {model.ParameterCount()} parameters, batch {Batch}, {steps} steps, sample every {every}, warm-up {warmup}, {Blas.NumThreads} OpenBLAS thread(s) ({Blas.CoreName})");
        Console.WriteLine("| step | loss | managed heap (KiB) | pool rented (KiB) | pool retained (KiB) | pool allocated (KiB) | RSS (KiB) | elapsed (s) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        var clock = Stopwatch.StartNew();
        var samples = new List<(long Step, Sample Value)>();
        float loss = float.NaN;
        for (long step = 0; step <= steps; step++)
        {
            if (step % every == 0 || step == warmup)
            {
                Sample s = Sample.Take();
                samples.Add((step, s));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {step} | {loss:F4} | {s.Heap / 1024} | {s.Pool.RentedBytes / 1024} | {s.Pool.RetainedBytes / 1024} | {s.Pool.AllocatedBytes / 1024} | {s.Rss / 1024} | {clock.Elapsed.TotalSeconds:F1} |"));
            }
            if (step == steps) break;
            using var scope = Tensor.Scope();
            int b = (int)(step % Batches);
            var output = lossFn.Forward(model.Forward(images[b]), labels[b]);
            optimizer.ZeroGrad();
            output.Backward();
            optimizer.Step();
            loss = output.Item();
        }
        foreach (var t in images.Concat(labels)) t.Dispose();

        Sample baseline = samples.First(s => s.Step == warmup).Value;
        var after = samples.Where(s => s.Step > warmup).Select(s => s.Value).ToList();
        bool flat = true;
        flat &= Check("managed heap", baseline.Heap, after.Max(s => s.Heap), tolerance);
        flat &= Check("pool rented", baseline.Pool.RentedBytes, after.Max(s => s.Pool.RentedBytes), tolerance);
        flat &= Check("pool retained", baseline.Pool.RetainedBytes, after.Max(s => s.Pool.RetainedBytes), tolerance);
        flat &= Check("pool allocated", baseline.Pool.AllocatedBytes, after.Max(s => s.Pool.AllocatedBytes), tolerance);
        flat &= Check("RSS", baseline.Rss, after.Max(s => s.Rss), tolerance);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{steps} steps in {clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalMilliseconds / steps:F2} ms/step); flat within {tolerance:P0} after warm-up: {(flat ? "yes" : "NO")}"));
        return flat ? 0 : 1;
    }

    private static bool Check(string what, long baseline, long max, double tolerance)
    {
        double growth = baseline == 0 ? (max == 0 ? 0 : double.PositiveInfinity) : (double)(max - baseline) / baseline;
        bool ok = growth <= tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: after warm-up {baseline / 1024} KiB, largest later {max / 1024} KiB, growth {growth:P2} {(ok ? "ok" : "TOO MUCH")}"));
        return ok;
    }

    private readonly record struct Sample(long Heap, PoolStatistics Pool, long Rss)
    {
        // RSS is read first, as the loop left it: a forced compacting collection commits fresh regions and
        // the GC hands the old ones back to the OS only gradually, so RSS read right after it shows a bump
        // that is the collector's, not the loop's. Heap and pool are read after it, when garbage is gone.
        public static Sample Take()
        {
            long rss = ResidentBytes();
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            GC.WaitForPendingFinalizers();
            return new Sample(heap, PinnedArrayPool.Shared.Statistics, rss);
        }
    }

    /// <summary>VmRSS from /proc/self/status, in bytes.</summary>
    internal static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
