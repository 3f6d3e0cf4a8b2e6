using System.Diagnostics;
using ConvSharp.Backends.OpenCL;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.DeviceCheck;

/// <summary>The timed parts. Every measurement ends with Device.Synchronize(), so it times the device's work, not its
/// enqueueing; each is the median of repetitions after warm-up, repeated until a time budget or a count is spent.</summary>
internal static class Timing
{
    /// <summary>Median milliseconds of <paramref name="body"/> on <paramref name="device"/>: <paramref name="warmup"/>
    /// untimed runs, then at least 3 and at most <paramref name="maxReps"/> timed ones, stopping after
    /// <paramref name="budgetSeconds"/>.</summary>
    public static double Median(Device device, Action body, int warmup = 2, int maxReps = 20, double budgetSeconds = 1.0)
    {
        if (Quick) (warmup, maxReps, budgetSeconds) = (1, 3, 0);
        for (int i = 0; i < warmup; i++) Once(device, body);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || (times.Count < maxReps && total.Elapsed.TotalSeconds < budgetSeconds))
            times.Add(Once(device, body));
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>--local: one warm-up and three timed runs of everything (PoCL shares the CI machine's cores).</summary>
    public static bool Quick { get; set; }

    private static double Once(Device device, Action body)
    {
        var watch = Stopwatch.StartNew();
        using (Tensor.Scope()) body();
        device.Synchronize();
        return watch.Elapsed.TotalMilliseconds;
    }

    public sealed record Gemm(int Size, double GpuMs, double? CpuMs)
    {
        public double GpuGflops => 2.0 * Size * Size * (double)Size / (GpuMs * 1e6);
        public double? CpuGflops => CpuMs is { } c ? 2.0 * Size * Size * (double)Size / (c * 1e6) : null;
    }

    public static Gemm Sgemm(Device gpu, int size, bool withCpu)
    {
        double Time(Device d)
        {
            using var scope = Tensor.Scope();
            Tensor a = Tensor.Rand([size, size], seed: 1).To(d), b = Tensor.Rand([size, size], seed: 2).To(d);
            return Median(d, () => Tensor.MatMul(a, b), warmup: 2, maxReps: 10, budgetSeconds: 0.8);
        }
        return new(size, Time(gpu), withCpu ? Time(Device.Cpu) : null);
    }

    /// <summary>One conv layer shape: N C→K H×W, kernel, stride, padding.</summary>
    public sealed record ConvShape(int N, int C, int K, int H, int W, int Kernel = 3, int Stride = 1, int Padding = 1)
    {
        public override string ToString() =>
            $"{N} {C}→{K} {H}×{W}" + (Kernel != 3 || Stride != 1 || Padding != 1 ? $", {Kernel}×{Kernel} stride {Stride} pad {Padding}" : "");

        public int OH => (H + 2 * Padding - Kernel) / Stride + 1;
        public int OW => (W + 2 * Padding - Kernel) / Stride + 1;

        /// <summary>Multiply-adds ×2 of the forward (the backward's two GEMMs are twice that).</summary>
        public double Flops => 2.0 * N * K * C * Kernel * Kernel * OH * OW;
    }

    public sealed record Conv(ConvShape Shape, double GpuForwardMs, double GpuTrainMs, double CpuForwardMs, double CpuTrainMs,
        long LaunchesForward);

    public static Conv ConvLayer(Device gpu, ConvShape s)
    {
        (double Fwd, double Train) Time(Device d)
        {
            using var scope = Tensor.Scope();
            Tensor x = Tensor.Rand([s.N, s.C, s.H, s.W], seed: 1).To(d), w = Tensor.Rand([s.K, s.C, s.Kernel, s.Kernel], seed: 2).To(d),
                b = Tensor.Rand([s.K], seed: 3).To(d);
            x.RequiresGrad = true;
            w.RequiresGrad = true;
            b.RequiresGrad = true;
            double fwd = Median(d, () => Tensor.Conv2d(x, w, b, stride: s.Stride, padding: s.Padding));
            double train = Median(d, () => Tensor.Conv2d(x, w, b, stride: s.Stride, padding: s.Padding).Sum().Backward());
            return (fwd, train);
        }
        var (gf, gt) = Time(gpu);
        var (cf, ct) = Time(Device.Cpu);
        long launches;
        using (Tensor.Scope())
        {
            Tensor x = Tensor.Rand([s.N, s.C, s.H, s.W], seed: 1).To(gpu), w = Tensor.Rand([s.K, s.C, s.Kernel, s.Kernel], seed: 2).To(gpu);
            var before = Counters(gpu);
            Tensor.Conv2d(x, w, null, stride: s.Stride, padding: s.Padding);
            launches = (Counters(gpu) - before).Launches;
        }
        gpu.Synchronize();
        return new(s, gf, gt, cf, ct, launches);
    }

    /// <summary>The OpenCL backend's command counters (launches, blocking reads, waits).</summary>
    public static OpenCLCounters Counters(Device gpu) => ((OpenCLKernels)gpu.Backend).Context.Counters;

    public static readonly string[] Networks = ["mnist-cnn", "lenet5", "cifar-cnn"];

    /// <summary>The three networks of the training benchmarks: the library's Models presets, seeded.</summary>
    public static (Sequential Net, int[] Input) Network(string name) => name switch
    {
        "mnist-cnn" => (Models.MnistCnn(generator: new Generator(1)), [1, 28, 28]),
        "lenet5" => (Models.LeNet5(inChannels: 3, generator: new Generator(1)), [3, 32, 32]),
        "cifar-cnn" => (Models.CifarCnn(generator: new Generator(1)), [3, 32, 32]),
        _ => throw new ArgumentException($"Unknown network '{name}'; expected mnist-cnn, lenet5 or cifar-cnn.", nameof(name)),
    };

    public sealed record Train(string Net, int Batch, int Layers, int Parameters, double GpuMs, double CpuMs,
        long Launches, long BlockingReads, long HostWaits)
    {
        public double GpuImagesPerSecond => Batch * 1000.0 / GpuMs;
        public double CpuImagesPerSecond => Batch * 1000.0 / CpuMs;
    }

    /// <summary>Training steps (forward, cross-entropy, backward, Adam, the loss read back) of one network at one batch,
    /// on the GPU and the CPU backend, the batch resident on the device; plus the GPU's commands per step.</summary>
    public static Train TrainingStep(Device gpu, string name, int batch, bool withCpu)
    {
        double Time(Device d, out OpenCLCounters perStep, out int layers, out int parameters)
        {
            var (net, input) = Network(name);
            using var owned = net;
            layers = net.Count;
            parameters = (int)net.ParameterCount();
            net.To(d);
            using var adam = new Adam(net.Parameters(), lr: 1e-3f);
            var loss = new CrossEntropyLoss();
            using var scope = Tensor.Scope();
            Tensor images = Tensor.Rand([batch, .. input], seed: 7).To(d);
            var rng = new Random(8);
            Tensor labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => (float)rng.Next(10)).ToArray(), batch).To(d);
            void Step()
            {
                var l = loss.Forward(net.Forward(images), labels);
                adam.ZeroGrad();
                l.Backward();
                adam.Step();
                _ = l.Item();
            }
            double ms = Median(d, Step, warmup: 2, maxReps: 15, budgetSeconds: 1.5);
            perStep = default;
            if (d != Device.Cpu)
            {
                var before = Counters(d);
                using (Tensor.Scope()) Step();
                perStep = Counters(d) - before;
            }
            return ms;
        }
        double gpuMs = Time(gpu, out var counters, out int layers, out int parameters);
        double cpuMs = withCpu ? Time(Device.Cpu, out _, out _, out _) : double.NaN;
        return new(name, batch, layers, parameters, gpuMs, cpuMs, counters.Launches, counters.BlockingReads, counters.HostWaits);
    }
}
