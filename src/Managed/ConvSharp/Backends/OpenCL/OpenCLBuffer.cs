namespace ConvSharp.Backends.OpenCL;

/// <summary>OpenCL storage: a cl_mem of <see cref="Capacity"/> floats rented from its context's
/// <see cref="OpenCLBufferPool"/>, of which the first <see cref="DeviceBuffer.Length"/> are in use.
/// Freeing returns the cl_mem to the pool; commands already queued on it still run first, because the
/// context's queue is in order.</summary>
internal sealed class OpenCLBuffer : DeviceBuffer
{
    private readonly OpenCLBufferPool _pool;
    private readonly OpenCLMemHandle _mem;

    public OpenCLBuffer(Device device, OpenCLBufferPool pool, OpenCLMemHandle mem, long capacity, long length)
        : base(length)
    {
        Device = device;
        _pool = pool;
        _mem = mem;
        Capacity = capacity;
    }

    public override Device Device { get; }

    /// <summary>Floats the cl_mem holds (a pool bucket size, at least <see cref="DeviceBuffer.Length"/>).</summary>
    public long Capacity { get; }

    /// <summary>The cl_mem; throws once the buffer went back to the pool.</summary>
    public nint Mem => IsFreed ? throw new ObjectDisposedException(nameof(OpenCLBuffer)) : _mem.Value;

    protected override void Free() => _pool.Return(_mem, Capacity);
}
