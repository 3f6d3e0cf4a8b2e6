namespace ConvSharp;

// Softmax and log-softmax along one dimension. The tensor is read as (outer, n, inner): n the size of
// that dimension, outer the product of the sizes before it, inner of those after it. Forward subtracts
// the maximum first (no overflow at any logit size); backward, from the saved output y:
//   softmax:     dx += y·(dy − Σ dy·y)
//   log-softmax: dx += dy − softmax·Σ dy
public partial class Tensor
{
    /// <summary>eˣ / Σ eˣ along <paramref name="dim"/> (PyTorch's <c>softmax</c>), computed without overflow.</summary>
    public Tensor Softmax(int dim) => SoftmaxCore(dim, log: false);

    /// <summary>x − log Σ eˣ along <paramref name="dim"/> (PyTorch's <c>log_softmax</c>), computed without overflow.</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxCore(dim, log: true);

    private Tensor SoftmaxCore(int dim, bool log)
    {
        string name = log ? "LogSoftmax" : "Softmax";
        // A 0-dimensional tensor is one row of one element, as in PyTorch (dim 0 or -1).
        if (Dim == 0 && dim is not (0 or -1))
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{name}: dimension {dim} is out of range for a 0-dimensional tensor.");
        int d = Dim == 0 ? 0 : NormalizeDim(dim);
        (long outer, long n, long inner) = Dim == 0 ? (1L, 1L, 1L) : SplitAt(d);

        var result = NewLike(zero: false);
        Kernels.Softmax(Data, result.Data, outer, n, inner, log);
        Onnx.OnnxTrace.Current?.Softmax(result, this, d, log);
        return Record(result, name, [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.SoftmaxBackward(result.Data, g.Data, dx.Data, outer, n, inner, log);
        });
    }

    /// <summary>This contiguous tensor as (outer, size of <paramref name="dim"/>, inner).</summary>
    internal (long Outer, long N, long Inner) SplitAt(int dim)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= _shape[i];
        for (int i = dim + 1; i < _shape.Length; i++) inner *= _shape[i];
        return (outer, _shape[dim], inner);
    }
}
