namespace ConvSharp.Data;

/// <summary>With probability <c>p</c>, a random perspective warp (torchvision's <c>RandomPerspective</c>): each
/// corner of the image moves inwards by up to distortionScale · half the width and height, and the image is
/// warped so the corners land there. distortionScale 0 is the identity. Outside pixels get <c>fill</c>.</summary>
public sealed class RandomPerspective : Transform
{
    private readonly float _scale, _p, _fill;
    private readonly InterpolationMode _interpolation;

    /// <summary>A random perspective; <paramref name="distortionScale"/> and <paramref name="p"/> lie in [0, 1].</summary>
    public RandomPerspective(float distortionScale = 0.5f, float p = 0.5f, InterpolationMode interpolation = InterpolationMode.Bilinear, float fill = 0f)
    {
        if (!(distortionScale >= 0f && distortionScale <= 1f))
            throw new ArgumentOutOfRangeException(nameof(distortionScale), distortionScale, "distortionScale must lie in [0, 1].");
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "A probability must lie in [0, 1].");
        _scale = distortionScale;
        _p = p;
        _interpolation = interpolation;
        _fill = fill;
        _ = ToSampling(interpolation);
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        if (!(generator.NextFloat() < _p))
        {
            CopyImage(source, destination);
            return;
        }
        int w = source.Shape.Width, h = source.Shape.Height;
        int dx = (int)(_scale * (w / 2)), dy = (int)(_scale * (h / 2));
        // Corners as pixel centres: top-left, top-right, bottom-right, bottom-left (torchvision's draws, in order).
        Span<double> start = [0, 0, w - 1, 0, w - 1, h - 1, 0, h - 1];
        Span<double> end =
        [
            generator.NextIntInclusive(0, dx), generator.NextIntInclusive(0, dy),
            generator.NextIntInclusive(w - dx - 1, w - 1), generator.NextIntInclusive(0, dy),
            generator.NextIntInclusive(w - dx - 1, w - 1), generator.NextIntInclusive(h - dy - 1, h - 1),
            generator.NextIntInclusive(0, dx), generator.NextIntInclusive(h - dy - 1, h - 1),
        ];
        Span<double> m = stackalloc double[9];
        // The inverse map takes the moved corners (output) back to the image corners (input).
        if (!WarpMatrix.Perspective(end, start, m)) WarpMatrix.Identity(m);
        Warp(source, destination, m, ToSampling(_interpolation), _fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomPerspective(distortionScale={_scale}, p={_p}, {_interpolation}, fill={_fill})";
}
