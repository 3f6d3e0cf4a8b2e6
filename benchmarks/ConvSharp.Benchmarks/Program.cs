using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace ConvSharp.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine($"OpenBLAS core: {Blas.CoreName}; {Blas.Config}; ConvSharp kernels: {NativeKernels.Isa}; " +
                          $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, {Environment.ProcessorCount} cores");
        if (args.Length > 0 && args[0] == "epoch") return EpochComparison.Run(args[1..]);
        if (args.Length > 0 && args[0] == "steps") return StepTiming.Steps(args[1..]);
        if (args.Length > 0 && args[0] == "convs") return StepTiming.Convs(args[1..]);
        if (args.Length > 0 && args[0] == "infer") return StepTiming.Infer(args[1..]);
        if (args.Length > 0 && args[0] == "ceiling") return ConvCeiling.Run(args[1..]);
        if (args.Length > 0 && args[0] == "onnx") return OnnxComparison.Run(args[1..]);

        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median, RateColumn.Gflops, RateColumn.ImagesPerSecond, new PeerRatioColumn())
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        // In process: both libraries are measured in one process (the "same run"), and BenchmarkDotNet
        // does not copy TorchSharp's ~480 MB of native libraries into a generated project per benchmark.
        if (!args.Contains("--inProcess")) args = [.. args, "--inProcess"];
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
