using System.Diagnostics;
using ConvSharp.NN;
using Microsoft.ML.OnnxRuntime;

namespace ConvSharp.Benchmarks;

/// <summary>`onnx` quick mode: one network's inference in ConvSharp and in ONNX Runtime running the file
/// <see cref="Onnx.Onnx.Export(Module, string, int[])"/> wrote from that same network, in one process, alternating
/// rounds, same thread count (OpenBLAS/ConvSharp workers vs ORT's intra-op pool), medians and the ratio.
/// ORT runs through an IOBinding with pre-allocated input and output, so neither side pays for allocation.
/// <c>--bench-args="onnx [--net mnist-cnn] [--batch 256] [--threads 2] [--rounds 7]"</c>.</summary>
public static class OnnxComparison
{
    public static int Run(string[] args)
    {
        string[] nets = Value(args, "--net") is string n ? [n] : ["mnist-cnn", "lenet5", "cifar-cnn"];
        int[] batches = Value(args, "--batch") is string b ? [int.Parse(b)] : [1, 256];
        int threads = int.Parse(Value(args, "--threads") ?? "2"), rounds = int.Parse(Value(args, "--rounds") ?? "7");
        Blas.NumThreads = threads;
        string dir = Directory.CreateTempSubdirectory("convsharp-onnx-bench").FullName;
        try
        {
            foreach (string net in nets)
                foreach (int batch in batches)
                    Compare(net, batch, threads, rounds, dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    private static void Compare(string net, int batch, int threads, int rounds, string dir)
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
        Console.WriteLine($"{net} inference batch {batch}, {threads} thread(s): ConvSharp {ma:F3} ms, ONNX Runtime {mo:F3} ms " +
                          $"({batch / ma * 1000:N0} vs {batch / mo * 1000:N0} img/s), ORT/ConvSharp time ratio {mo / ma:F2}x; " +
                          $"outputs agree to {worst / scale:E1} relative");
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
