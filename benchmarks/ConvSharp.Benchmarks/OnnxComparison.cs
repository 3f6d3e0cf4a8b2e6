using System.Diagnostics;
using ConvSharp.NN;
using Microsoft.ML.OnnxRuntime;

namespace ConvSharp.Benchmarks;

/// <summary>`onnx` quick mode: one network's inference in ConvSharp and in ONNX Runtime running the file
/// <see cref="Onnx.Onnx.Export(Module, string, int[])"/> wrote from that same network, in one process, alternating
/// rounds, same thread count (OpenBLAS/ConvSharp workers vs ORT's intra-op pool), medians and the ratio.
/// ORT runs through an IOBinding with pre-allocated input and output, so neither side pays for allocation.
/// Without options it runs the issue-16 table: the three networks at batch 1, 16, 64 and 256 on 1 and 2 threads, and
/// prints it as a markdown table at the end (ORT time / ConvSharp time, > 1 = ConvSharp faster), with the managed bytes
/// one ConvSharp inference call allocates and the Gen2 collections during the run.
/// <c>--bench-args="onnx [--net mnist-cnn] [--batch 256] [--threads 1,2] [--rounds 7]"</c>.</summary>
public static class OnnxComparison
{
    public static int Run(string[] args)
    {
        string[] nets = Value(args, "--net") is string n ? [n] : ["mnist-cnn", "lenet5", "cifar-cnn"];
        int[] batches = Value(args, "--batch") is string b ? [.. b.Split(',').Select(int.Parse)] : [1, 16, 64, 256];
        int[] threadCounts = [.. (Value(args, "--threads") ?? "1,2").Split(',').Select(int.Parse)];
        int rounds = int.Parse(Value(args, "--rounds") ?? "7");
        Console.WriteLine($"load {ConvCeiling.Load()}");
        string dir = Directory.CreateTempSubdirectory("convsharp-onnx-bench").FullName;
        var ratios = new Dictionary<(int Threads, int Batch, string Net), double>();
        int gen2 = GC.CollectionCount(2);
        try
        {
            foreach (int threads in threadCounts)
            {
                Blas.NumThreads = threads;
                foreach (string net in nets)
                    foreach (int batch in batches)
                        ratios[(threads, batch, net)] = Compare(net, batch, threads, rounds, dir);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Console.WriteLine($"Gen2 collections during the run: {GC.CollectionCount(2) - gen2}; load {ConvCeiling.Load()}");
        Console.WriteLine($"ORT time / ConvSharp time (> 1: ConvSharp faster), {string.Join(" / ", nets)}:");
        Console.WriteLine($"| threads | {string.Join(" | ", batches.Select(b => $"batch {b}"))} |");
        Console.WriteLine($"|---|{string.Concat(batches.Select(_ => "---|"))}");
        foreach (int threads in threadCounts)
            Console.WriteLine($"| {threads} | {string.Join(" | ", batches.Select(b => string.Join(" / ", nets.Select(n => ratios[(threads, b, n)].ToString("F2")))))} |");
        return 0;
    }

    private static double Compare(string net, int batch, int threads, int rounds, string dir)
    {
        using Sequential model = Networks.ConvSharp(net);
        model.Eval();
        int[] chw = Networks.InputShape[net];
        int[] shape = [batch, .. chw];
        string path = Path.Combine(dir, net + ".onnx");
        Onnx.Onnx.Export(model, path, shape);

        using var x = Tensor.Rand(shape, seed: 1);
        float[] input = x.ToArray();
        float[] ours = Forward(model, x);

        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(path, options);
        float[] output = new float[ours.Length];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape.Select(d => (long)d).ToArray());
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [batch, ours.Length / batch]);
        using var binding = session.CreateIoBinding();
        binding.BindInput("input", inputValue);
        binding.BindOutput("output", outputValue);
        using var runOptions = new RunOptions();
        void Ort() => session.RunWithBinding(runOptions, binding);
        Ort();
        double worst = 0, scale = 0;
        for (int i = 0; i < ours.Length; i++) { worst = Math.Max(worst, Math.Abs(ours[i] - output[i])); scale = Math.Max(scale, Math.Abs(ours[i])); }

        int repeat = Math.Max(1, (int)(0.2 / Math.Max(1e-6, Time(() => Forward(model, x), 1) / 1000)));
        var a = new List<double>();
        var o = new List<double>();
        for (int r = 0; r <= rounds; r++)
        {
            double ta = Time(() => Forward(model, x), repeat), to = Time(Ort, repeat);
            if (r == 0) continue;  // warm-up
            a.Add(ta);
            o.Add(to);
        }
        double ma = Median(a), mo = Median(o);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Forward(model, x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before - ours.Length * sizeof(float);  // less the result array ToArray returns
        Console.WriteLine($"{net} inference batch {batch}, {threads} thread(s): ConvSharp {ma:F3} ms, ONNX Runtime {mo:F3} ms " +
                          $"({batch / ma * 1000:N0} vs {batch / mo * 1000:N0} img/s), ORT/ConvSharp time ratio {mo / ma:F2}x; " +
                          $"outputs agree to {worst / scale:E1} relative; ConvSharp allocates {allocated:N0} managed bytes a call besides the result");
        return mo / ma;
    }

    private static float[] Forward(Module model, Tensor x)
    {
        using var scope = Tensor.Scope();
        using var noGrad = Autograd.NoGrad();
        return model.Forward(x).ToArray();
    }

    private static double Time(Action f, int repeat)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < repeat; i++) f();
        return watch.Elapsed.TotalMilliseconds / repeat;
    }

    private static double Time<T>(Func<T> f, int repeat) => Time(() => { f(); }, repeat);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string? Value(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
