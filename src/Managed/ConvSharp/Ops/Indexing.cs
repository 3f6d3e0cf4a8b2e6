using ConvSharp.Backends;

namespace ConvSharp;

// Indexing ops. Slice, Narrow, Expand and Repeat are strided copies (their backward the same copy run the other
// way, adding); Gather, IndexSelect and Flip gather along one dimension (IKernels.GatherAlong, backward a
// scatter-add); Roll is Narrow + Cat. Every result is materialized: ConvSharp tensors are contiguous.
public partial class Tensor
{
    /// <summary>Elements start, start + step, ... before <paramref name="end"/> along <paramref name="dim"/> (PyTorch's
    /// <c>x[..., start:end:step]</c>). Negative start/end count from the end; end is clamped to the size; step ≥ 1.</summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int d = NormalizeDim(dim);
        int size = _shape[d];
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, $"Slice: step must be at least 1, but is {step}.");
        int s = start < 0 ? start + size : start, e = end < 0 ? end + size : Math.Min(end, size);
        if (s < 0 || s >= size || e <= s)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Slice [{start}:{end}:{step}] of dimension {dim} (size {size}, shape {Guard.Format(_shape)}) is empty; ConvSharp tensors have no empty dimensions.");
        return StridedView("Slice", d, s, (e - s + step - 1) / step, step);
    }

    /// <summary>Elements <paramref name="start"/>..<paramref name="start"/>+<paramref name="length"/>−1 along
    /// <paramref name="dim"/> (PyTorch's <c>narrow</c>; materialized).</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = NormalizeDim(dim);
        if (start < 0 || length < 1 || start + (long)length > _shape[d])
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Narrow [{start}, {start + (long)length}) of dimension {dim} is outside its size {_shape[d]} (shape {Guard.Format(_shape)}).");
        return StridedView("Narrow", d, start, length, 1);
    }

    private Tensor StridedView(string name, int d, int start, int length, int step)
    {
        int[] shape = _shape.ToArray();
        shape[d] = length;
        long offset = start * Strides[d];
        long[] strides = Strides.ToArray();
        strides[d] *= step;
        var result = Allocate(Device, shape, zero: false);
        Kernels.Elementwise(BinaryOp.CopyA, shape, result.Contiguous(), new(Data.Slice(offset, Numel - offset), strides), default);
        Onnx.OnnxTrace.Current?.Slice(result, this, d, start, length, step);
        return Record(result, name, [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.Elementwise(BinaryOp.CopyA, shape, new(dx.Data.Slice(offset, Numel - offset), strides), g.Contiguous(), default, 1f, accumulate: true);
        });
    }

    /// <summary>This tensor broadcast to <paramref name="shape"/> (PyTorch's <c>expand</c>): sizes of 1 repeat, new
    /// leading dimensions may be added, -1 keeps a size. Materialized (ConvSharp has no stride-0 views); the
    /// gradient sums over the repeated dimensions.</summary>
    public Tensor Expand(params int[] shape)
    {
        Guard.NotNull(shape);
        if (shape.Length < Dim)
            throw new ArgumentException($"Expand: the target shape {Guard.Format(shape)} has fewer dimensions than the tensor's {Guard.Format(_shape)}.", nameof(shape));
        int lead = shape.Length - Dim;
        int[] target = shape.ToArray();
        for (int i = 0; i < target.Length; i++)
        {
            int own = i < lead ? -2 : _shape[i - lead];
            if (target[i] == -1)
            {
                if (own == -2) throw new ArgumentException($"Expand to {Guard.Format(shape)}: -1 is not allowed in a new leading dimension ({i}).", nameof(shape));
                target[i] = own;
            }
            else if (target[i] < 1)
                throw new ArgumentException($"Expand to {Guard.Format(shape)}: dimension {i} is {target[i]}; sizes must be positive (or -1 to keep one).", nameof(shape));
            else if (own != -2 && own != 1 && own != target[i])
                throw new ArgumentException(
                    $"Expand: shape {Guard.Format(_shape)} cannot be expanded to {Guard.Format(shape)}: dimension {i} has size {own}, which is neither 1 nor {target[i]}.", nameof(shape));
        }
        var result = Allocate(Device, target, zero: false);
        Kernels.Elementwise(BinaryOp.CopyA, target, result.Contiguous(), new(Data, Shapes.BroadcastStrides(_shape, target)), default);
        return Record(result, "Expand", [this], (g, sink) => sink[0]?.AddReduced(g, 1f));
    }

    /// <summary>This tensor broadcast to <paramref name="other"/>'s shape.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(Guard.NotNullTensor(other).Shape);

    /// <summary>Tiles the tensor <paramref name="repeats"/>[i] times along dimension i (PyTorch's <c>repeat</c>);
    /// more repeats than dimensions add leading dimensions.</summary>
    public Tensor Repeat(params int[] repeats)
    {
        Guard.NotNull(repeats);
        if (repeats.Length < Dim)
            throw new ArgumentException($"Repeat: {repeats.Length} repeats {Guard.Format(repeats)} for a tensor of shape {Guard.Format(_shape)}; give one per dimension.", nameof(repeats));
        foreach (int r in repeats)
            if (r < 1) throw new ArgumentException($"Repeat: every repeat must be at least 1, but got {Guard.Format(repeats)}.", nameof(repeats));
        int lead = repeats.Length - Dim;
        long[] own = Strides.ToArray();
        // Iteration space: (repeat, size) per dimension, the repeat axis dropped where it is 1.
        var iter = new List<int>();
        var source = new List<long>();
        var outShape = new int[repeats.Length];
        for (int i = 0; i < repeats.Length; i++)
        {
            int size = i < lead ? 1 : _shape[i - lead];
            long stride = i < lead ? 0 : own[i - lead];
            outShape[i] = checked(repeats[i] * size);
            if (repeats[i] > 1) { iter.Add(repeats[i]); source.Add(0); }
            iter.Add(size);
            source.Add(stride);
        }
        if (iter.Count > 8)
            throw new NotSupportedException($"Repeat {Guard.Format(repeats)} of shape {Guard.Format(_shape)} needs {iter.Count} iteration dimensions; at most 8 are supported.");
        int[] iterShape = iter.ToArray();
        long[] sourceStrides = source.ToArray(), outStrides = Shapes.ContiguousStrides(iterShape);
        var result = Allocate(Device, outShape, zero: false);
        Kernels.Elementwise(BinaryOp.CopyA, iterShape, new(result.Data, outStrides), new(Data, sourceStrides), default);
        return Record(result, "Repeat", [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.Elementwise(BinaryOp.CopyA, iterShape, new(dx.Data, sourceStrides), new(g.Data, outStrides), default, 1f, accumulate: true);
        });
    }

    /// <summary>Rolls the elements <paramref name="shifts"/> places along <paramref name="dim"/> (PyTorch's <c>roll</c>):
    /// element i moves to (i + shifts) mod size. Without a dimension the flattened tensor is rolled.</summary>
    public Tensor Roll(int shifts, int? dim = null)
    {
        if (dim is null) return Reshape(-1).Roll(shifts, 0).Reshape(_shape);
        int d = NormalizeDim(dim.Value), n = _shape[d];
        int s = ((shifts % n) + n) % n;
        if (s == 0) return StridedView("Roll", d, 0, n, 1);
        return Cat([Narrow(d, n - s, s), Narrow(d, 0, n - s)], d);
    }

    /// <summary>Rolls along several dimensions, <paramref name="shifts"/>[i] places along <paramref name="dims"/>[i].</summary>
    public Tensor Roll(int[] shifts, int[] dims)
    {
        Guard.NotNull(shifts);
        Guard.NotNull(dims);
        if (shifts.Length != dims.Length || shifts.Length == 0)
            throw new ArgumentException($"Roll: {shifts.Length} shifts {Guard.Format(shifts)} for {dims.Length} dimensions {Guard.Format(dims)}; give one shift per dimension.", nameof(shifts));
        Tensor result = Roll(shifts[0], dims[0]);
        for (int i = 1; i < dims.Length; i++) result = result.Roll(shifts[i], dims[i]);
        return result;
    }

    /// <summary>Values along <paramref name="dim"/> picked by <paramref name="index"/> (PyTorch's <c>gather</c>):
    /// out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1. The index has this tensor's rank, holds whole numbers in
    /// [0, size of dim) as floats, and is no larger than this tensor outside <paramref name="dim"/>. Differentiable
    /// in this tensor (repeated indices add their gradients).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        Guard.NotNull(index);
        CheckSameDevice(index, "Gather");
        int d = NormalizeDim(dim);
        if (index.Dim != Dim)
            throw new ArgumentException($"Gather: the index has shape {Guard.Format(index._shape)}, but it needs the input's rank {Dim} (input shape {Guard.Format(_shape)}).", nameof(index));
        Tensor source = this;
        for (int i = 0; i < Dim; i++)
        {
            if (i == d) continue;
            if (index._shape[i] > _shape[i])
                throw new ArgumentException(
                    $"Gather: the index has shape {Guard.Format(index._shape)}, larger than the input {Guard.Format(_shape)} in dimension {i} ({index._shape[i]} > {_shape[i]}).", nameof(index));
            if (index._shape[i] < _shape[i]) source = source.Narrow(i, 0, index._shape[i]);
        }
        CheckIndices("Gather", index.ToArray(), index._shape, _shape[d], d);
        return source.GatherAlong("Gather", d, index);
    }

    /// <summary>The entries of <paramref name="index"/> (1-D, whole numbers as floats) along <paramref name="dim"/>,
    /// in that order (PyTorch's <c>index_select</c>); repeats allowed.</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        Guard.NotNull(index);
        CheckSameDevice(index, "IndexSelect");
        int d = NormalizeDim(dim);
        if (index.Dim != 1)
            throw new ArgumentException($"IndexSelect: the index must be 1-D, but has shape {Guard.Format(index._shape)}.", nameof(index));
        CheckIndices("IndexSelect", index.ToArray(), index._shape, _shape[d], d);
        return IndexAlong("IndexSelect", d, index);
    }

    /// <summary>The elements in reverse order along each of <paramref name="dims"/> (PyTorch's <c>flip</c>).</summary>
    public Tensor Flip(params int[] dims)
    {
        Guard.NotNull(dims);
        bool[] mask = Shapes.DimMask(_shape, dims, "Flip");
        if (dims.Length == 0) return StridedView("Flip", 0, 0, _shape.Length == 0 ? 1 : _shape[0], 1);
        Tensor result = this;
        for (int d = 0; d < Dim; d++)
        {
            if (!mask[d]) continue;
            int n = _shape[d];
            var reversed = new float[n];
            for (int j = 0; j < n; j++) reversed[j] = n - 1 - j;
            using Tensor index = FromArray(reversed, n).To(Device);
            Tensor next = result.IndexAlong("Flip", d, index);
            if (!ReferenceEquals(result, this) && !next.RequiresGrad) result.Dispose();
            result = next;
        }
        return result;
    }

    /// <summary>IndexSelect without the index checks: the 1-D index broadcast to the gather layout on the device.</summary>
    private Tensor IndexAlong(string name, int d, Tensor index)
    {
        int k = index._shape[0];
        int[] indexShape = _shape.ToArray();
        indexShape[d] = k;
        using Tensor full = Allocate(Device, indexShape, zero: false, owned: true);
        var strides = new long[Dim];
        strides[d] = 1;
        Kernels.Elementwise(BinaryOp.CopyA, indexShape, full.Contiguous(), new(index.Data, strides), default);
        return GatherAlong(name, d, full);
    }

    /// <summary>y = x gathered along <paramref name="d"/> by an index of this tensor's shape outside d (checked).</summary>
    private Tensor GatherAlong(string name, int d, Tensor index)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= _shape[i];
        for (int i = d + 1; i < Dim; i++) inner *= _shape[i];
        int n = _shape[d], k = index._shape[d];
        var result = Allocate(Device, index._shape, zero: false);
        Kernels.GatherAlong(outer, n, inner, k, Data, index.Data, result.Data);
        if (!WillRecord(this)) return Record(result, name, [this], static (_, _) => { });
        Tensor saved = index.Alias(index.Shape, owned: true);
        return Record(result, name, [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.ScatterAddAlong(outer, n, inner, k, g.Data, saved.Data, dx.Data);
        }, saved);
    }

    /// <summary>Every index a whole number in [0, size): else ArgumentException naming the value and its position.</summary>
    private void CheckIndices(string op, float[] values, int[] indexShape, int size, int d)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v >= 0 && v < size && v == MathF.Floor(v)) continue;
            var at = new int[indexShape.Length];
            for (int j = indexShape.Length - 1, rest = i; j >= 0; j--) { at[j] = rest % indexShape[j]; rest /= indexShape[j]; }
            throw new ArgumentException(
                $"{op}: index {v} at position {Guard.Format(at)} is out of range for dimension {d} of size {size} (input shape {Guard.Format(_shape)}); " +
                "indices must be whole numbers in [0, size).", "index");
        }
    }
}
