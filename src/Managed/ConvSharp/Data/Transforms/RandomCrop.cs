namespace ConvSharp.Data;

/// <summary>Crops at a random position (torchvision's <c>RandomCrop</c>), after padding every side with
/// <c>padding</c> pixels of value <c>fill</c>: top then left are drawn uniformly from every position where the
/// crop fits in the padded image.</summary>
public sealed class RandomCrop : Transform
{
    private readonly int _height, _width, _padding;
    private readonly float _fill;

    /// <summary>A square crop of side <paramref name="size"/>.</summary>
    public RandomCrop(int size, int padding = 0, float fill = 0f) : this((size, size), padding, fill) { }

    /// <summary>A crop of <paramref name="size"/> (height, width).</summary>
    public RandomCrop((int Height, int Width) size, int padding = 0, float fill = 0f)
    {
        if (size.Height < 1 || size.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Both sides of a crop must be at least 1.");
        Guard.NonNegative(padding);
        (_height, _width) = size;
        _padding = padding;
        _fill = fill;
    }

    /// <inheritdoc />
    public override ImageShape OutputShape(ImageShape input)
    {
        if (input.Height + 2L * _padding < _height || input.Width + 2L * _padding < _width)
            throw new ArgumentException(
                $"RandomCrop of ({_height}, {_width}) does not fit in an image of {input} padded by {_padding} on each side.");
        return input with { Height = _height, Width = _width };
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        ImageShape s = source.Shape;
        int top = generator.NextIntInclusive(0, s.Height + 2 * _padding - _height) - _padding;
        int left = generator.NextIntInclusive(0, s.Width + 2 * _padding - _width) - _padding;
        Span<double> m = stackalloc double[9];
        WarpMatrix.Translation(left, top, m);
        Warp(source, destination, m, Sampling.Nearest, _fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomCrop(({_height}, {_width}), padding={_padding}, fill={_fill})";
}
