using ConvSharp.Backends;
namespace ConvSharp;

// Max over all elements or along one dimension, with the index of the maximum; the gradient goes to
// that index (the first one on ties, like PyTorch's max(dim)).
public partial class Tensor
{
    /// <summary>The largest element, as a 0-dimensional tensor.</summary>
    public Tensor Max()
    {
        Tensor flat = Reshape(-1);
        var (values, indices) = flat.Max(0);
        indices.Dispose();
        if (!values.RequiresGrad) flat.Dispose();  // otherwise the graph holds it until backward
        return values;
    }

    /// <summary>The maxima along <paramref name="dim"/> and their indices (as float values), like PyTorch's
    /// <c>max(dim, keepdim)</c>.</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false)
    {
        int d = NormalizeDim(dim);
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= _shape[i];
        for (int i = d + 1; i < _shape.Length; i++) inner *= _shape[i];
        int n = _shape[d];
        int[] kept = _shape.ToArray();
        kept[d] = 1;
        int[] shape = keepDim ? kept : Shapes.WithoutMasked(_shape, [.. Enumerable.Range(0, Dim).Select(i => i == d)]);
        var values = Allocate(Device, shape, zero: false);
        var indices = Allocate(Device, shape, zero: false);
        Kernels.Reduce(ReduceOp.Max, outer, n, inner, Data, values.Data, indices.Data);
        Onnx.OnnxTrace.Current?.Max(values, indices, this, d, keepDim);
        if (WillRecord(this))
        {
            // The graph keeps its own reference to the indices, so the caller may dispose the returned ones.
            Tensor saved = indices.Alias(indices.Shape, owned: true);
            Record(values, "Max", [this], (g, sink) =>
            {
                if (sink[0] is { } dx) dx.Kernels.ScatterAddAlong(outer, n, inner, 1, g.Data, saved.Data, dx.Data);
            }, saved);
        }
        return (values, indices);
    }

    /// <summary>The indices of the maxima along <paramref name="dim"/>, as float values (no gradient).</summary>
    public Tensor ArgMax(int dim, bool keepDim = false)
    {
        using (Autograd.NoGrad())
        {
            var (values, indices) = Max(dim, keepDim);
            values.Dispose();
            return indices;
        }
    }
}
