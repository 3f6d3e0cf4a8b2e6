using System.Globalization;

namespace ConvSharp.NN;

/// <summary>During training, zeroes each element with probability <see cref="P"/> and scales the rest by
/// 1/(1 − p); in evaluation mode the identity (PyTorch's <c>nn.Dropout</c>). The mask is drawn by a
/// counter-based generator from one 64-bit key per forward, taken from <see cref="Generator"/>.</summary>
public sealed class Dropout : Module
{
    /// <summary>A dropout layer with drop probability <paramref name="p"/> in [0, 1), drawing its keys from
    /// <paramref name="generator"/> (default <see cref="ConvSharp.Generator.Default"/>).</summary>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        Tensor.CheckDropoutProbability(nameof(Dropout), p);
        P = p;
        Generator = generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>The generator keys are drawn from, or null for <see cref="ConvSharp.Generator.Default"/>.</summary>
    public Generator? Generator { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Dropout(P, IsTraining, Generator);

    /// <inheritdoc />
    public override string ToString() => $"Dropout(p={P.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>During training, zeroes whole channels (dimension 1 of [N, C, H, W], or of [N, C, L]) with
/// probability <see cref="P"/> and scales the rest by 1/(1 − p); in evaluation mode the identity
/// (PyTorch's <c>nn.Dropout2d</c>).</summary>
public sealed class Dropout2d : Module
{
    /// <summary>A channel dropout layer with drop probability <paramref name="p"/> in [0, 1), drawing its keys
    /// from <paramref name="generator"/> (default <see cref="ConvSharp.Generator.Default"/>).</summary>
    public Dropout2d(float p = 0.5f, Generator? generator = null)
    {
        Tensor.CheckDropoutProbability(nameof(Dropout2d), p);
        P = p;
        Generator = generator;
    }

    /// <summary>The probability of zeroing a channel.</summary>
    public float P { get; }

    /// <summary>The generator keys are drawn from, or null for <see cref="ConvSharp.Generator.Default"/>.</summary>
    public Generator? Generator { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Dropout2d(P, IsTraining, Generator);

    /// <inheritdoc />
    public override string ToString() => $"Dropout2d(p={P.ToString(CultureInfo.InvariantCulture)})";
}
