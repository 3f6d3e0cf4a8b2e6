using System.Numerics;

namespace ConvSharp.Backends.OpenCL;

/// <summary>Statistics of one OpenCL device's buffer pool.</summary>
/// <param name="RentedBuffers">cl_mem objects in use (tensor storage and scratch).</param>
/// <param name="RetainedBuffers">cl_mem objects kept for reuse.</param>
/// <param name="AllocatedBytes">Bytes of every cl_mem this pool created and has not released.</param>
/// <param name="Creates">cl_mem objects created so far (a steady training loop stops creating).</param>
public readonly record struct OpenCLPoolStatistics(long RentedBuffers, long RetainedBuffers, long AllocatedBytes, long Creates);

/// <summary>cl_mem objects in power-of-two buckets of floats (at least 64), at most
/// <see cref="MaxPerBucket"/> kept per bucket, as the CPU's pinned pool does: a training step in steady
/// state rents and returns buffers and creates none. Returns may come from the finalizer thread: a tensor
/// never disposed is finalized, and its cl_mem comes back here. So that the cl_mem's SafeHandle is not
/// finalized in the same pass (which would release memory the pool still hands out), the pool keeps every
/// handle it created reachable until it releases the handle itself.</summary>
internal sealed unsafe class OpenCLBufferPool(nint context)
{
    public const int MaxPerBucket = 32;
    private const int MinBucket = 6;

    private readonly Stack<OpenCLMemHandle>[] _buckets = Enumerable.Range(0, 64).Select(_ => new Stack<OpenCLMemHandle>()).ToArray();
    private readonly Lock _lock = new();
    private readonly HashSet<OpenCLMemHandle> _created = new(ReferenceEqualityComparer.Instance);
    private long _rented, _retained, _allocatedBytes, _creates;

    public OpenCLPoolStatistics Statistics
    {
        get
        {
            lock (_lock) return new OpenCLPoolStatistics(_rented, _retained, _allocatedBytes, _creates);
        }
    }

    /// <summary>A cl_mem of at least <paramref name="length"/> floats and its capacity.</summary>
    public (OpenCLMemHandle Mem, long Capacity) Rent(long length)
    {
        int bucket = Math.Max(MinBucket, 64 - BitOperations.LeadingZeroCount((ulong)Math.Max(1, length - 1)));
        long capacity = 1L << bucket;
        lock (_lock)
        {
            _rented++;
            if (_buckets[bucket].TryPop(out var pooled))
            {
                _retained--;
                return (pooled, capacity);
            }
        }
        int error;
        nint mem = OpenCLApi.Cl.CreateBuffer(context, Silk.NET.OpenCL.MemFlags.ReadWrite, (nuint)(capacity * sizeof(float)), null, &error);
        if (error != 0)
        {
            lock (_lock) _rented--;
            throw new OutOfMemoryException($"OpenCL could not allocate {capacity * sizeof(float)} bytes ({OpenCLApi.ErrorName(error)}).");
        }
        var handle = new OpenCLMemHandle(mem);
        lock (_lock)
        {
            _allocatedBytes += capacity * sizeof(float);
            _creates++;
            _created.Add(handle);
        }
        return (handle, capacity);
    }

    public void Return(OpenCLMemHandle mem, long capacity)
    {
        int bucket = BitOperations.Log2((ulong)capacity);
        lock (_lock)
        {
            _rented--;
            if (_buckets[bucket].Count < MaxPerBucket)
            {
                _buckets[bucket].Push(mem);
                _retained++;
                return;
            }
            _allocatedBytes -= capacity * sizeof(float);
            _created.Remove(mem);
        }
        mem.Dispose();
    }
}
