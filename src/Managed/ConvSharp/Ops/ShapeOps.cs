using ConvSharp.Backends;

namespace ConvSharp;

// Shape ops. Reshape/View/Flatten/Squeeze/Unsqueeze are views (Tensor.cs); Permute, Transpose,
// Cat and Stack materialize (Slice, Narrow and the indexing ops are in Indexing.cs), each a strided copy whose backward is the same copy run the other way.
public partial class Tensor
{
    /// <summary>Same as <see cref="Reshape"/> (every ConvSharp tensor is contiguous).</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>Merges dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one (a view).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Dim == 0) return Reshape(1);
        int s = NormalizeDim(startDim), e = NormalizeDim(endDim);
        if (s > e) throw new ArgumentException($"Flatten: startDim ({startDim}) comes after endDim ({endDim}) for shape {Guard.Format(_shape)}.");
        var shape = new List<int>();
        for (int d = 0; d < s; d++) shape.Add(_shape[d]);
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= _shape[d];
        shape.Add(merged);
        for (int d = e + 1; d < _shape.Length; d++) shape.Add(_shape[d]);
        return Reshape(shape.ToArray());
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/> (a view).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Dim + 1 : dim;
        if (d < 0 || d > Dim) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Unsqueeze: dimension {dim} is out of range for shape {Guard.Format(_shape)}.");
        var shape = _shape.ToList();
        shape.Insert(d, 1);
        return Reshape(shape.ToArray());
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (a view).</summary>
    public Tensor Squeeze(int dim)
    {
        int d = NormalizeDim(dim);
        if (_shape[d] != 1) return Reshape(_shape.ToArray());
        var shape = _shape.ToList();
        shape.RemoveAt(d);
        return Reshape(shape.ToArray());
    }

    /// <summary>Reorders the dimensions (materialized: the result is contiguous).</summary>
    public Tensor Permute(params int[] dims)
    {
        Guard.NotNull(dims);
        if (dims.Length != Dim)
            throw new ArgumentException($"Permute: got {dims.Length} dimensions {Guard.Format(dims)} for a tensor of shape {Guard.Format(_shape)}.", nameof(dims));
        var order = new int[Dim];
        var seen = new bool[Dim];
        for (int i = 0; i < Dim; i++)
        {
            int d = NormalizeDim(dims[i]);
            if (seen[d]) throw new ArgumentException($"Permute: dimension {dims[i]} appears twice in {Guard.Format(dims)}.", nameof(dims));
            seen[d] = true;
            order[i] = d;
        }
        var shape = new int[Dim];
        var sourceStrides = new long[Dim];
        for (int i = 0; i < Dim; i++)
        {
            shape[i] = _shape[order[i]];
            sourceStrides[i] = Strides[order[i]];
        }
        var result = Allocate(Device, shape, zero: false);
        Kernels.Elementwise(BinaryOp.CopyA, shape, result.Contiguous(), new(Data, sourceStrides), default);
        Onnx.OnnxTrace.Current?.Permute(result, this, order);
        return Record(result, "Permute", [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.Elementwise(BinaryOp.CopyA, shape, new(dx.Data, sourceStrides), g.Contiguous(), default, 1f, accumulate: true);
        });
    }

    /// <summary>Swaps two dimensions (materialized).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var order = Enumerable.Range(0, Dim).ToArray();
        int a = NormalizeDim(dim0), b = NormalizeDim(dim1);
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>The 2-D transpose (PyTorch's <c>.T</c> on a matrix).</summary>
    public Tensor T => Dim == 2 ? Transpose(0, 1) : throw new InvalidOperationException($"T needs a 2-D tensor, but this one has shape {Guard.Format(_shape)}; use Permute.");

    /// <summary>Joins tensors along an existing dimension; all other dimensions must match.</summary>
    public static Tensor Cat(Tensor[] tensors, int dim = 0)
    {
        Guard.NotNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("Cat needs at least one tensor.", nameof(tensors));
        Tensor first = Guard.NotNullTensor(tensors[0]);
        int d = first.NormalizeDim(dim);
        int[] shape = first.Shape;
        int total = 0;
        foreach (Tensor t in tensors)
        {
            Guard.NotNull(t);
            first.CheckSameDevice(t, "Cat");
            bool ok = t.Dim == first.Dim;
            for (int i = 0; ok && i < shape.Length; i++) ok = i == d || t._shape[i] == shape[i];
            if (!ok)
                throw new ArgumentException(
                    $"Cat along dimension {dim}: shapes {string.Join(" and ", tensors.Select(x => Guard.Format(x._shape)))} differ outside that dimension.", nameof(tensors));
            total += t._shape[d];
        }
        shape[d] = total;
        var result = Allocate(first.Device, shape, zero: false);
        long[] outStrides = result.Strides.ToArray();
        var offsets = new long[tensors.Length];
        long offset = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            offsets[i] = offset;
            Tensor t = tensors[i];
            result.Kernels.Elementwise(BinaryOp.CopyA, t._shape, new(result.Data.Slice(offset, result.Numel - offset), outStrides), t.Contiguous(), default);
            offset += t._shape[d] * outStrides[d];
        }
        Tensor[] inputs = tensors.ToArray();
        Onnx.OnnxTrace.Current?.Concat(result, inputs, d);
        return Record(result, "Cat", inputs, (g, sink) =>
        {
            for (int i = 0; i < inputs.Length; i++)
                if (sink[i] is { } dx)
                    dx.Kernels.Elementwise(BinaryOp.CopyA, inputs[i]._shape, dx.Contiguous(), new(g.Data.Slice(offsets[i], g.Numel - offsets[i]), outStrides), default, 1f, accumulate: true);
        });
    }

    /// <summary>Joins same-shaped tensors along a new dimension.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim = 0)
    {
        Guard.NotNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        foreach (Tensor t in tensors)
            if (!Guard.NotNullTensor(t, nameof(tensors))._shape.AsSpan().SequenceEqual(tensors[0]._shape))
                throw new ArgumentException($"Stack needs tensors of one shape, but got {string.Join(" and ", tensors.Select(x => Guard.Format(x._shape)))}.", nameof(tensors));
        int rank = tensors[0].Dim;
        int d = dim < 0 ? dim + rank + 1 : dim;
        if (d < 0 || d > rank) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Stack: dimension {dim} is out of range for shape {Guard.Format(tensors[0]._shape)}.");
        var views = tensors.Select(t => t.Unsqueeze(d)).ToArray();
        try
        {
            return Cat(views, d);
        }
        finally
        {
            // The views' storage is shared with the inputs; dropping them early loses nothing.
            if (!WillRecord(tensors)) foreach (Tensor v in views) v.Dispose();
        }
    }
}
