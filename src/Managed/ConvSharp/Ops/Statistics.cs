using ConvSharp.Backends;

namespace ConvSharp;

// Reductions beyond Sum/Mean/Max: Amax/Amin over several dimensions (their own backward: PyTorch's even split of
// the gradient among tied maxima), and compositions with no backward of their own: Min (of −x), Var/Std, Prod
// (a tree of products of halves, exact at zeros), LogSumExp (shifted by the detached maximum), Norm.
public partial class Tensor
{
    /// <summary>The maximum over <paramref name="dims"/> (all dimensions when none are given), PyTorch's <c>amax</c>:
    /// <c>x.Amax(2, 3)</c>. The gradient is shared evenly by the elements equal to the maximum.</summary>
    public Tensor Amax(params int[] dims) => Amax(dims, keepDim: false);

    /// <summary><see cref="Amax(int[])"/> keeping the reduced dimensions as size 1 when <paramref name="keepDim"/>.</summary>
    public Tensor Amax(int[] dims, bool keepDim) => Extreme(dims, keepDim, "Amax");

    /// <summary>The minimum over <paramref name="dims"/> (all when none are given), PyTorch's <c>amin</c>.</summary>
    public Tensor Amin(params int[] dims) => Amin(dims, keepDim: false);

    /// <summary><see cref="Amin(int[])"/> keeping the reduced dimensions when <paramref name="keepDim"/>.</summary>
    public Tensor Amin(int[] dims, bool keepDim)
    {
        Tensor negated = Neg(), max = negated.Extreme(dims, keepDim, "Amin");
        return Done(max.Neg(), negated, max);
    }

    private Tensor Extreme(int[] dims, bool keepDim, string name)
    {
        Guard.NotNull(dims);
        bool[] mask = Shapes.DimMask(_shape, dims, name);
        int[] kept = Shapes.KeepDims(_shape, mask);
        int[] order = [.. Enumerable.Range(0, Dim).Where(d => !mask[d]), .. Enumerable.Range(0, Dim).Where(d => mask[d])];
        long outer = 1, n = 1;
        for (int d = 0; d < Dim; d++) if (mask[d]) n *= _shape[d]; else outer *= _shape[d];
        var result = Allocate(Device, keepDim ? kept : Shapes.WithoutMasked(_shape, mask), zero: false);
        using (var moved = Allocate(Device, order.Select(d => _shape[d]).ToArray(), zero: false, owned: true))
        {
            long[] strides = order.Select(d => Strides[d]).ToArray();
            Kernels.Elementwise(BinaryOp.CopyA, moved._shape, moved.Contiguous(), new(Data, strides), default);
            Kernels.Reduce(ReduceOp.Max, outer, n, 1, moved.Data, result.Data, null);
        }
        return Record(result, name, [this], (g, sink) =>
        {
            if (sink[0] is not { } dx) return;
            long[] toFull = Shapes.BroadcastStrides(kept, _shape);
            using var hits = Allocate(Device, _shape, zero: false, owned: true);
            Kernels.Elementwise(BinaryOp.EqualMask, _shape, hits.Contiguous(), Contiguous(), new(result.Data, toFull));
            using var count = Allocate(Device, kept, zero: true, owned: true);
            Kernels.Elementwise(BinaryOp.CopyA, _shape, new(count.Data, toFull), hits.Contiguous(), default, 1f, accumulate: true);
            using var share = Allocate(Device, kept, zero: false, owned: true);
            Kernels.Elementwise(BinaryOp.Div, kept, share.Contiguous(), new(g.Data, Shapes.ContiguousStrides(kept)), count.Contiguous());
            Kernels.Elementwise(BinaryOp.Mul, _shape, dx.Contiguous(), hits.Contiguous(), new(share.Data, toFull), 1f, accumulate: true);
        });
    }

    /// <summary>The smallest element, as a 0-dimensional tensor.</summary>
    public Tensor Min()
    {
        Tensor negated = Neg(), max = negated.Max();
        return Done(max.Neg(), negated, max);
    }

    /// <summary>The minima along <paramref name="dim"/> and their indices (as floats; the first on ties), like
    /// PyTorch's <c>min(dim, keepdim)</c>.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false)
    {
        Tensor negated = Neg();
        var (values, indices) = negated.Max(dim, keepDim);
        return (Done(values.Neg(), negated, values), indices);
    }

    /// <summary>The indices of the minima along <paramref name="dim"/>, as floats (no gradient).</summary>
    public Tensor ArgMin(int dim, bool keepDim = false)
    {
        using (Autograd.NoGrad())
        {
            var (values, indices) = Min(dim, keepDim);
            values.Dispose();
            return indices;
        }
    }

    /// <summary>The variance of all elements; <paramref name="unbiased"/> divides by N − 1 (PyTorch's correction = 1), else by N.</summary>
    public Tensor Var(bool unbiased = true) => Var([], unbiased ? 1 : 0, keepDim: false);

    /// <summary>The variance over one dimension.</summary>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased ? 1 : 0, keepDim);

    /// <summary>The variance over <paramref name="dims"/>, dividing by N − <paramref name="correction"/> (PyTorch's <c>var(dim, correction=)</c>).</summary>
    public Tensor Var(int[] dims, int correction = 1, bool keepDim = false)
    {
        Guard.NotNull(dims);
        if (correction < 0) throw new ArgumentOutOfRangeException(nameof(correction), correction, $"Var: correction must not be negative, but is {correction}.");
        bool[] mask = Shapes.DimMask(_shape, dims, "Var");
        long count = 1;
        for (int d = 0; d < Dim; d++) if (mask[d]) count *= _shape[d];
        int[] reduced = Enumerable.Range(0, Dim).Where(d => mask[d]).ToArray();
        Tensor mean = Mean(reduced, keepDim: true), centered = this - mean, squared = centered * centered, sum = squared.Sum(reduced, keepDim);
        return Done(sum * (1f / (count - correction)), mean, centered, squared, sum);
    }

    /// <summary>The standard deviation of all elements (<paramref name="unbiased"/> as in <see cref="Var(bool)"/>).</summary>
    public Tensor Std(bool unbiased = true)
    {
        Tensor v = Var(unbiased);
        return Done(v.Sqrt(), v);
    }

    /// <summary>The standard deviation over one dimension.</summary>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false)
    {
        Tensor v = Var(dim, unbiased, keepDim);
        return Done(v.Sqrt(), v);
    }

    /// <summary>The standard deviation over <paramref name="dims"/>, dividing by N − <paramref name="correction"/>.</summary>
    public Tensor Std(int[] dims, int correction = 1, bool keepDim = false)
    {
        Tensor v = Var(dims, correction, keepDim);
        return Done(v.Sqrt(), v);
    }

    /// <summary>The product of all elements, as a 0-dimensional tensor.</summary>
    public Tensor Prod()
    {
        Tensor flat = Reshape(-1);
        Tensor p = flat.Prod(0);
        if (!p.RequiresGrad) flat.Dispose();
        return p;
    }

    /// <summary>The product along <paramref name="dim"/>. Multiplies halves pairwise (log₂ n steps), so the gradient
    /// is exact where elements are zero (no division by x).</summary>
    public Tensor Prod(int dim, bool keepDim = false)
    {
        int d = NormalizeDim(dim);
        Tensor current = Narrow(d, 0, _shape[d]);
        while (current._shape[d] > 1)
        {
            int size = current._shape[d], half = size / 2;
            Tensor lower = current.Narrow(d, 0, half), upper = current.Narrow(d, half, half);
            Tensor product = lower * upper;
            if (size % 2 == 1) product = Cat([product, current.Narrow(d, size - 1, 1)], d);
            current = product;
        }
        return keepDim ? current : current.Squeeze(d);
    }

    /// <summary>log Σ exp(x) over <paramref name="dims"/>, computed stably (shifted by the maximum), PyTorch's <c>logsumexp</c>.</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        Guard.NotNull(dims);
        bool[] mask = Shapes.DimMask(_shape, dims, "LogSumExp");
        int[] reduced = Enumerable.Range(0, Dim).Where(d => mask[d]).ToArray();
        Tensor shift;
        using (Autograd.NoGrad())
        {
            using Tensor max = Amax(reduced, keepDim: true);
            using Tensor finite = max.IsFinite();
            shift = Where(finite, max, 0f);  // a slice of −∞ (or +∞) is not shifted: its result is −∞ (+∞), not NaN
        }
        Tensor shifted = this - shift, e = shifted.Exp(), s = e.Sum(reduced, keepDim: true), l = s.Log(), result = l + shift;
        if (keepDim) return Done(result, shifted, e, s, l, shift);
        return Done(result.Reshape(Shapes.WithoutMasked(_shape, mask)), shifted, e, s, l, shift, result);
    }

    /// <summary>log Σ exp(x) over one dimension.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>The p-norm of all elements (PyTorch's <c>norm</c>): p = 2 the Euclidean norm, 1 the sum of |x|,
    /// <see cref="float.PositiveInfinity"/> the largest |x|.</summary>
    public Tensor Norm(float p = 2f) => Norm(p, [], keepDim: false);

    /// <summary>The p-norm over <paramref name="dims"/>.</summary>
    public Tensor Norm(float p, int[] dims, bool keepDim = false)
    {
        Guard.NotNull(dims);
        if (!(p > 0)) throw new ArgumentOutOfRangeException(nameof(p), p, $"Norm: p must be positive, but is {p}.");
        Tensor abs = Abs();
        if (float.IsPositiveInfinity(p)) return Done(abs.Amax(dims, keepDim), abs);
        if (p == 1f) return Done(abs.Sum(dims, keepDim), abs);
        Tensor powered = p == 2f ? this * this : abs.Pow(p), sum = powered.Sum(dims, keepDim);
        return Done(p == 2f ? sum.Sqrt() : sum.Pow(1f / p), abs, powered, sum);
    }

    /// <summary>Disposes a composition's intermediate tensors unless the result's graph still needs them (then the
    /// graph, freed after backward, and the scope or the GC return them).</summary>
    internal static Tensor Done(Tensor result, params Tensor[] temporaries)
    {
        if (!result.RequiresGrad)
            foreach (Tensor t in temporaries)
                if (!ReferenceEquals(t, result)) t.Dispose();
        return result;
    }
}
