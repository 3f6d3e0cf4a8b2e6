using System.Diagnostics;
using System.Globalization;
using ConvSharp.Memory;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Stress;

/// <summary>`memory --loop scoped|careless|careless-unrolled|infer-scoped|infer-careless|infer-careless-unrolled|trim [--steps N] [--threads T]`: one loop per
/// process, so each peak RSS (VmHWM) is its own. "careless" is the loop a PyTorch user writes: no using, no
/// Tensor.Scope(). Prints one line: the loop, steps, median and mean step time, peak and final RSS, pressure collections.</summary>
internal static class MemoryModes
{
    private const int Batch = 16, Batches = 32;

    public static int Run(Arguments arguments)
    {
        string loop = arguments.String("loop") ?? "scoped";
        long steps = arguments.Long("steps", 1_500);
        Blas.NumThreads = (int)arguments.Long("threads", Blas.NumThreads);
        if (loop == "trim") return Trim();
        if (loop == "scope-cost") return ScopeCost();

        var generator = new Generator(0);
        using Sequential model = Network.MnistCnn(generator);
        using var optimizer = new Adam(model.Parameters(), lr: 1e-3f);
        var lossFn = new CrossEntropyLoss();
        var images = new Tensor[Batches];
        var labels = new Tensor[Batches];
        var random = new Random(1);
        for (int b = 0; b < Batches; b++)
        {
            images[b] = Tensor.Randn([Batch, 1, 28, 28], generator);
            labels[b] = Tensor.FromArray([.. Enumerable.Range(0, Batch).Select(_ => (float)random.Next(10))], Batch);
        }
        bool infer = loop.StartsWith("infer", StringComparison.Ordinal), scoped = loop.EndsWith("scoped", StringComparison.Ordinal);
        bool unrolled = loop.EndsWith("unrolled", StringComparison.Ordinal);
        if (infer) model.Eval();
        var times = new List<double>((int)steps);
        var watch = new Stopwatch();
        int owned = 0;
        for (long step = 0; step < steps; step++)
        {
            Tensor x = images[step % Batches], y = labels[step % Batches];
            watch.Restart();
            TensorScope? scope = scoped ? Tensor.Scope() : null;
            if (infer)
            {
                using (Autograd.NoGrad())
                {
                    var logits = unrolled ? model.Children().Aggregate(x, (h, m) => m.Forward(h)) : model.Forward(x);
                    _ = logits.Numel;
                }
            }
            else
            {
                // "unrolled": the layers called one by one, as a hand-written Module.Forward does, so only the
                // pool-pressure rule (not Sequential's freeing of its intermediates) bounds the memory.
                var logits = unrolled ? model.Children().Aggregate(x, (h, m) => m.Forward(h)) : model.Forward(x);
                var loss = lossFn.Forward(logits, y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
            owned = scope?.Count ?? owned;
            scope?.Dispose();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        double[] sorted = [.. times.Skip(times.Count / 10).Order()];  // the first 10 % is warm-up
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory {loop}: {steps} steps of batch {Batch}, {Blas.NumThreads} thread(s): step median {sorted[sorted.Length / 2]:F3} ms, " +
            $"mean {sorted.Average():F3} ms; peak RSS {PeakResidentBytes() / (1 << 20)} MiB, final RSS {LongRun.ResidentBytes() / (1 << 20)} MiB; " +
            $"{PinnedArrayPool.Shared.PressureCollections} pressure collections{(scoped ? $"; {owned} tensors per step in the scope" : "")}"));
        return 0;
    }

    /// <summary>A burst of large tensors, disposed, then Trim: how much of the freed memory leaves the process.</summary>
    private static int Trim()
    {
        long before = LongRun.ResidentBytes();
        var burst = new List<Tensor>();
        for (int i = 0; i < 24; i++) burst.Add(Tensor.Ones(8 << 20));  // 24 × 32 MiB, distinct arrays (the pool keeps up to 32 each)
        long full = LongRun.ResidentBytes();
        foreach (Tensor t in burst) t.Dispose();
        long disposed = LongRun.ResidentBytes();
        PinnedArrayPool.Shared.Trim();
        long trimmed = LongRun.ResidentBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory trim: RSS {before >> 20} MiB before, {full >> 20} MiB holding 768 MiB of tensors, {disposed >> 20} MiB after Dispose (kept by the pool), " +
            $"{trimmed >> 20} MiB after PinnedArrayPool.Shared.Trim(): {(double)(disposed - trimmed) / (full - before):P0} of the burst returned"));
        return 0;
    }

    /// <summary>What Tensor.Scope() costs per tensor and per step: 200,000 rounds of 64 one-element tensors made and
    /// disposed inside a scope, against the same without one (where registration is one AsyncLocal read).</summary>
    private static int ScopeCost()
    {
        const int rounds = 200_000, perRound = 64;
        var tensors = new Tensor[perRound];
        double Measure(bool scoped)
        {
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
            {
                TensorScope? scope = scoped ? Tensor.Scope() : null;
                for (int i = 0; i < perRound; i++) tensors[i] = Tensor.Empty(1);
                if (scope is null) foreach (Tensor t in tensors) t.Dispose();
                else scope.Dispose();
            }
            return watch.Elapsed.TotalMilliseconds * 1e6 / ((double)rounds * perRound);
        }
        Measure(true);
        Measure(false);
        var with = new List<double>();
        var without = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            with.Add(Measure(true));
            without.Add(Measure(false));
        }
        double w = with.Order().ElementAt(2), wo = without.Order().ElementAt(2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory scope-cost: a tensor made and disposed costs {wo:F0} ns without a scope, {w:F0} ns inside one (median of 5 × {rounds * perRound:N0}): " +
            $"the scope adds {w - wo:F0} ns per tensor"));
        return 0;
    }

    /// <summary>VmHWM (peak resident set) from /proc/self/status, in bytes.</summary>
    private static long PeakResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("/proc/self/status has no VmHWM line.");
    }
}
