namespace ConvSharp.Data;

/// <summary>Crops the centre (torchvision's <c>CenterCrop</c>); a crop larger than the image pads with zeros.</summary>
public sealed class CenterCrop : Transform
{
    private readonly int _height, _width;

    /// <summary>A square crop of side <paramref name="size"/>.</summary>
    public CenterCrop(int size) : this((size, size)) { }

    /// <summary>A crop of <paramref name="size"/> (height, width).</summary>
    public CenterCrop((int Height, int Width) size)
    {
        if (size.Height < 1 || size.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Both sides of a crop must be at least 1.");
        (_height, _width) = size;
    }

    /// <inheritdoc />
    public override ImageShape OutputShape(ImageShape input) => input with { Height = _height, Width = _width };

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        Span<double> m = stackalloc double[9];
        WarpMatrix.Translation(Offset(source.Shape.Width, _width), Offset(source.Shape.Height, _height), m);
        Warp(source, destination, m, Sampling.Nearest, 0f);
    }

    /// <summary>torchvision's offset: round-half-even of (in − out)/2 when cropping, −floor((out − in)/2) when padding.</summary>
    internal static int Offset(int input, int output) =>
        output > input ? -((output - input) / 2) : (int)Math.Round((input - output) / 2.0, MidpointRounding.ToEven);

    /// <inheritdoc />
    public override string ToString() => $"CenterCrop(({_height}, {_width}))";
}
