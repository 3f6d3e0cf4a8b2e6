using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConvSharp.Benchmarks;

/// <summary>A benchmark class that knows how many floating-point operations each of its benchmarks does.</summary>
public interface IFlopCounted
{
    /// <summary>Flops of one invocation of <paramref name="method"/> with <paramref name="parameters"/>.</summary>
    static abstract double Flops(string method, IReadOnlyDictionary<string, object> parameters);
}

/// <summary>A benchmark class whose benchmarks each process a number of images.</summary>
public interface IImageCounted
{
    /// <summary>Images one invocation of <paramref name="method"/> with <paramref name="parameters"/> processes.</summary>
    static abstract double Images(string method, IReadOnlyDictionary<string, object> parameters);
}

/// <summary>An amount per second at the median time: GFLOP/s for <see cref="IFlopCounted"/> classes,
/// images/s for <see cref="IImageCounted"/> ones.</summary>
public sealed class RateColumn(string name, Type counter, string method, double unit, string legend) : IColumn
{
    public static readonly RateColumn Gflops = new("GFLOP/s", typeof(IFlopCounted), nameof(IFlopCounted.Flops), 1e9,
        "Floating-point operations per second at the median time (10^9)");

    public static readonly RateColumn ImagesPerSecond = new("img/s", typeof(IImageCounted), nameof(IImageCounted.Images), 1,
        "Images per second at the median time");

    public string Id => $"{nameof(RateColumn)}.{name}";
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => counter.IsAssignableFrom(c.Descriptor.Type));
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (!counter.IsAssignableFrom(type) || median is not > 0) return "-";
        var parameters = benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
        double amount = (double)type.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, [benchmarkCase.Descriptor.WorkloadMethod.Name, parameters])!;
        return (amount / unit / (median.Value * 1e-9)).ToString(unit > 1 ? "F1" : "F0");
    }
}

/// <summary>Speed relative to the peer: for a benchmark named ConvSharpX, the median of TorchX with the same
/// parameters divided by its own (above 1: ConvSharp is faster). Same process, same run.</summary>
public sealed class PeerRatioColumn : IColumn
{
    public string Id => nameof(PeerRatioColumn);
    public string ColumnName => "vs TorchSharp";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "TorchSharp's median time / ConvSharp's median time for the same parameters (>1: ConvSharp faster)";
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.WorkloadMethod.Name.StartsWith("Torch"));
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        string name = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (!name.StartsWith("ConvSharp")) return "-";
        string peerName = "Torch" + name["ConvSharp".Length..];
        string parameters = benchmarkCase.Parameters.DisplayInfo;
        BenchmarkCase? peer = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Type == benchmarkCase.Descriptor.Type && c.Descriptor.WorkloadMethod.Name == peerName &&
            c.Parameters.DisplayInfo == parameters && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo);
        double? ours = summary[benchmarkCase]?.ResultStatistics?.Median;
        double? theirs = peer is null ? null : summary[peer]?.ResultStatistics?.Median;
        return ours is > 0 && theirs is > 0 ? $"{theirs.Value / ours.Value:F2}x" : "-";
    }
}
