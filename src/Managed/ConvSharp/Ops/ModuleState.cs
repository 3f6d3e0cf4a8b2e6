using ConvSharp.Backends;

namespace ConvSharp;

// Helpers for the state modules keep outside autograd (buffers such as running statistics and class
// weights): owned storage, not registered in any Tensor.Scope, changed in place through kernels.
public partial class Tensor
{
    /// <summary>A new owned tensor (no scope disposes it; its module does) filled with <paramref name="value"/>.</summary>
    internal static Tensor OwnedFull(Device device, int[] shape, float value)
    {
        var tensor = Allocate(device, shape, zero: value == 0f, owned: true);
        if (value != 0f) tensor.Kernels.Fill(tensor.Data, value);
        return tensor;
    }

    /// <summary>An owned copy of this tensor's values, with no history.</summary>
    internal Tensor OwnedCopy()
    {
        var copy = Allocate(Device, _shape, zero: false, owned: true);
        Kernels.Copy(Data, copy.Data);
        return copy;
    }

    /// <summary>Sets every element to <paramref name="value"/>, outside autograd.</summary>
    internal void FillInPlace(float value) => Kernels.Fill(Data, value);

    /// <summary>Adds <paramref name="value"/> to every element, outside autograd.</summary>
    internal void AddInPlace(float value) => Kernels.Unary(UnaryOp.Affine, Data, Data, 1f, value);
}
