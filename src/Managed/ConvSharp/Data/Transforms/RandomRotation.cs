namespace ConvSharp.Data;

/// <summary>Rotates about the image centre by an angle drawn uniformly from a range (torchvision's
/// <c>RandomRotation</c>; positive angles turn counter-clockwise on screen). The output keeps the input's
/// size; pixels that come from outside the image get <c>fill</c>.</summary>
public sealed class RandomRotation : Transform
{
    private readonly float _min, _max, _fill;
    private readonly InterpolationMode _interpolation;

    /// <summary>Angles in [−<paramref name="degrees"/>, <paramref name="degrees"/>].</summary>
    public RandomRotation(float degrees, InterpolationMode interpolation = InterpolationMode.Nearest, float fill = 0f)
        : this((-Math.Abs(degrees), Math.Abs(degrees)), interpolation, fill) { }

    /// <summary>Angles in [<paramref name="degrees"/>.Min, <paramref name="degrees"/>.Max].</summary>
    public RandomRotation((float Min, float Max) degrees, InterpolationMode interpolation = InterpolationMode.Nearest, float fill = 0f)
    {
        if (!float.IsFinite(degrees.Min) || !float.IsFinite(degrees.Max) || degrees.Min > degrees.Max)
            throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "The angle range must be finite with Min <= Max.");
        (_min, _max) = degrees;
        _interpolation = interpolation;
        _fill = fill;
        _ = ToSampling(interpolation);
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        double angle = generator.Uniform(_min, _max);
        ImageShape s = source.Shape;
        Span<double> m = stackalloc double[9];
        WarpMatrix.Affine(angle, 0, 0, 1, 0, 0, (s.Width - 1) / 2.0, (s.Height - 1) / 2.0, m);
        Warp(source, destination, m, ToSampling(_interpolation), _fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomRotation(({_min}, {_max}), {_interpolation}, fill={_fill})";
}
