using ConvSharp.Backends;

namespace ConvSharp;

public partial class Tensor
{
    /// <summary>This tensor on <paramref name="device"/>: itself when it is already there (as PyTorch returns self),
    /// else a copy made through host memory. The copy has no autograd history.</summary>
    public Tensor To(Device device)
    {
        Guard.NotNull(device);
        if (ReferenceEquals(device, Device)) return this;
        var result = Allocate(device, _shape, zero: false);
        result.Kernels.Upload(HostCopy(), result.Data);
        return result;
    }

    /// <summary>Moves this tensor's storage (and its gradient's) to <paramref name="device"/> in place, so that
    /// every holder of the object (an optimizer, a module) sees it there; what <c>Module.To</c> uses.</summary>
    internal void MoveStorageTo(Device device)
    {
        if (ReferenceEquals(device, Device)) return;
        if (GradFn is not null) throw new InvalidOperationException("Only leaf tensors (parameters, buffers) can be moved in place.");
        DeviceBuffer target = device.Kernels.Allocate(Numel, zero: false);
        device.Kernels.Upload(HostCopy(), new BufferSlice(target, 0, Numel));
        Interlocked.Exchange(ref _buffer, target)?.Release();
        _device = device;
        _offset = 0;
        Grad?.MoveStorageTo(device);
    }

    private float[] HostCopy()
    {
        var host = new float[Numel];
        Kernels.Download(Data, host);
        return host;
    }
}
