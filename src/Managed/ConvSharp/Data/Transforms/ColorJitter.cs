namespace ConvSharp.Data;

/// <summary>Random brightness and contrast (torchvision's <c>ColorJitter</c>, those two parts): per sample it
/// draws the order of the two steps, then a brightness factor in [max(0, 1 − brightness), 1 + brightness] and a
/// contrast factor in [max(0, 1 − contrast), 1 + contrast] (a part given 0 is neither drawn nor run).
/// Brightness scales every value; contrast blends with the mean grey level. Results are clamped to
/// [0, <see cref="ImageBuffer.MaxValue"/>]: 255 on raw pixels, 1 after <see cref="ToTensor"/>; after
/// <see cref="Normalize"/> the range is unknown and nothing is clamped, so put ColorJitter before Normalize.</summary>
public sealed class ColorJitter : Transform
{
    private readonly float _brightness, _contrast;

    /// <summary>Jitter strengths, each finite and not negative.</summary>
    public ColorJitter(float brightness = 0f, float contrast = 0f)
    {
        if (!(brightness >= 0f) || !float.IsFinite(brightness))
            throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "brightness must be finite and not negative.");
        if (!(contrast >= 0f) || !float.IsFinite(contrast))
            throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "contrast must be finite and not negative.");
        _brightness = brightness;
        _contrast = contrast;
    }

    /// <inheritdoc />
    public override bool CanRunInPlace => true;

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        CopyImage(source, destination);
        bool contrastFirst = generator.NextFloat() < 0.5f;
        float b = _brightness > 0f ? (float)generator.Uniform(Math.Max(0f, 1f - _brightness), 1f + _brightness) : 1f;
        float c = _contrast > 0f ? (float)generator.Uniform(Math.Max(0f, 1f - _contrast), 1f + _contrast) : 1f;
        bool bounded = float.IsFinite(source.MaxValue);
        ImageShape s = destination.Shape;
        HostImages.AdjustColor(destination.Data, s.Channels, s.Height, s.Width, b, c, contrastFirst,
            bounded ? 0f : float.NegativeInfinity, bounded ? source.MaxValue : float.PositiveInfinity);
    }

    /// <inheritdoc />
    public override string ToString() => $"ColorJitter(brightness={_brightness}, contrast={_contrast})";
}
