namespace ConvSharp.Backends;

/// <summary>A block of float32 storage on one device, shared by a tensor and its views through a
/// reference count. The last <see cref="Release"/> gives the memory back to its pool; if nobody
/// releases it (a tensor that was never disposed), the finalizer does, so a forgotten Dispose costs
/// speed, never a leak.</summary>
internal abstract class DeviceBuffer
{
    private int _references = 1;
    private int _freed;
    private readonly Memory.BufferTracker? _tracker;

    protected DeviceBuffer(long length)
    {
        Length = length;
        _tracker = Memory.BufferTracker.Current;
        _tracker?.OnAllocated();
    }

    /// <summary>The device the storage lives on.</summary>
    public abstract Device Device { get; }

    /// <summary>Usable length in floats.</summary>
    public long Length { get; }

    /// <summary>The first float when the storage is host memory the CPU can address (pinned, stable until freed),
    /// else null: what lets the core read host tensors without knowing the backend.</summary>
    public virtual unsafe float* HostPointer => null;

    /// <summary>Whether the storage has gone back to its pool.</summary>
    public bool IsFreed => Volatile.Read(ref _freed) != 0;

    /// <summary>Another holder (a view) shares this storage.</summary>
    public void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(GetType().Name, "The storage was already released.");
    }

    /// <summary>One holder is done; the last one frees the storage.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            FreeOnce();
            GC.SuppressFinalize(this);
        }
    }

    private void FreeOnce()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            Free();
            _tracker?.OnReturned();
        }
    }

    /// <summary>Gives the memory back to its pool. Called exactly once.</summary>
    protected abstract void Free();

    ~DeviceBuffer() => FreeOnce();
}

/// <summary>A window of a <see cref="DeviceBuffer"/>: what kernels read and write.</summary>
internal readonly record struct BufferSlice(DeviceBuffer Buffer, long Offset, long Length)
{
    /// <summary>Whether the window is host memory (<see cref="HostSpan"/> works).</summary>
    public unsafe bool IsHost => Buffer.HostPointer != null;

    /// <summary>The window as a span of host memory; throws for device storage.</summary>
    public unsafe Span<float> HostSpan()
    {
        float* first = Buffer.HostPointer;
        if (first == null) throw new InvalidOperationException($"This storage lives on {Buffer.Device}, not in host memory.");
        return new Span<float>(first + Offset, checked((int)Length));
    }

    /// <summary>A sub-window, checked to lie inside this one.</summary>
    public BufferSlice Slice(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) is outside a slice of {Length} floats.");
        return new BufferSlice(Buffer, Offset + offset, length);
    }
}
