using System.Diagnostics;

namespace ConvSharp.Benchmarks;

/// <summary>Quick same-run comparisons between BenchmarkDotNet runs, and loops to attach `perf record` to:
/// <list type="bullet">
/// <item>`steps NETWORK [--batch B] [--threads T] [--rounds R] [--only convsharp|torch] [--alloc]`: training steps
/// (--alloc: the runtime's allocation samples by type).</item>
/// <item>`infer [--batch B] [--threads T]`: inference of the 29,066-parameter network.</item>
/// <item>`convs [--threads T] [--rounds R] [--shape "N C K H W"] [--only …]`: Conv2d forward + backward per shape.</item>
/// </list>
/// Beside the medians of rounds, each prints the median and p90 of single steps (the stability target: p90 ≤ 1.25 ×
/// median from the first measured round on) and ConvSharp's managed allocation and GC collections per step.
/// Both libraries run in alternating rounds of about 0.2 s each; the median round of each and their ratio are printed.</summary>
public static class StepTiming
{
    public static int Steps(string[] args)
    {
        string network = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "mnist-cnn";
        var bench = new TrainingStepBenchmarks { Network = network, Batch = Option(args, "--batch", 16), Threads = Option(args, "--threads", 2) };
        bench.Setup();
        Compare($"{network} batch {bench.Batch} train step", bench.Batch, () => bench.ConvSharpStep(), () => bench.TorchStep(), args);
        bench.Cleanup();
        return 0;
    }

    public static int Infer(string[] args)
    {
        var bench = new InferenceBenchmarks { Batch = Option(args, "--batch", 1), Threads = Option(args, "--threads", 2) };
        bench.Setup();
        Compare($"mnist-cnn inference batch {bench.Batch}", bench.Batch, () => bench.ConvSharpInference(), () => bench.TorchInference(), args);
        bench.Cleanup();
        return 0;
    }

    public static int Convs(string[] args)
    {
        int at = Array.IndexOf(args, "--shape");
        string[] shapes = at >= 0 && at + 1 < args.Length ? [args[at + 1]]
            : ["16 1 16 28 28", "16 16 32 14 14", "16 32 64 7 7", "16 3 32 32 32", "16 32 32 32 32",
               "16 32 64 16 16", "16 64 64 16 16", "32 64 64 56 56", "8 256 256 14 14", "1 3 16 768 1024 5 2 1"];
        foreach (string shape in shapes)
        {
            var bench = new ConvLayerBenchmarks { Shape = shape, Threads = Option(args, "--threads", 2) };
            bench.Setup();
            if (!args.Contains("--backward-only"))
                Compare($"conv {shape} forward", 0, () => bench.ConvSharpForward(), () => bench.TorchForward(), args);
            Compare($"conv {shape} fwd+bwd", 0, () => bench.ConvSharpBackward(), () => bench.TorchBackward(), args);
            bench.Cleanup();
        }
        return 0;
    }

    private static void Compare<T1, T2>(string what, int images, Func<T1> ours, Func<T2> theirs, string[] args)
    {
        int rounds = Option(args, "--rounds", 7), threads = Option(args, "--threads", 2);
        int at = Array.IndexOf(args, "--only");
        string only = at >= 0 && at + 1 < args.Length ? args[at + 1] : "";
        Console.WriteLine($"load {ConvCeiling.Load()}");
        using AllocationSampler? sampler = args.Contains("--alloc") ? new AllocationSampler() : null;
        int repeat = Math.Max(1, (int)(0.2 / Math.Max(1e-6, Once(ours))));
        // Warm up until the JIT has stopped compiling: tiered compilation recompiles hot methods on a background
        // thread for a while after their first calls, and a round measured meanwhile ran partly unoptimized code
        // with that thread taking a core (1.3 ms of JIT CPU per LeNet-5 step over the first 7 rounds of 0.2 s).
        int warmups = 0;
        for (long compiled = -1; warmups < 20; warmups++)
        {
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled) break;
            compiled = now;
            if (only != "torch") Round(ours, repeat, []);
            if (only != "convsharp") Round(theirs, repeat, []);
            Thread.Sleep(150);  // tier-1 compiles are batched after a 100 ms quiet period
        }
        Console.WriteLine($"warm-up: {warmups} round(s) until no method was compiled in a round");
        var a = new List<double>();
        var b = new List<double>();
        var stepsA = new List<List<double>>();
        var stepsB = new List<List<double>>();
        long allocated = 0;
        double[] cpu = new double[ThreadTimes.Count];
        int gcs0 = 0, gcs1 = 0, gcs2 = 0, measured = 0;
        for (int r = 0; r <= rounds; r++)
        {
            if (only != "torch")
            {
                int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
                var steps = new List<double>(repeat + 1);
                double[] threadsBefore = ThreadTimes.Sample();
                long bytes = GC.GetTotalAllocatedBytes(precise: true);
                a.Add(Round(ours, repeat, steps));
                bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
                double[] threadsAfter = ThreadTimes.Sample();
                if (r > 0)
                {
                    for (int i = 0; i < cpu.Length; i++) cpu[i] += threadsAfter[i] - threadsBefore[i];
                    allocated += bytes;
                    gcs0 += GC.CollectionCount(0) - g0; gcs1 += GC.CollectionCount(1) - g1; gcs2 += GC.CollectionCount(2) - g2;
                    measured += repeat;
                    stepsA.Add(steps);
                }
            }
            if (only != "convsharp")
            {
                var steps = new List<double>(repeat);
                b.Add(Round(theirs, repeat, steps));
                if (r > 0) stepsB.Add(steps);
            }
            if (r == 0) { a.Clear(); b.Clear(); sampler?.Clear(); }  // warm-up round
        }
        double ma = Median(a), mb = Median(b);
        string rate = images > 0 ? $" ({images / ma * 1000:N0} vs {images / mb * 1000:N0} img/s)" : "";
        Console.WriteLine($"{what}, {threads} thread(s): ConvSharp {ma:F3} ms, TorchSharp {mb:F3} ms{rate}, ratio {mb / ma:F2}x " +
                          $"[ours {string.Join(" ", a.Select(t => t.ToString("F2")))}]");
        // Stability: the spread of single steps, over all measured rounds and within the first one alone.
        foreach (var (name, steps) in new[] { ("ConvSharp", stepsA), ("TorchSharp", stepsB) })
        {
            if (steps.Count == 0) continue;
            var all = steps.SelectMany(s => s).ToList();
            Console.WriteLine($"  {name} single steps: median {Quantile(all, 0.5):F3} ms, p90 {Quantile(all, 0.9):F3} ms " +
                              $"(p90/median {Quantile(all, 0.9) / Quantile(all, 0.5):F2}; first measured round {Quantile(steps[0], 0.9) / Quantile(steps[0], 0.5):F2}; " +
                              $"worst round {steps.Max(s => Quantile(s, 0.9) / Quantile(s, 0.5)):F2})");
        }
        if (measured > 0)
            Console.WriteLine($"  ConvSharp per step: {allocated / measured:N0} managed bytes allocated (all threads), GC gen0/gen1/gen2 {gcs0}/{gcs1}/{gcs2} in {measured} steps; " +
                              $"CPU per step: {ThreadTimes.PerStep(new double[ThreadTimes.Count], cpu, measured)}");
        if (sampler is not null) Console.WriteLine($"  sampled allocations (measured rounds; use --only convsharp for ConvSharp's alone):{Environment.NewLine}{sampler.Report()}");
    }

    /// <summary>The <paramref name="q"/> quantile (nearest rank) of <paramref name="values"/>.</summary>
    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static double Once<T>(Func<T> f)
    {
        f();
        var watch = Stopwatch.StartNew();
        f();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Round<T>(Func<T> f, int repeat, List<double> steps)
    {
        long start = Stopwatch.GetTimestamp(), last = start;
        for (int i = 0; i < repeat; i++)
        {
            f();
            long now = Stopwatch.GetTimestamp();
            steps.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            last = now;
        }
        return Stopwatch.GetElapsedTime(start, last).TotalMilliseconds / repeat;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
    }
}
