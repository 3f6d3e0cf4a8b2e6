using System.Diagnostics.Tracing;

namespace ConvSharp.Benchmarks;

/// <summary>The runtime's allocation sampling (GCAllocationTick: one event per ~100 KB allocated, naming the type of the
/// allocation that crossed the mark) as a table of types by sampled bytes: where a step's managed allocation comes
/// from, without a profiler. `steps NETWORK --alloc` prints it after the rounds.</summary>
public sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private readonly Lock _gate = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);  // GC keyword: allocation ticks
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick") || e.Payload is null) return;
        int typeAt = e.PayloadNames!.IndexOf("TypeName"), amountAt = e.PayloadNames.IndexOf("AllocationAmount64");
        if (typeAt < 0) return;
        string type = e.Payload[typeAt] as string ?? "?";
        long amount = amountAt >= 0 ? Convert.ToInt64(e.Payload[amountAt]) : 100_000;
        lock (_gate) _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
    }

    /// <summary>Forgets the samples so far (setup and warm-up).</summary>
    public void Clear()
    {
        lock (_gate) _bytes.Clear();
    }

    /// <summary>The sampled types, most bytes first.</summary>
    public string Report(int top = 12)
    {
        lock (_gate)
            return string.Join(Environment.NewLine, _bytes.OrderByDescending(p => p.Value).Take(top).Select(p => $"    {p.Value,12:N0}  {p.Key}"));
    }
}
