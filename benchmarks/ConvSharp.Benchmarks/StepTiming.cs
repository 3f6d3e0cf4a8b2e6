using System.Diagnostics;

namespace ConvSharp.Benchmarks;

/// <summary>Quick same-run comparisons between BenchmarkDotNet runs, and loops to attach `perf record` to:
/// <list type="bullet">
/// <item>`steps NETWORK [--batch B] [--threads T] [--rounds R] [--only convsharp|torch]`: training steps.</item>
/// <item>`infer [--batch B] [--threads T]`: inference of the 29,066-parameter network.</item>
/// <item>`convs [--threads T] [--rounds R] [--shape "N C K H W"] [--only …]`: Conv2d forward + backward per shape.</item>
/// </list>
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
        int repeat = Math.Max(1, (int)(0.2 / Math.Max(1e-6, Once(ours))));
        var a = new List<double>();
        var b = new List<double>();
        for (int r = 0; r <= rounds; r++)
        {
            if (only != "torch") a.Add(Round(ours, repeat));
            if (only != "convsharp") b.Add(Round(theirs, repeat));
            if (r == 0) { a.Clear(); b.Clear(); }  // warm-up round
        }
        double ma = Median(a), mb = Median(b);
        string rate = images > 0 ? $" ({images / ma * 1000:N0} vs {images / mb * 1000:N0} img/s)" : "";
        Console.WriteLine($"{what}, {threads} thread(s): ConvSharp {ma:F3} ms, TorchSharp {mb:F3} ms{rate}, ratio {mb / ma:F2}x " +
                          $"[ours {string.Join(" ", a.Select(t => t.ToString("F2")))}]");
    }

    private static double Once<T>(Func<T> f)
    {
        f();
        var watch = Stopwatch.StartNew();
        f();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Round<T>(Func<T> f, int repeat)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < repeat; i++) f();
        return watch.Elapsed.TotalMilliseconds / repeat;
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
