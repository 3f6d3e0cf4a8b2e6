namespace ConvSharp.Data;

/// <summary>The shape of one image sample: channels × height × width (the C, H, W of an N×C×H×W batch).</summary>
/// <param name="Channels">C: 1 for greyscale, 3 for RGB.</param>
/// <param name="Height">H, in pixels.</param>
/// <param name="Width">W, in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The number of values, C·H·W.</summary>
    public long Length => (long)Channels * Height * Width;

    /// <summary>The shape as PyTorch prints it: [C, H, W].</summary>
    public override string ToString() => $"[{Channels}, {Height}, {Width}]";

    /// <summary>Throws <see cref="ArgumentException"/> unless every dimension is at least 1.</summary>
    internal ImageShape Validate(string? name = null)
    {
        if (Channels < 1 || Height < 1 || Width < 1)
            throw new ArgumentException($"Image shape {this} has a dimension below 1.", name);
        if (Length > Array.MaxLength)
            throw new ArgumentException($"Image shape {this} holds {Length} values, more than one buffer can hold.", name);
        return this;
    }
}
