using ConvSharp.Backends;

namespace ConvSharp.NN;

/// <summary>A tensor that a module owns and an optimizer updates: RequiresGrad by default, never
/// registered in a <see cref="Tensor.Scope"/> (its module disposes it).</summary>
public sealed class Parameter : Tensor
{
    private Parameter(DeviceBuffer buffer, int[] shape, long count, bool requiresGrad)
        : base(buffer, 0, shape, count, owned: true)
    {
        RequiresGrad = requiresGrad;
    }

    /// <summary>A zero-filled parameter of the given shape on the CPU.</summary>
    public Parameter(params int[] shape)
        : this(Device.Cpu.Kernels.Allocate(Guard.Shape(Guard.NotNullShape(shape)), zero: true), (int[])shape.Clone(), Guard.Shape(shape), requiresGrad: true)
    {
    }

    /// <summary>A parameter holding a copy of <paramref name="data"/>'s values, on its device.</summary>
    public static Parameter From(Tensor data, bool requiresGrad = true)
    {
        Guard.NotNull(data);
        var buffer = data.Kernels.Allocate(data.Numel, zero: false);
        data.Kernels.Copy(data.Data, new BufferSlice(buffer, 0, data.Numel));
        return new Parameter(buffer, data.Shape, data.Numel, requiresGrad);
    }

    /// <summary>Like PyTorch: <c>Parameter containing:</c> and the tensor's values on the next line.</summary>
    public override string ToString() => IsDisposed ? "Parameter" + base.ToString()["Tensor".Length..] : "Parameter containing:\n" + base.ToString();
}
