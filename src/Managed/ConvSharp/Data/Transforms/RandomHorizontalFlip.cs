namespace ConvSharp.Data;

/// <summary>Mirrors the image left–right with probability <c>p</c> (torchvision's <c>RandomHorizontalFlip</c>).
/// Draws one number per sample.</summary>
public sealed class RandomHorizontalFlip : Transform
{
    private readonly float _p;

    /// <summary>Flips with probability <paramref name="p"/> in [0, 1].</summary>
    public RandomHorizontalFlip(float p = 0.5f)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "A probability must lie in [0, 1].");
        _p = p;
    }

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        if (generator.NextFloat() < _p)
        {
            Span<double> m = stackalloc double[9];
            WarpMatrix.HorizontalFlip(source.Shape.Width, m);
            Warp(source, destination, m, Sampling.Nearest, 0f);
        }
        else
        {
            CopyImage(source, destination);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomHorizontalFlip(p={_p})";
}
