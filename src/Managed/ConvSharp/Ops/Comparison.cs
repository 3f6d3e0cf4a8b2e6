using ConvSharp.Backends;

namespace ConvSharp;

// Comparisons and selection. Tensors are float32, so a comparison returns 1 where it holds and 0 elsewhere (no
// gradient). All six come from the element-wise kernel's two masks: a > b and a == b (Ge = Gt + Eq, so NaN
// compares false everywhere except Ne, as in IEEE and PyTorch). Where is a gather from [b, a] by the condition, so
// a NaN or infinity in the branch not taken never leaks into the result or its gradient.
public partial class Tensor
{
    /// <summary>1 where a == b, else 0 (broadcasting; no gradient).</summary>
    public static Tensor Eq(Tensor a, Tensor b) => Compare(a, b, "Eq", gt: 0, eq: 1, constant: 0);
    /// <summary>1 where a ≠ b (or either is NaN), else 0.</summary>
    public static Tensor Ne(Tensor a, Tensor b) => Compare(a, b, "Ne", gt: 0, eq: -1, constant: 1);
    /// <summary>1 where a &gt; b, else 0.</summary>
    public static Tensor Gt(Tensor a, Tensor b) => Compare(a, b, "Gt", gt: 1, eq: 0, constant: 0);
    /// <summary>1 where a ≥ b, else 0.</summary>
    public static Tensor Ge(Tensor a, Tensor b) => Compare(a, b, "Ge", gt: 1, eq: 1, constant: 0);
    /// <summary>1 where a &lt; b, else 0.</summary>
    public static Tensor Lt(Tensor a, Tensor b) => Compare(b, a, "Lt", gt: 1, eq: 0, constant: 0);
    /// <summary>1 where a ≤ b, else 0.</summary>
    public static Tensor Le(Tensor a, Tensor b) => Compare(b, a, "Le", gt: 1, eq: 1, constant: 0);

    /// <summary>1 where this == other, else 0.</summary>
    public Tensor Eq(Tensor other) => Eq(this, other);
    /// <summary>1 where this ≠ other, else 0.</summary>
    public Tensor Ne(Tensor other) => Ne(this, other);
    /// <summary>1 where this &gt; other, else 0.</summary>
    public Tensor Gt(Tensor other) => Gt(this, other);
    /// <summary>1 where this ≥ other, else 0.</summary>
    public Tensor Ge(Tensor other) => Ge(this, other);
    /// <summary>1 where this &lt; other, else 0.</summary>
    public Tensor Lt(Tensor other) => Lt(this, other);
    /// <summary>1 where this ≤ other, else 0.</summary>
    public Tensor Le(Tensor other) => Le(this, other);

    /// <summary>1 where this == value, else 0.</summary>
    public Tensor Eq(float value) => WithScalar(value, s => Eq(this, s));
    /// <summary>1 where this ≠ value, else 0.</summary>
    public Tensor Ne(float value) => WithScalar(value, s => Ne(this, s));
    /// <summary>1 where this &gt; value, else 0.</summary>
    public Tensor Gt(float value) => WithScalar(value, s => Gt(this, s));
    /// <summary>1 where this ≥ value, else 0.</summary>
    public Tensor Ge(float value) => WithScalar(value, s => Ge(this, s));
    /// <summary>1 where this &lt; value, else 0.</summary>
    public Tensor Lt(float value) => WithScalar(value, s => Lt(this, s));
    /// <summary>1 where this ≤ value, else 0.</summary>
    public Tensor Le(float value) => WithScalar(value, s => Le(this, s));

    // == and != stay reference comparisons (null checks must keep working); use Eq/Ne.
    /// <summary>a &gt; b as 0/1 values.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => Gt(a, b);
    /// <summary>a &lt; b as 0/1 values.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => Lt(a, b);
    /// <summary>a ≥ b as 0/1 values.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => Ge(a, b);
    /// <summary>a ≤ b as 0/1 values.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => Le(a, b);
    /// <summary>a &gt; s as 0/1 values.</summary>
    public static Tensor operator >(Tensor a, float s) => Guard.NotNullTensor(a).Gt(s);
    /// <summary>a &lt; s as 0/1 values.</summary>
    public static Tensor operator <(Tensor a, float s) => Guard.NotNullTensor(a).Lt(s);
    /// <summary>a ≥ s as 0/1 values.</summary>
    public static Tensor operator >=(Tensor a, float s) => Guard.NotNullTensor(a).Ge(s);
    /// <summary>a ≤ s as 0/1 values.</summary>
    public static Tensor operator <=(Tensor a, float s) => Guard.NotNullTensor(a).Le(s);
    /// <summary>s &gt; a as 0/1 values.</summary>
    public static Tensor operator >(float s, Tensor a) => Guard.NotNullTensor(a).Lt(s);
    /// <summary>s &lt; a as 0/1 values.</summary>
    public static Tensor operator <(float s, Tensor a) => Guard.NotNullTensor(a).Gt(s);
    /// <summary>s ≥ a as 0/1 values.</summary>
    public static Tensor operator >=(float s, Tensor a) => Guard.NotNullTensor(a).Le(s);
    /// <summary>s ≤ a as 0/1 values.</summary>
    public static Tensor operator <=(float s, Tensor a) => Guard.NotNullTensor(a).Ge(s);

    /// <summary>1 where the element is NaN, else 0.</summary>
    public Tensor IsNan()
    {
        var result = Allocate(Device, _shape, zero: false);
        Kernels.Fill(result.Data, 1f);
        Kernels.Elementwise(BinaryOp.EqualMask, _shape, result.Contiguous(), Contiguous(), Contiguous(), -1f, accumulate: true);
        return result;
    }

    /// <summary>1 where the element is finite (neither NaN nor ±infinity), else 0.</summary>
    public Tensor IsFinite()
    {
        // x − x is 0 exactly for finite x and NaN for NaN and ±infinity.
        using var diff = Allocate(Device, _shape, zero: false, owned: true);
        Kernels.Elementwise(BinaryOp.Sub, _shape, diff.Contiguous(), Contiguous(), Contiguous());
        var result = Allocate(Device, _shape, zero: false);
        Kernels.Elementwise(BinaryOp.EqualMask, _shape, result.Contiguous(), diff.Contiguous(), diff.Contiguous());
        return result;
    }

    /// <summary>1 (as a 0-dimensional tensor) when every element is non-zero, else 0 (PyTorch's <c>all</c>; NaN counts as true).</summary>
    public Tensor All()
    {
        using var nonZero = Ne(0f);
        using (Autograd.NoGrad()) return nonZero.Amin();
    }

    /// <summary>1 (as a 0-dimensional tensor) when any element is non-zero, else 0 (PyTorch's <c>any</c>).</summary>
    public Tensor Any()
    {
        using var nonZero = Ne(0f);
        using (Autograd.NoGrad()) return nonZero.Amax();
    }

    /// <summary>Element-wise <paramref name="a"/> where <paramref name="condition"/> is non-zero, else <paramref name="b"/>
    /// (PyTorch's <c>where</c>), all three broadcast together. Differentiable in a and b; the branch not taken gets
    /// zero gradient and its values (NaN included) never reach the result.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        Guard.NotNull(condition);
        Guard.NotNull(a);
        Guard.NotNull(b);
        a.CheckSameDevice(b, "Where");
        a.CheckSameDevice(condition, "Where");
        int[] shape = Shapes.Broadcast(Shapes.Broadcast(a._shape, b._shape, "Where"), condition._shape, "Where");
        Tensor ea = a._shape.AsSpan().SequenceEqual(shape) ? a : a.Expand(shape);
        Tensor eb = b._shape.AsSpan().SequenceEqual(shape) ? b : b.Expand(shape);
        Tensor both = Stack([eb, ea], 0);  // [2, ...]: row 0 is b, row 1 is a
        using Tensor select = Allocate(a.Device, [1, .. shape], zero: false, owned: true);
        // The index is 1 where the condition is non-zero: 1 − (condition == 0), broadcast to the result.
        a.Kernels.Fill(select.Data, 1f);
        using (Tensor zero = Allocate(a.Device, [1], zero: true, owned: true))
            a.Kernels.Elementwise(BinaryOp.EqualMask, [1, .. shape], select.Contiguous(),
                new(condition.Data, Shapes.BroadcastStrides(condition._shape, [1, .. shape])), new(zero.Data, [0, .. new long[shape.Length]]), -1f, accumulate: true);
        Tensor picked = both.GatherAlong("Where", 0, select);
        Tensor result = picked.Reshape(shape);
        if (!result.RequiresGrad)
        {
            picked.Dispose();
            both.Dispose();
        }
        return result;
    }

    /// <summary>a where the condition holds, else the constant <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, float b)
    {
        Guard.NotNull(a);
        using Tensor s = Scalar(a.Device, b);
        return Where(condition, a, s);
    }

    /// <summary>The constant <paramref name="a"/> where the condition holds, else b.</summary>
    public static Tensor Where(Tensor condition, float a, Tensor b)
    {
        Guard.NotNull(b);
        using Tensor s = Scalar(b.Device, a);
        return Where(condition, s, b);
    }

    private static Tensor Compare(Tensor a, Tensor b, string name, float gt, float eq, float constant)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        a.CheckSameDevice(b, name);
        int[] shape = Shapes.Broadcast(a._shape, b._shape, name);
        var result = Allocate(a.Device, shape, zero: false);
        var outOp = new StridedOperand(result.Data, Shapes.ContiguousStrides(shape));
        var aOp = new StridedOperand(a.Data, Shapes.BroadcastStrides(a._shape, shape));
        var bOp = new StridedOperand(b.Data, Shapes.BroadcastStrides(b._shape, shape));
        bool written = false;
        if (constant != 0f) { a.Kernels.Fill(result.Data, constant); written = true; }
        if (gt != 0f) { a.Kernels.Elementwise(BinaryOp.GreaterMask, shape, outOp, aOp, bOp, gt, accumulate: written); written = true; }
        if (eq != 0f) a.Kernels.Elementwise(BinaryOp.EqualMask, shape, outOp, aOp, bOp, eq, accumulate: written);
        return result;
    }

    private Tensor WithScalar(float value, Func<Tensor, Tensor> compare)
    {
        using Tensor s = Scalar(Device, value);
        return compare(s);
    }

    /// <summary>A one-element tensor on <paramref name="device"/>, outside any scope (the caller disposes it).</summary>
    internal static Tensor Scalar(Device device, float value)
    {
        var s = Allocate(device, [1], zero: false, owned: true);
        device.Kernels.Fill(s.Data, value);
        return s;
    }
}
