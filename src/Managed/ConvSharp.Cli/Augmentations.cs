using System.Globalization;
using ConvSharp.Data;

namespace ConvSharp.Cli;

/// <summary>Parses --augment items: rotate:DEG, flip, crop:PAD, affine, perspective.</summary>
internal static class Augmentations
{
    public static Transform[] Parse(IEnumerable<string> items, ImageShape shape)
    {
        var result = new List<Transform>();
        foreach (string raw in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string[] parts = raw.Split(':', 2);
            string name = parts[0].ToLowerInvariant();
            float Arg(float fallback)
            {
                if (parts.Length < 2) return fallback;
                if (!float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || v < 0)
                    throw new CliException($"--augment {raw}: '{parts[1]}' is not a non-negative number.");
                return v;
            }
            result.Add(name switch
            {
                "rotate" => new RandomRotation(Arg(15)),
                "flip" => new RandomHorizontalFlip(),
                "crop" => new RandomCrop((shape.Height, shape.Width), (int)Arg(4)),
                "affine" => new RandomAffine(Arg(10), translate: (0.1f, 0.1f), scale: (0.9f, 1.1f)),
                "perspective" => new RandomPerspective(Arg(0.2f) > 1 ? 1f : Arg(0.2f)),
                _ => throw new CliException($"--augment: unknown augmentation '{raw}'; use rotate:DEG, flip, crop:PAD, affine, perspective."),
            });
        }
        return [.. result];
    }
}
