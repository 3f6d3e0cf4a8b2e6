using System.Runtime.InteropServices;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>Writes float images and grids of images (activation maps, filters, samples) as PNG files:
/// one channel gives a grayscale PNG, three an RGB one. Values are clamped to [0, 1] and mapped to
/// 0–255 (NaN becomes 0), unless a grid is asked to stretch each tile to its own range.</summary>
public static class PngWriter
{
    /// <summary>Writes one CHW image.</summary>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="chw">Channels × height × width values, channel by channel.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    public static void Write(string path, ReadOnlySpan<float> chw, int channels, int height, int width) =>
        WriteGrid(path, chw, 1, channels, height, width, columns: 1, padding: 0);

    /// <summary>Writes a [C, H, W] tensor (C = 1 or 3) or an [H, W] one as a PNG.</summary>
    public static void Write(string path, Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int[] s = image.Shape;
        if (s.Length == 2) Write(path, image.ToArray(), 1, s[0], s[1]);
        else if (s.Length == 3) Write(path, image.ToArray(), s[0], s[1], s[2]);
        else throw new ArgumentException($"PngWriter.Write needs a [C, H, W] or [H, W] tensor, but got [{string.Join(", ", s)}].", nameof(image));
    }

    /// <summary>The most pixels a grid may have: 2^29 (2 GiB of RGBA).</summary>
    public const long MaxPixels = 1L << 29;

    /// <summary>Writes <paramref name="count"/> NCHW images as one grid, row by row, <paramref name="columns"/>
    /// per row, as torchvision's <c>make_grid</c> lays them out (black padding between and around tiles).</summary>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="nchw">count × channels × height × width values.</param>
    /// <param name="count">Images.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="height">Rows of each image.</param>
    /// <param name="width">Columns of each image.</param>
    /// <param name="columns">Images per grid row (fewer when there are fewer images).</param>
    /// <param name="padding">Black pixels between tiles and around the grid.</param>
    /// <param name="normalizeEach">Stretch each image from its own minimum and maximum to [0, 1] (for
    /// activations and weights, whose values are not intensities); otherwise clamp to [0, 1].</param>
    /// <param name="scale">Enlarge every pixel to a scale × scale block (nearest neighbour), for small maps.</param>
    public static void WriteGrid(string path, ReadOnlySpan<float> nchw, int count, int channels, int height, int width,
        int columns = 8, int padding = 2, bool normalizeEach = false, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "A PNG image needs 1 (gray) or 3 (RGB) channels.");
        if (count < 1 || height < 1 || width < 1 || columns < 1 || scale < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(count),
                $"count, height, width, columns and scale must be at least 1 and padding at least 0, but are {count}, {height}, {width}, {columns}, {scale}, {padding}.");
        long tile = (long)channels * height * width;
        if (nchw.Length != count * tile)
            throw new ArgumentException($"{count} images of {channels}×{height}×{width} need {count * tile} values, but {nchw.Length} were given.", nameof(nchw));

        int across = Math.Min(columns, count), down = (count + across - 1) / across;
        long gridHeight = down * ((long)height * scale + padding) + padding, gridWidth = across * ((long)width * scale + padding) + padding;
        // SkiaSharp encodes images of at most 2^29 pixels (and int sides); a larger grid is refused by its numbers
        // before the pixel buffer is allocated, rather than wrapping around.
        if (gridHeight * gridWidth > MaxPixels)
            throw new ArgumentException(
                $"A grid of {count} images of {height}×{width} at scale {scale} ({columns} columns) would be {gridWidth}×{gridHeight} pixels, " +
                $"more than the {MaxPixels} pixels a PNG written here may have; use a smaller scale.", nameof(scale));
        int tileH = height * scale, tileW = width * scale;
        int gridH = (int)gridHeight, gridW = (int)gridWidth;
        int bytesPerPixel = channels == 1 ? 1 : 4;
        byte[] pixels = new byte[(long)gridH * gridW * bytesPerPixel];
        if (channels == 3) for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255;  // opaque

        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> image = nchw.Slice((int)(n * tile), (int)tile);
            var (low, high) = normalizeEach ? Range(image) : (0f, 1f);
            float span = Math.Max(high - low, 1e-5f);
            int top = padding + n / across * (tileH + padding), left = padding + n % across * (tileW + padding);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < tileH; y++)
                    for (int x = 0; x < tileW; x++)
                    {
                        float v = (image[(c * height + y / scale) * width + x / scale] - low) / span;
                        pixels[((long)(top + y) * gridW + left + x) * bytesPerPixel + c] = ToByte(v);
                    }
        }
        Encode(path, pixels, channels, gridH, gridW);
    }

    /// <summary>Writes an [N, C, H, W] tensor (C = 1 or 3) or an [N, H, W] one as a grid; see the span overload.</summary>
    public static void WriteGrid(string path, Tensor images, int columns = 8, int padding = 2, bool normalizeEach = false, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        int[] s = images.Shape;
        if (s.Length == 3) WriteGrid(path, images.ToArray(), s[0], 1, s[1], s[2], columns, padding, normalizeEach, scale);
        else if (s.Length == 4) WriteGrid(path, images.ToArray(), s[0], s[1], s[2], s[3], columns, padding, normalizeEach, scale);
        else throw new ArgumentException($"PngWriter.WriteGrid needs an [N, C, H, W] or [N, H, W] tensor, but got [{string.Join(", ", s)}].", nameof(images));
    }

    private static (float Low, float High) Range(ReadOnlySpan<float> values)
    {
        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsNaN(v)) continue;
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }
        return float.IsInfinity(low) || float.IsInfinity(high) ? (0f, 1f) : (low, high);
    }

    // As torchvision's save_image: v · 255 + 0.5, clamped, truncated.
    private static byte ToByte(float v) => float.IsNaN(v) ? (byte)0 : (byte)(Math.Clamp(v, 0f, 1f) * 255f + 0.5f);

    private static void Encode(string path, byte[] pixels, int channels, int height, int width)
    {
        var info = channels == 1
            ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}×{height} PNG for '{path}'.");
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }
}
