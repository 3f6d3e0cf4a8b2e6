using System.Diagnostics;
using ConvSharp.Backends;

namespace ConvSharp.Benchmarks;

/// <summary>`ceiling` quick mode: every convolution layer of the three benchmark networks, its forward, input
/// gradient (backward-data) and weight gradient (backward-filter) timed separately through the CPU backend's plan,
/// as GFLOP/s and as a fraction of the same run's OpenBLAS sgemm rate at 2048³ on one thread (the practical
/// per-core ceiling), at 1 and 2 threads with the 2-thread speed-up. The ceiling is timed again in every round of every
/// layer (one 2048³ call a round, alternating with the passes), and each row is read against the median of its own
/// layer's ceiling samples, so a machine whose load changes during the run still gives same-moment fractions.
/// <c>ceiling [--batch 64] [--rounds 7] [--net cifar-cnn]</c>. Each pass counts 2·N·K·C·KH·KW·OH·OW flops.</summary>
public static unsafe class ConvCeiling
{
    /// <summary>Conv layers per network: C, K, H (= W), kernel, padding (stride 1, as the networks build them).</summary>
    private static readonly IReadOnlyDictionary<string, (int C, int K, int H, int Kernel, int Pad)[]> Layers =
        new Dictionary<string, (int, int, int, int, int)[]>
        {
            ["mnist-cnn"] = [(1, 16, 28, 3, 1), (16, 32, 14, 3, 1), (32, 64, 7, 3, 1)],
            ["lenet5"] = [(3, 6, 32, 5, 0), (6, 16, 14, 5, 0), (16, 120, 5, 5, 0)],
            ["cifar-cnn"] = [(3, 32, 32, 3, 1), (32, 32, 32, 3, 1), (32, 64, 16, 3, 1), (64, 64, 16, 3, 1)],
        };

    private static readonly string[] Passes = ["forward", "backward-data", "backward-filter"];

    public static int Run(string[] args)
    {
        int batch = Option(args, "--batch", 64), rounds = Option(args, "--rounds", 7);
        int at = Array.IndexOf(args, "--net");
        string[] nets = at >= 0 && at + 1 < args.Length ? [args[at + 1]] : ["mnist-cnn", "lenet5", "cifar-cnn"];
        using var sgemm = new Sgemm(2048);
        double first = Median([.. Enumerable.Range(0, rounds).Select(_ => sgemm.Gflops())]);
        Console.WriteLine($"ceiling: OpenBLAS sgemm 2048^3, 1 thread: {first:F1} GFLOP/s (median of {rounds}, before the layers); load {Load()}");
        Console.WriteLine("| network | layer (N C→K H×W k) | pass | ceiling GFLOP/s (this layer's rounds) | 1 thread GFLOP/s | of ceiling | 2 threads GFLOP/s | of ceiling (per core) | 2T / 1T |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (string net in nets)
            foreach (var (c, k, h, kernel, pad) in Layers[net])
            {
                var layer = new ConvLayer(batch, c, k, h, kernel, pad);
                double[,] ms = new double[3, 2];
                // Alternate the thread settings round by round so both see the same machine load.
                var samples = new List<double>[3, 2];
                var ceilings = new List<double>();
                for (int p = 0; p < 3; p++) for (int t = 0; t < 2; t++) samples[p, t] = [];
                for (int r = 0; r <= rounds; r++)
                {
                    Blas.NumThreads = 1;
                    if (r > 0) ceilings.Add(sgemm.Gflops());
                    for (int t = 0; t < 2; t++)
                    {
                        Blas.NumThreads = t + 1;
                        for (int p = 0; p < 3; p++)
                        {
                            double time = layer.Time(p);
                            if (r > 0) samples[p, t].Add(time);
                        }
                    }
                }
                double ceiling = Median(ceilings);
                for (int p = 0; p < 3; p++)
                {
                    for (int t = 0; t < 2; t++) ms[p, t] = Median(samples[p, t]);
                    double g1 = layer.Flops / ms[p, 0] / 1e6, g2 = layer.Flops / ms[p, 1] / 1e6;
                    Console.WriteLine($"| {net} | {batch} {c}→{k} {h}×{h} {kernel}×{kernel} | {Passes[p]} | {ceiling:F1} | {g1:F1} | {g1 / ceiling:P0} | " +
                                      $"{g2:F1} | {g2 / 2 / ceiling:P0} | {ms[p, 0] / ms[p, 1]:F2}x |");
                }
                layer.Dispose();
            }
        return 0;
    }

    /// <summary>One layer's tensors and its plans (one per thread setting, as the backend caches them).</summary>
    private sealed class ConvLayer : IDisposable
    {
        private readonly Tensor _x, _w, _b, _y, _dy, _dx, _dw;
        private readonly ConvGeometry _g;
        private readonly int _k;

        public ConvLayer(int n, int c, int k, int h, int kernel, int pad)
        {
            _g = new ConvGeometry(n, c, h, h, kernel, kernel, 1, 1, pad, pad, 1, 1, 1);
            _k = k;
            _x = Tensor.Rand([n, c, h, h], seed: 1);
            _w = Tensor.Rand([k, c, kernel, kernel], seed: 2);
            _b = Tensor.Rand([k], seed: 3);
            _y = Tensor.Zeros(n, k, _g.OH, _g.OW);
            _dy = Tensor.Rand([n, k, _g.OH, _g.OW], seed: 4);
            _dx = Tensor.Zeros(n, c, h, h);
            _dw = Tensor.Zeros(k, c, kernel, kernel);
            Flops = 2.0 * n * k * c * kernel * kernel * _g.OH * _g.OW;
        }

        public double Flops { get; }

        private void Pass(int pass)
        {
            IKernels kernels = Device.Cpu.Kernels;
            ConvPlan plan = kernels.Plan(_g, _k);
            switch (pass)
            {
                case 0: kernels.ConvForward(plan, _x.Data, _w.Data, _b.Data, _y.Data); break;
                case 1: kernels.ConvBackwardData(plan, _w.Data, _dy.Data, _dx.Data); break;
                default: kernels.ConvBackwardFilter(plan, _x.Data, _dy.Data, _dw.Data, null); break;
            }
        }

        /// <summary>Milliseconds per call of <paramref name="pass"/>, over about 0.1 s of calls.</summary>
        public double Time(int pass)
        {
            Pass(pass);
            var watch = Stopwatch.StartNew();
            Pass(pass);
            int repeat = Math.Max(1, (int)(0.1 / Math.Max(1e-6, watch.Elapsed.TotalSeconds)));
            watch.Restart();
            for (int i = 0; i < repeat; i++) Pass(pass);
            return watch.Elapsed.TotalMilliseconds / repeat;
        }

        public void Dispose()
        {
            _x.Dispose(); _w.Dispose(); _b.Dispose(); _y.Dispose(); _dy.Dispose(); _dx.Dispose(); _dw.Dispose();
        }
    }

    /// <summary>OpenBLAS's own sgemm (row-major, no transposes) at size³ on one thread.</summary>
    private sealed class Sgemm(int size) : IDisposable
    {
        private readonly Tensor _a = Tensor.Rand([size, size], seed: 1), _b = Tensor.Rand([size, size], seed: 2), _c = Tensor.Zeros(size, size);

        /// <summary>GFLOP/s of one call (OpenBLAS on one thread).</summary>
        public double Gflops()
        {
            int threads = Blas.NumThreads;
            Blas.NumThreads = 1;
            fixed (float* pa = _a.AsSpan(), pb = _b.AsSpan(), pc = _c.AsSpan())
            {
                var watch = Stopwatch.StartNew();
                Interop.OpenBlas.cblas_sgemm(Interop.OpenBlas.RowMajor, Interop.OpenBlas.NoTrans, Interop.OpenBlas.NoTrans,
                    size, size, size, 1f, pa, size, pb, size, 0f, pc, size);
                double seconds = watch.Elapsed.TotalSeconds;
                Blas.NumThreads = threads;
                return 2.0 * size * size * size / seconds / 1e9;
            }
        }

        public void Dispose()
        {
            _a.Dispose(); _b.Dispose(); _c.Dispose();
        }
    }

    internal static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
    }
}
