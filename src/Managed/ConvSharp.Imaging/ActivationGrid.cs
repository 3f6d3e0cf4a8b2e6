using System.Globalization;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>The colour scales an <see cref="ActivationGrid"/> maps values through.</summary>
public enum Colormap
{
    /// <summary>matplotlib's viridis: perceptually uniform, dark purple (#440154) for the lowest value to yellow (#FDE725)
    /// for the highest, readable in grey print and by colour-blind readers.</summary>
    Viridis,

    /// <summary>Black for the lowest value to white for the highest.</summary>
    Grey,
}

/// <summary>Which values an activation picture's colours span.</summary>
public enum ActivationScale
{
    /// <summary>One scale over every layer shown (the default of <c>convsharp activations</c>): a colour means the same value in
    /// every picture, so layers compare at a glance; a layer of small values looks dark.</summary>
    Shared,

    /// <summary>Each layer from its own minimum to its own maximum: the structure of every layer is visible, but colours
    /// of two pictures are not comparable (read the colour bars).</summary>
    Layer,
}

/// <summary>Draws one layer's activation maps ([C, H, W]: one tile per channel) as a PNG a person reads at a glance: a
/// title, the tiles in rows with visible gaps between them, each value coloured through a <see cref="Colormap"/>, and a
/// colour bar beside them labelled with the scale's lowest, middle and highest value.</summary>
public static class ActivationGrid
{
    /// <summary>The colour of the page: the margins, the gaps between tiles and the title band. It is in neither colormap
    /// (not grey, not on viridis), so a gap is always told from a tile.</summary>
    public static SKColor Background { get; } = new(255, 250, 235);

    /// <summary>Writes <paramref name="activation"/> ([C, H, W], or [1, C, H, W]) to <paramref name="path"/>, coloured from
    /// <paramref name="min"/> (the bar's bottom colour) to <paramref name="max"/> (its top colour); values outside are clamped.</summary>
    /// <param name="path">The PNG file (replaced).</param>
    /// <param name="activation">The maps of one layer.</param>
    /// <param name="title">Printed above the tiles, e.g. the layer's name.</param>
    /// <param name="min">The value of the scale's lowest colour.</param>
    /// <param name="max">The value of the scale's highest colour (greater than <paramref name="min"/>, or equal for a constant layer).</param>
    /// <param name="colormap">Viridis (default) or grey.</param>
    /// <param name="columns">Tiles per row.</param>
    /// <param name="zoom">Pixels per value, each side.</param>
    /// <exception cref="ArgumentException">A shape that is not one layer's maps, a non-finite or reversed range, sizes below 1,
    /// or a picture beyond <see cref="PngWriter.MaxPixels"/>.</exception>
    public static void Write(string path, Tensor activation, string title, float min, float max, Colormap colormap = Colormap.Viridis,
        int columns = 8, int zoom = 4)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(title);
        int[] s = activation.Shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        if (s.Length != 3)
            throw new ArgumentException($"ActivationGrid.Write needs one layer's maps [C, H, W] (or [1, C, H, W]), but got [{string.Join(", ", activation.Shape)}].", nameof(activation));
        using SKBitmap bitmap = Render(activation.ToArray(), s[0], s[1], s[2], title, min, max, colormap, columns, zoom, out _);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} PNG for '{path}'.");
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }

    /// <summary>The lowest and highest finite value of <paramref name="activations"/> (NaN and infinities skipped; (0, 0) when none).</summary>
    public static (float Min, float Max) Range(params IEnumerable<Tensor> activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        foreach (Tensor t in activations)
            foreach (float v in t.ToArray())
                if (float.IsFinite(v)) (low, high) = (Math.Min(low, v), Math.Max(high, v));
        return low > high ? (0f, 0f) : (low, high);
    }

    /// <summary>The colour of <paramref name="t"/> ∈ [0, 1] (0: the lowest value) in <paramref name="colormap"/>.</summary>
    public static SKColor Color(Colormap colormap, double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        if (colormap == Colormap.Grey)
        {
            byte g = (byte)Math.Round(255 * t);
            return new SKColor(g, g, g);
        }
        if (colormap != Colormap.Viridis) throw new ArgumentOutOfRangeException(nameof(colormap), colormap, "Use Colormap.Viridis or Colormap.Grey.");
        ScottPlot.Color c = s_viridis.GetColor(t);
        return new SKColor(c.R, c.G, c.B);
    }

    private static readonly ScottPlot.Colormaps.Viridis s_viridis = new();

    /// <summary>Where things are drawn, for the tests: tile n's top-left corner and side lengths, the colour bar's box and the title band.</summary>
    internal sealed record Layout(int Width, int Height, int TitleHeight, int Margin, int Gap, int TileWidth, int TileHeight, int Across,
        SKRectI Bar)
    {
        public (int X, int Y) Tile(int n) => (Margin + n % Across * (TileWidth + Gap), TitleHeight + n / Across * (TileHeight + Gap));
    }

    internal const int Gap = 3, Margin = 8, TitleHeight = 26, BarWidth = 18, LabelWidth = 72;

    internal static SKBitmap Render(ReadOnlySpan<float> chw, int channels, int height, int width, string title, float min, float max,
        Colormap colormap, int columns, int zoom, out Layout layout)
    {
        if (channels < 1 || height < 1 || width < 1 || columns < 1 || zoom < 1)
            throw new ArgumentOutOfRangeException(nameof(zoom),
                $"channels, height, width, columns and zoom must be at least 1, but are {channels}, {height}, {width}, {columns}, {zoom}.");
        if (!float.IsFinite(min) || !float.IsFinite(max) || max < min)
            throw new ArgumentException($"The colour scale must run between finite values, lowest first, but is {min} to {max}.", nameof(max));
        int across = Math.Min(columns, channels), down = (channels + across - 1) / across;
        long tileW = (long)width * zoom, tileH = (long)height * zoom;
        long gridW = across * tileW + (across - 1) * Gap, gridH = down * tileH + (down - 1) * Gap;
        long barH = Math.Max(gridH, 120);
        long totalW = Margin + gridW + 2 * Margin + BarWidth + LabelWidth, totalH = TitleHeight + Math.Max(gridH, barH) + 2 * Margin;
        if (totalW * totalH > PngWriter.MaxPixels || totalW > int.MaxValue || totalH > int.MaxValue)
            throw new ArgumentException(
                $"{channels} maps of {height}×{width} at zoom {zoom} would make a {totalW}×{totalH} picture, more than {PngWriter.MaxPixels} pixels; use a smaller zoom.",
                nameof(zoom));
        var bar = new SKRectI((int)(Margin + gridW + 2 * Margin), TitleHeight, (int)(Margin + gridW + 2 * Margin + BarWidth), (int)(TitleHeight + barH));
        layout = new Layout((int)totalW, (int)totalH, TitleHeight, Margin, Gap, (int)tileW, (int)tileH, across, bar);

        var bitmap = new SKBitmap(new SKImageInfo((int)totalW, (int)totalH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(Background);
        float range = max - min;
        // A lookup of 256 colours: every value's colour is one of them, as in matplotlib's 256-entry colormaps.
        var lut = new SKColor[256];
        for (int i = 0; i < 256; i++) lut[i] = Color(colormap, i / 255.0);
        SKColor ColorOf(float v) => !float.IsFinite(v) ? lut[0] : lut[range > 0 ? (int)Math.Round(Math.Clamp((v - min) / range, 0f, 1f) * 255) : 0];
        Span<byte> rgba = bitmap.GetPixelSpan();
        int stride = bitmap.RowBytes;
        for (int n = 0; n < channels; n++)
        {
            var (x0, y0) = layout.Tile(n);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    SKColor c = ColorOf(chw[(n * height + y) * width + x]);
                    for (int dy = 0; dy < zoom; dy++)
                        for (int dx = 0; dx < zoom; dx++) Put(rgba, stride, x0 + x * zoom + dx, y0 + y * zoom + dy, c);
                }
        }
        for (int y = bar.Top; y < bar.Bottom; y++)
        {
            SKColor c = lut[(int)Math.Round(255.0 * (bar.Bottom - 1 - y) / Math.Max(1, bar.Height - 1))];
            for (int x = bar.Left; x < bar.Right; x++) Put(rgba, stride, x, y, c);
        }

        using var canvas = new SKCanvas(bitmap);
        using var typeface = Font();
        using var font = new SKFont(typeface, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, Margin, TitleHeight - 9, SKTextAlign.Left, font, ink);
        string Label(float v) => v.ToString("G4", CultureInfo.InvariantCulture);
        float labelX = bar.Right + 4;
        canvas.DrawText(Label(max), labelX, bar.Top + 10, SKTextAlign.Left, font, ink);
        canvas.DrawText(Label((min + max) / 2), labelX, (bar.Top + bar.Bottom) / 2f + 4, SKTextAlign.Left, font, ink);
        canvas.DrawText(Label(min), labelX, bar.Bottom - 1, SKTextAlign.Left, font, ink);
        canvas.Flush();
        return bitmap;
    }

    private static void Put(Span<byte> rgba, int stride, int x, int y, SKColor c)
    {
        int o = y * stride + 4 * x;
        (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (c.Red, c.Green, c.Blue, 255);
    }

    /// <summary>DejaVu Sans (Debian's fonts-dejavu-core, which build.sh installs), else whatever SkiaSharp finds.</summary>
    private static SKTypeface Font()
    {
        foreach (string file in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf" })
            if (File.Exists(file) && SKTypeface.FromFile(file) is { } face) return face;
        return SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
    }
}
