using ConvSharp.Backends;
using ConvSharp.Memory;

namespace ConvSharp;

public partial class Tensor
{
    /// <summary>This tensor on <paramref name="device"/>: itself when it is already there (as PyTorch returns self),
    /// else a copy. CPU storage is pinned, so a copy to or from a device reads or writes it directly; between two
    /// OpenCL devices the values pass through pinned host staging. The copy has no autograd history.</summary>
    public Tensor To(Device device) => To(device, nonBlocking: false);

    /// <summary>As <see cref="To(Device)"/>; with <paramref name="nonBlocking"/> (PyTorch's <c>non_blocking=True</c>) a copy
    /// from CPU storage to a device may still be running when the call returns, overlapping the work already queued: the
    /// device keeps a reference to this tensor's pinned storage until the copy has run, so disposing this tensor is safe,
    /// but its values must not change until then (a batch the DataLoader handed out, moved once, qualifies).</summary>
    public Tensor To(Device device, bool nonBlocking)
    {
        Guard.NotNull(device);
        _ = Data;  // a disposed tensor throws here, not one call later
        if (ReferenceEquals(device, Device)) return this;
        var result = Allocate(device, _shape, zero: false);
        Transfer(Data, result.Data, sourceIsDropped: nonBlocking);
        return result;
    }

    /// <summary>Moves this tensor's storage (and its gradient's) to <paramref name="device"/> in place, so that
    /// every holder of the object (an optimizer, a module) sees it there; what <c>Module.To</c> uses.</summary>
    internal void MoveStorageTo(Device device)
    {
        if (ReferenceEquals(device, Device)) return;
        if (GradFn is not null) throw new InvalidOperationException("Only leaf tensors (parameters, buffers) can be moved in place.");
        DeviceBuffer target = device.Kernels.Allocate(Numel, zero: false);
        // The old storage is dropped right after, so nobody can write it while a non-blocking upload reads it.
        Transfer(Data, new BufferSlice(target, 0, Numel), sourceIsDropped: true);
        Interlocked.Exchange(ref _buffer, target)?.Release();
        _device = device;
        _offset = 0;
        Grad?.MoveStorageTo(device);
    }

    /// <summary>Copies between devices. An upload from CPU storage that is about to be dropped, or that the caller asked
    /// not to wait for, does not wait: the OpenCL queue keeps a reference to the pinned array until the write has run.</summary>
    private static void Transfer(BufferSlice source, BufferSlice target, bool sourceIsDropped)
    {
        IKernels from = source.Buffer.Device.Kernels, to = target.Buffer.Device.Kernels;
        if (source.IsHost)
        {
            to.Upload(source.HostSpan(), target, sourceIsDropped ? source.Buffer : null);
            return;
        }
        if (target.IsHost)
        {
            from.Download(source, target.HostSpan());
            return;
        }
        float[] staging = PinnedArrayPool.Shared.Rent(checked((int)source.Length));
        try
        {
            Span<float> window = staging.AsSpan(0, (int)source.Length);
            from.Download(source, window);
            to.Upload(window, target);
        }
        finally { PinnedArrayPool.Shared.Return(staging); }
    }
}
