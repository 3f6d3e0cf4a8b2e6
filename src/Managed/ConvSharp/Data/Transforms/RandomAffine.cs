namespace ConvSharp.Data;

/// <summary>A random affine map about the image centre (torchvision's <c>RandomAffine</c>): per sample it
/// draws, in this order, an angle in [−degrees, degrees] (counter-clockwise on screen), a translation of up
/// to translate.X·W and translate.Y·H pixels (each rounded half to even), a scale in [scale.Min, scale.Max],
/// and an x-shear angle in [shear.Min, shear.Max]; parts left null are not drawn. Outside pixels get <c>fill</c>.</summary>
public sealed class RandomAffine : Transform
{
    private readonly float _degrees, _fill;
    private readonly (float X, float Y)? _translate;
    private readonly (float Min, float Max)? _scale, _shear;
    private readonly InterpolationMode _interpolation;

    /// <summary>A random affine transform; see the class summary for how each part is drawn.</summary>
    public RandomAffine(float degrees, (float X, float Y)? translate = null, (float Min, float Max)? scale = null,
        (float Min, float Max)? shear = null, InterpolationMode interpolation = InterpolationMode.Nearest, float fill = 0f)
    {
        if (!float.IsFinite(degrees)) throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "degrees must be finite.");
        if (translate is { } t && !(t.X >= 0f && t.X <= 1f && t.Y >= 0f && t.Y <= 1f))
            throw new ArgumentOutOfRangeException(nameof(translate), translate, "Translation fractions must lie in [0, 1].");
        if (scale is { } s && !(s.Min > 0f && s.Min <= s.Max && float.IsFinite(s.Max)))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale range must be positive and finite with Min <= Max.");
        if (shear is { } h && !(h.Min <= h.Max && h.Min > -90f && h.Max < 90f))
            throw new ArgumentOutOfRangeException(nameof(shear), shear, "The shear range must lie inside (-90, 90) degrees with Min <= Max.");
        _degrees = Math.Abs(degrees);
        _translate = translate;
        _scale = scale;
        _shear = shear;
        _interpolation = interpolation;
        _fill = fill;
        _ = ToSampling(interpolation);
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        ImageShape s = source.Shape;
        double angle = generator.Uniform(-_degrees, _degrees);
        double tx = 0, ty = 0, scale = 1, shear = 0;
        if (_translate is { } t)
        {
            double maxX = t.X * s.Width, maxY = t.Y * s.Height;
            tx = Math.Round(generator.Uniform(-maxX, maxX), MidpointRounding.ToEven);
            ty = Math.Round(generator.Uniform(-maxY, maxY), MidpointRounding.ToEven);
        }
        if (_scale is { } sc) scale = generator.Uniform(sc.Min, sc.Max);
        if (_shear is { } sh) shear = generator.Uniform(sh.Min, sh.Max);
        Span<double> m = stackalloc double[9];
        WarpMatrix.Affine(angle, tx, ty, scale, shear, 0, (s.Width - 1) / 2.0, (s.Height - 1) / 2.0, m);
        Warp(source, destination, m, ToSampling(_interpolation), _fill);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"RandomAffine(degrees={_degrees}, translate={_translate}, scale={_scale}, shear={_shear}, {_interpolation}, fill={_fill})";
}
