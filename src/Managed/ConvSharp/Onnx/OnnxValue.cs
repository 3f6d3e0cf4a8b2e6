namespace ConvSharp.Onnx;

/// <summary>A value flowing through an imported graph: a float32 tensor, or an int64 tensor (shapes, axes, pads,
/// indices) kept on the host because no ConvSharp op computes on integers.</summary>
internal sealed class OnnxValue
{
    private OnnxValue(Tensor? tensor, long[]? ints, int[] dims)
    {
        Tensor = tensor;
        Ints = ints;
        Dims = dims;
    }

    internal Tensor? Tensor { get; }

    internal long[]? Ints { get; }

    /// <summary>The shape (a float tensor's own shape, or the int64 tensor's).</summary>
    internal int[] Dims { get; }

    internal static OnnxValue Of(Tensor tensor) => new(tensor, null, tensor.Shape);

    internal static OnnxValue OfInts(long[] values, int[] dims) => new(null, values, dims);

    /// <summary>The float tensor, or an error naming the node that needed one.</summary>
    internal Tensor Float(string where) =>
        Tensor ?? throw new NotSupportedException($"{where}: expects a float32 tensor but got an int64 tensor of shape {Guard.Format(Dims)}.");

    /// <summary>The int64 values (a float tensor of whole numbers converts), or an error naming the node.</summary>
    internal long[] Integers(string where)
    {
        if (Ints is not null) return Ints;
        if (Tensor is { } t && t.Numel <= 1 << 16)
        {
            float[] values = t.ToArray();
            if (values.All(v => v == MathF.Floor(v))) return values.Select(v => (long)v).ToArray();
        }
        throw new NotSupportedException($"{where}: expects constant int64 values (a shape, axes or pads) but got a computed float tensor of shape {Guard.Format(Dims)}.");
    }
}
