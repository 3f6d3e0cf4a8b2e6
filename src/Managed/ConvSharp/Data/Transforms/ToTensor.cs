using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>Scales raw pixel bytes (0–255) to [0, 1], as torchvision's <c>ToTensor</c> does. Datasets hand
/// transforms their pixels as floats 0–255; put this before <see cref="Normalize"/>.</summary>
public sealed class ToTensor : Transform
{
    /// <inheritdoc />
    public override float OutputMaxValue(float inputMaxValue) => inputMaxValue / 255f;

    /// <inheritdoc />
    public override bool CanRunInPlace => true;

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator) =>
        Kernels.Unary(UnaryOp.Affine, source.Data, destination.Data, 1f / 255f, 0f);

    /// <inheritdoc />
    public override string ToString() => "ToTensor()";
}
