namespace ConvSharp.NN;

/// <summary>Marks an element-wise activation module: each output value depends on the input value at the same position
/// only. Tools use it instead of a list of types (the receptive field in <see cref="Module.Summary(int[])"/>, the
/// activation after a convolution that <c>convsharp activations</c> shows), so a new activation needs no change there.</summary>
public interface IActivation;

/// <summary>max(x, 0).</summary>
public sealed class ReLU : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Relu();
}

/// <summary>x for x &gt; 0, else negativeSlope·x.</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module, IActivation
{
    /// <summary>The slope for negative inputs.</summary>
    public float NegativeSlope { get; } = float.IsFinite(negativeSlope) ? negativeSlope
        : throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, $"LeakyReLU: negativeSlope must be a finite number, but is {negativeSlope.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc />
    public override string ToString() => $"LeakyReLU(negative_slope={NegativeSlope})";
}

/// <summary>x for x &gt; 0, else alpha·(eˣ − 1).</summary>
public sealed class ELU(float alpha = 1f) : Module, IActivation
{
    /// <summary>ELU's alpha.</summary>
    public float Alpha { get; } = float.IsFinite(alpha) ? alpha
        : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"ELU: alpha must be a finite number, but is {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Elu(Alpha);

    /// <inheritdoc />
    public override string ToString() => $"ELU(alpha={Alpha})";
}

/// <summary>x·Φ(x), the exact (erf) form.</summary>
public sealed class GELU : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Gelu();
}

/// <summary>1 / (1 + e⁻ˣ).</summary>
public sealed class Sigmoid : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Sigmoid();
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Tanh();
}

/// <summary>SiLU (swish), x·σ(x), as PyTorch's <c>nn.SiLU</c>.</summary>
public sealed class SiLU : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Silu();
}

/// <summary>Hardswish, x·relu6(x + 3)/6, as PyTorch's <c>nn.Hardswish</c> (MobileNetV3).</summary>
public sealed class Hardswish : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Hardswish();
}

/// <summary>min(max(x, 0), 6) (PyTorch's <c>nn.ReLU6</c>), MobileNetV2's activation.</summary>
public sealed class ReLU6 : Module, IActivation
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Clamp(0f, 6f);
}
