using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance.Buffers;
using ConvSharp.Memory;

namespace ConvSharp.Backends.Cpu;

/// <summary>CPU storage: a pinned array rented from <see cref="PinnedArrayPool.Shared"/> through a
/// <see cref="MemoryOwner{T}"/>. The array is on the pinned object heap, so its address is fixed
/// for the buffer's lifetime and native calls take it directly. The first float is 64-byte aligned
/// (the array is rented 15 floats longer, which the pool's sizes leave room for): SIMD kernels then take the same code path, and round the same
/// way, whichever pooled array a tensor happens to get, so results do not depend on pool history.</summary>
internal sealed unsafe class CpuBuffer : DeviceBuffer
{
    private readonly MemoryOwner<float> _owner;
    private readonly float* _pointer;

    private const int AlignFloats = PinnedArrayPool.AlignmentSlack + 1;

    public CpuBuffer(Device device, long length, bool zero)
        : base(length)
    {
        Device = device;
        _owner = MemoryOwner<float>.Allocate(checked((int)length + AlignFloats - 1), PinnedArrayPool.Shared,
            zero ? AllocationMode.Clear : AllocationMode.Default);
        ArraySegment<float> segment = _owner.DangerousGetArray();
        float* first = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(segment.Array!)) + segment.Offset;
        int misaligned = (int)((nuint)first % (AlignFloats * sizeof(float))) / sizeof(float);
        _pointer = first + (AlignFloats - misaligned) % AlignFloats;
    }

    public override Device Device { get; }

    /// <summary>The first float; stable until the buffer is freed.</summary>
    public float* Pointer => IsFreed ? throw new ObjectDisposedException(nameof(CpuBuffer)) : _pointer;

    public override float* HostPointer => Pointer;

    public Span<float> Span => new(Pointer, (int)Length);

    protected override void Free() => _owner.Dispose();
}
