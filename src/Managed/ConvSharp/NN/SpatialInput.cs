using System.Globalization;

namespace ConvSharp.NN;

/// <summary>What the 2-D layers share: the check of their input and the way PyTorch prints a (h, w) pair.</summary>
internal static class SpatialInput
{
    /// <summary>Input must be [N, C, H, W] with C = <paramref name="channels"/>; the message names the layer by its repr.</summary>
    public static void Check(Module layer, Tensor input, int channels)
    {
        if (input.Dim != 4)
            throw new ArgumentException($"{layer} expects a 4-D input [N, C, H, W], but got shape {Guard.Format(input.ShapeSpan)}.", nameof(input));
        if (input.Size(1) != channels)
            throw new ArgumentException(
                $"{layer} expects {channels} input channels, but got {input.Size(1)} (input shape {Guard.Format(input.ShapeSpan)}).", nameof(input));
    }

    /// <summary>(h, w), as PyTorch prints a normalised pair.</summary>
    public static string Format(Pair p) => string.Create(CultureInfo.InvariantCulture, $"({p.Height}, {p.Width})");
}
