namespace ConvSharp.Memory;

/// <summary>Counts the device buffers (host pool and OpenCL pool alike) allocated inside a tracking region and not yet
/// returned. The region flows with the async context, so concurrent regions (parallel tests) do not see each other's
/// buffers; a buffer returns to the region that allocated it, whichever thread frees it.</summary>
internal sealed class BufferTracker : IDisposable
{
    private static readonly AsyncLocal<BufferTracker?> s_current = new();
    private readonly BufferTracker? _outer;
    private long _outstanding, _allocated;

    private BufferTracker()
    {
        _outer = s_current.Value;
        s_current.Value = this;
    }

    /// <summary>The innermost region of this async context, or null.</summary>
    public static BufferTracker? Current => s_current.Value;

    /// <summary>Starts a region; dispose it to end it.</summary>
    public static BufferTracker Begin() => new();

    /// <summary>Buffers allocated in the region and not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Buffers allocated in the region.</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    internal void OnAllocated()
    {
        Interlocked.Increment(ref _allocated);
        Interlocked.Increment(ref _outstanding);
    }

    internal void OnReturned() => Interlocked.Decrement(ref _outstanding);

    public void Dispose()
    {
        if (ReferenceEquals(s_current.Value, this)) s_current.Value = _outer;
    }
}
