using ConvSharp.Backends;

namespace ConvSharp;

// Element-wise binary ops with NumPy/PyTorch broadcasting: + − × ÷, pow, maximum, minimum.
// Backward of a broadcast input sums the output gradient over the dimensions it was repeated along.
public partial class Tensor
{
    /// <summary>a + b, broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b, "Add");

    /// <summary>a − b, broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b, "Sub");

    /// <summary>a × b element-wise, broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b, "Mul");

    /// <summary>a ÷ b element-wise, broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b, "Div");

    /// <summary>a raised to b element-wise, broadcasting.</summary>
    public static Tensor Pow(Tensor a, Tensor b) => Binary(BinaryOp.Pow, a, b, "Pow");

    /// <summary>The larger of a and b element-wise (PyTorch's <c>maximum</c>); ties send the gradient to a.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary(BinaryOp.Maximum, a, b, "Maximum");

    /// <summary>The smaller of a and b element-wise (PyTorch's <c>minimum</c>); ties send the gradient to a.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary(BinaryOp.Minimum, a, b, "Minimum");

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    /// <summary>a × b element-wise.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    /// <summary>a ÷ b element-wise.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => Guard.NotNullTensor(a).Affine(1f, s, "AddScalar");
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => Guard.NotNullTensor(a).Affine(1f, s, "AddScalar");
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => Guard.NotNullTensor(a).Affine(1f, -s, "SubScalar");
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => Guard.NotNullTensor(a).Affine(-1f, s, "RSubScalar");
    /// <summary>a × s.</summary>
    public static Tensor operator *(Tensor a, float s) => Guard.NotNullTensor(a).Affine(s, 0f, "MulScalar");
    /// <summary>s × a.</summary>
    public static Tensor operator *(float s, Tensor a) => Guard.NotNullTensor(a).Affine(s, 0f, "MulScalar");
    /// <summary>a ÷ s.</summary>
    public static Tensor operator /(Tensor a, float s) => Guard.NotNullTensor(a).Affine(1f / s, 0f, "DivScalar");
    /// <summary>s ÷ a.</summary>
    public static Tensor operator /(float s, Tensor a) => Guard.NotNullTensor(a).Pow(-1f) * s;
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => Guard.NotNullTensor(a).Neg();

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        Guard.NotNull(a);
        Guard.NotNull(b);
        a.CheckSameDevice(b, name);
        int[] shape = Shapes.Broadcast(a._shape, b._shape, name);
        var result = Allocate(a.Device, shape, zero: false);
        long[] outStrides = Shapes.ContiguousStrides(shape);
        long[] aStrides = Shapes.BroadcastStrides(a._shape, shape), bStrides = Shapes.BroadcastStrides(b._shape, shape);
        a.Kernels.Elementwise(op, shape, new(result.Data, outStrides), new(a.Data, aStrides), new(b.Data, bStrides));
        Onnx.OnnxTrace.Current?.Binary(result, name, a, b);
        return Record(result, name, [a, b], (g, sink) =>
        {
            Tensor? da = sink[0], db = sink[1];
            switch (op)
            {
                case BinaryOp.Add:
                    da?.AddReduced(g, 1f);
                    db?.AddReduced(g, 1f);
                    break;
                case BinaryOp.Sub:
                    da?.AddReduced(g, 1f);
                    db?.AddReduced(g, -1f);
                    break;
                case BinaryOp.Mul:
                    da?.AddReducedProduct(BinaryOp.Mul, g, b, 1f);
                    db?.AddReducedProduct(BinaryOp.Mul, g, a, 1f);
                    break;
                case BinaryOp.Div:
                    da?.AddReducedProduct(BinaryOp.Div, g, b, 1f);
                    if (db is not null)
                    {
                        // d(a/b)/db = −(a/b)/b = −result/b
                        using var t = Binary(BinaryOp.Div, result, b, "DivBackward");
                        db.AddReducedProduct(BinaryOp.Mul, g, t, -1f);
                    }
                    break;
                case BinaryOp.Pow:
                    if (da is not null)
                    {
                        // d(a^b)/da = b·a^(b−1) = b·result/a
                        using var t = Binary(BinaryOp.Div, result, a, "PowBackward");
                        using var u = Binary(BinaryOp.Mul, t, b, "PowBackward");
                        da.AddReducedProduct(BinaryOp.Mul, g, u, 1f);
                    }
                    if (db is not null)
                    {
                        // d(a^b)/db = result·ln a
                        using var ln = a.Log();
                        using var t = Binary(BinaryOp.Mul, result, ln, "PowBackward");
                        db.AddReducedProduct(BinaryOp.Mul, g, t, 1f);
                    }
                    break;
                case BinaryOp.Maximum:
                case BinaryOp.Minimum:
                {
                    // PyTorch's rule (derivatives.yaml): a tie splits the gradient in half, the loser gets none, and a NaN
                    // (neither larger, smaller nor equal) gives both sides the whole gradient.
                    using var equal = Mask(BinaryOp.EqualMask, a, b, shape);
                    using var aLoses = op == BinaryOp.Maximum ? Mask(BinaryOp.GreaterMask, b, a, shape) : Mask(BinaryOp.GreaterMask, a, b, shape);
                    using var bLoses = op == BinaryOp.Maximum ? Mask(BinaryOp.GreaterMask, a, b, shape) : Mask(BinaryOp.GreaterMask, b, a, shape);
                    using var half = equal * 0.5f;
                    if (da is not null)
                    {
                        using var keep = 1f - half;
                        using var weight = keep - aLoses;
                        da.AddReducedProduct(BinaryOp.Mul, g, weight, 1f);
                    }
                    if (db is not null)
                    {
                        using var keep = 1f - half;
                        using var weight = keep - bLoses;
                        db.AddReducedProduct(BinaryOp.Mul, g, weight, 1f);
                    }
                    break;
                }
                default:
                    throw new NotSupportedException($"No backward for {op}.");
            }
        });
    }

    /// <summary>A 0/1 mask of <paramref name="op"/> (GreaterMask, EqualMask) over x and y broadcast to <paramref name="shape"/>. No gradient.</summary>
    private static Tensor Mask(BinaryOp op, Tensor x, Tensor y, int[] shape)
    {
        var mask = Allocate(x.Device, shape, zero: false);
        x.Kernels.Elementwise(op, shape, mask.Contiguous(), new(x.Data, Shapes.BroadcastStrides(x._shape, shape)),
            new(y.Data, Shapes.BroadcastStrides(y._shape, shape)));
        return mask;
    }

    /// <summary>this += alpha·(sum of <paramref name="source"/> over the dimensions this tensor was broadcast along).</summary>
    internal void AddReduced(Tensor source, float alpha)
    {
        Kernels.Elementwise(BinaryOp.CopyA, source._shape,
            new(Data, Shapes.BroadcastStrides(_shape, source._shape)), source.Contiguous(), default, alpha, accumulate: true);
    }

    /// <summary>this += alpha·(sum over broadcast dimensions of g op other), with other broadcast to g's shape.</summary>
    private void AddReducedProduct(BinaryOp op, Tensor g, Tensor other, float alpha)
    {
        Kernels.Elementwise(op, g._shape,
            new(Data, Shapes.BroadcastStrides(_shape, g._shape)), g.Contiguous(),
            new(other.Data, Shapes.BroadcastStrides(other._shape, g._shape)), alpha, accumulate: true);
    }
}
