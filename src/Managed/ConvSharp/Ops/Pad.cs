using ConvSharp.Backends;

namespace ConvSharp;

// Constant padding of the last two dimensions (PyTorch's F.pad(x, (left, right, top, bottom))).
public partial class Tensor
{
    /// <summary>Pads the last two dimensions with <paramref name="value"/>: <paramref name="left"/>/<paramref name="right"/>
    /// columns and <paramref name="top"/>/<paramref name="bottom"/> rows. The gradient is the un-padded window.</summary>
    public Tensor Pad(int left, int right, int top, int bottom, float value = 0f)
    {
        if (Dim < 2) throw new ArgumentException($"Pad needs at least 2 dimensions, but got shape {Guard.Format(_shape)}.");
        Guard.NonNegative(left); Guard.NonNegative(right); Guard.NonNegative(top); Guard.NonNegative(bottom);
        int[] shape = _shape.ToArray();
        shape[^2] += top + bottom;
        shape[^1] += left + right;
        var result = Allocate(Device, shape, zero: false);
        Kernels.Fill(result.Data, value);
        long[] outStrides = result.Strides.ToArray();
        long offset = top * outStrides[^2] + left;
        Kernels.Elementwise(BinaryOp.CopyA, _shape, new(result.Data.Slice(offset, result.Numel - offset), outStrides), Contiguous(), default);
        Onnx.OnnxTrace.Current?.Pad(result, this, left, right, top, bottom, value);
        return Record(result, "Pad", [this], (g, sink) =>
        {
            if (sink[0] is { } dx)
                dx.Kernels.Elementwise(BinaryOp.CopyA, _shape, dx.Contiguous(), new(g.Data.Slice(offset, g.Numel - offset), outStrides), default, 1f, accumulate: true);
        });
    }
}
