using System.Globalization;

namespace ConvSharp;

/// <summary>A (height, width) pair for 2-D windows: a kernel size, stride, padding, dilation or output
/// size. An <c>int</c> converts to (n, n) and a tuple <c>(h, w)</c> to itself, so arguments read like
/// PyTorch's int-or-tuple parameters: <c>kernelSize: 2</c>, <c>kernelSize: (3, 2)</c>.</summary>
public readonly struct Pair : IEquatable<Pair>
{
    private readonly bool _fromTuple;  // false for default(Pair) too, which prints as 0

    /// <summary>The pair (<paramref name="height"/>, <paramref name="width"/>).</summary>
    public Pair(int height, int width)
    {
        Height = height;
        Width = width;
        _fromTuple = true;
    }

    /// <summary>The pair (<paramref name="both"/>, <paramref name="both"/>); it prints as the single number, like PyTorch.</summary>
    public Pair(int both)
    {
        Height = Width = both;
    }

    /// <summary>The value along the height (rows).</summary>
    public int Height { get; }

    /// <summary>The value along the width (columns).</summary>
    public int Width { get; }

    /// <summary>(n, n).</summary>
    public static implicit operator Pair(int both) => new(both);

    /// <summary>(h, w).</summary>
    public static implicit operator Pair((int Height, int Width) value) => new(value.Height, value.Width);

    /// <summary>Splits the pair: <c>var (h, w) = pair;</c>.</summary>
    public void Deconstruct(out int height, out int width)
    {
        height = Height;
        width = Width;
    }

    /// <inheritdoc />
    public bool Equals(Pair other) => Height == other.Height && Width == other.Width;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Pair other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Height, Width);

    /// <summary>Equal heights and equal widths.</summary>
    public static bool operator ==(Pair left, Pair right) => left.Equals(right);

    /// <summary>A different height or width.</summary>
    public static bool operator !=(Pair left, Pair right) => !left.Equals(right);

    /// <summary>As PyTorch prints the argument: <c>2</c> when it was given as one int (or is the default, 0), else <c>(3, 2)</c>.</summary>
    public override string ToString() => _fromTuple
        ? string.Create(CultureInfo.InvariantCulture, $"({Height}, {Width})")
        : Height.ToString(CultureInfo.InvariantCulture);
}
