namespace ConvSharp.Data;

/// <summary>Resizes to a fixed size (torchvision's <c>Resize</c>, without antialiasing): pixel centres map as
/// PyTorch's interpolate with align_corners = false; Nearest is PIL's nearest ("nearest-exact").</summary>
public sealed class Resize : Transform
{
    private readonly int _size, _height, _width;
    private readonly InterpolationMode _interpolation;

    /// <summary>Scales the shorter side to <paramref name="size"/>, keeping the aspect ratio (the longer side
    /// becomes floor(size · long / short)).</summary>
    public Resize(int size, InterpolationMode interpolation = InterpolationMode.Bilinear)
    {
        Guard.Positive(size);
        _size = size;
        _interpolation = interpolation;
        _ = ToSampling(interpolation);
    }

    /// <summary>Resizes to exactly <paramref name="size"/> (height, width).</summary>
    public Resize((int Height, int Width) size, InterpolationMode interpolation = InterpolationMode.Bilinear)
    {
        if (size.Height < 1 || size.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Both sides of a Resize must be at least 1.");
        (_height, _width) = size;
        _interpolation = interpolation;
        _ = ToSampling(interpolation);
    }

    /// <inheritdoc />
    public override ImageShape OutputShape(ImageShape input)
    {
        if (_size == 0) return input with { Height = _height, Width = _width };
        bool tall = input.Height >= input.Width;
        int shortSide = tall ? input.Width : input.Height, longSide = tall ? input.Height : input.Width;
        int newLong = (int)Math.Min(int.MaxValue, (long)_size * longSide / shortSide);
        return tall ? input with { Height = newLong, Width = _size } : input with { Height = _size, Width = newLong };
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        ImageShape s = source.Shape, d = destination.Shape;
        HostImages.Resize(source.Data, s.Channels, s.Height, s.Width, destination.Data, d.Height, d.Width, ToSampling(_interpolation));
    }

    /// <inheritdoc />
    public override string ToString() => _size > 0 ? $"Resize({_size}, {_interpolation})" : $"Resize(({_height}, {_width}), {_interpolation})";
}
