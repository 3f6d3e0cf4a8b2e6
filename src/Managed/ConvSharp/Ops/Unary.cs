using ConvSharp.Backends;

namespace ConvSharp;

// Element-wise maps: math functions and activations. One kernel pair (Unary / UnaryBackward) serves all.
public partial class Tensor
{
    /// <summary>−x.</summary>
    public Tensor Neg() => Map(UnaryOp.Neg, "Neg");
    /// <summary>eˣ.</summary>
    public Tensor Exp() => Map(UnaryOp.Exp, "Exp");
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Map(UnaryOp.Log, "Log");
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Map(UnaryOp.Sqrt, "Sqrt");
    /// <summary>|x|; the gradient at 0 is 0.</summary>
    public Tensor Abs() => Map(UnaryOp.Abs, "Abs");
    /// <summary>x raised to <paramref name="exponent"/>.</summary>
    public Tensor Pow(float exponent) => Map(UnaryOp.Pow, "Pow", exponent);

    /// <summary>x limited to [<paramref name="min"/>, <paramref name="max"/>]; the gradient is 0 outside.</summary>
    public Tensor Clamp(float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException($"Clamp: min ({min}) must not exceed max ({max}).", nameof(min));
        return Map(UnaryOp.Clamp, "Clamp", min, max);
    }

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Map(UnaryOp.Relu, "ReLU");
    /// <summary>x for x &gt; 0, else negativeSlope·x.</summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f) => Map(UnaryOp.LeakyRelu, "LeakyReLU", negativeSlope);
    /// <summary>x for x &gt; 0, else alpha·(eˣ − 1).</summary>
    public Tensor Elu(float alpha = 1f) => Map(UnaryOp.Elu, "ELU", alpha);
    /// <summary>x·Φ(x) (exact, erf form).</summary>
    public Tensor Gelu() => Map(UnaryOp.Gelu, "GELU");
    /// <summary>1 / (1 + e⁻ˣ), computed without overflow.</summary>
    public Tensor Sigmoid() => Map(UnaryOp.Sigmoid, "Sigmoid");
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Map(UnaryOp.Tanh, "Tanh");
    /// <summary>SiLU (swish), x·σ(x) = x / (1 + e⁻ˣ).</summary>
    public Tensor Silu() => Map(UnaryOp.Silu, "SiLU");
    /// <summary>SiLU of <paramref name="input"/>, x·σ(x) (PyTorch's <c>torch.nn.functional.silu</c>).</summary>
    public static Tensor Silu(Tensor input) => input.Silu();
    /// <summary>Hardswish, x·relu6(x + 3)/6: 0 for x ≤ −3, x for x ≥ 3. The gradient follows PyTorch at the kinks:
    /// 0 below −3, x/3 + ½ on [−3, 3], 1 above 3.</summary>
    public Tensor Hardswish() => Map(UnaryOp.Hardswish, "Hardswish");
    /// <summary>Hardswish of <paramref name="input"/> (PyTorch's <c>torch.nn.functional.hardswish</c>).</summary>
    public static Tensor Hardswish(Tensor input) => input.Hardswish();

    /// <summary>alpha·x + beta.</summary>
    internal Tensor Affine(float alpha, float beta, string name) => Map(UnaryOp.Affine, name, alpha, beta);

    private Tensor Map(UnaryOp op, string name, float alpha = 0f, float beta = 0f)
    {
        var result = NewLike(zero: false);
        Kernels.Unary(op, Data, result.Data, alpha, beta);
        Onnx.OnnxTrace.Current?.Unary(result, this, op, name, alpha, beta);
        return Record(result, name, [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.UnaryBackward(op, Data, result.Data, g.Data, dx.Data, alpha, beta);
        });
    }
}
