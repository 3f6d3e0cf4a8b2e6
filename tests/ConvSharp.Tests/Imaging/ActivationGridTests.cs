using ConvSharp.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>Activation pictures checked from their pixels: colour bar ends, gaps, tile colours, the title band.</summary>
public class ActivationGridTests
{
    /// <summary>Channel k of 10 is a 5×4 map of constant value k (so tile 9 is the maximum, tile 0 the minimum), except
    /// channel 4, a ramp over its 20 pixels.</summary>
    private static float[] Maps()
    {
        var v = new float[10 * 5 * 4];
        for (int k = 0; k < 10; k++)
            for (int p = 0; p < 20; p++) v[k * 20 + p] = k == 4 ? p * 9f / 19 : k;
        return v;
    }

    private static SKColor At(SKBitmap b, int x, int y) => b.GetPixel(x, y);

    [Fact]
    public void Viridis_bar_ends_tiles_gaps_and_title_are_where_they_belong()
    {
        using SKBitmap b = ActivationGrid.Render(Maps(), 10, 5, 4, "layer 3: 10 channels", 0f, 9f, Colormap.Viridis, columns: 4, zoom: 3,
            out ActivationGrid.Layout layout);
        Assert.Equal((layout.Width, layout.Height), (b.Width, b.Height));
        // matplotlib's viridis runs from #440154 to #FDE725.
        SKColor top = At(b, layout.Bar.MidX, layout.Bar.Top), bottom = At(b, layout.Bar.MidX, layout.Bar.Bottom - 1);
        AssertClose(new SKColor(0x44, 0x01, 0x54), bottom);
        AssertClose(new SKColor(0xFD, 0xE7, 0x25), top);
        Assert.Equal(ActivationGrid.Color(Colormap.Viridis, 1), top);
        Assert.Equal(ActivationGrid.Color(Colormap.Viridis, 0), bottom);
        // Tile 9 holds the maximum: every pixel is the bar's top colour; tile 0 the minimum: the bottom colour.
        for (int n = 0; n < 10; n += 9)
        {
            var (x0, y0) = layout.Tile(n);
            for (int y = 0; y < layout.TileHeight; y++)
                for (int x = 0; x < layout.TileWidth; x++) Assert.Equal(n == 9 ? top : bottom, At(b, x0 + x, y0 + y));
        }
        // The bar is monotone in viridis's lightness order: the middle tile (value 4.5 ≈ half) matches the bar's middle.
        var (rx, ry) = layout.Tile(4);
        Assert.NotEqual(At(b, rx, ry), At(b, rx + layout.TileWidth - 1, ry + layout.TileHeight - 1));
        // Gaps between tiles, horizontally and vertically, are background; 3 rows of 4 tiles hold 10.
        var (ax, ay) = layout.Tile(0);
        var (bx, _) = layout.Tile(1);
        var (_, cy) = layout.Tile(4);
        Assert.Equal(4, layout.Across);
        for (int g = ax + layout.TileWidth; g < bx; g++) Assert.Equal(ActivationGrid.Background, At(b, g, ay + 1));
        for (int g = ay + layout.TileHeight; g < cy; g++) Assert.Equal(ActivationGrid.Background, At(b, ax + 1, g));
        Assert.Equal(layout.Gap, bx - ax - layout.TileWidth);
        var (lastX, lastY) = layout.Tile(11);   // tiles 10 and 11 do not exist: background
        Assert.Equal(ActivationGrid.Background, At(b, lastX + 1, lastY + 1));
        // The title band holds text: dark pixels, and only the background elsewhere in it beyond the text.
        int ink = 0;
        for (int y = 0; y < layout.TitleHeight; y++)
            for (int x = 0; x < b.Width; x++)
                if (At(b, x, y) != ActivationGrid.Background) ink++;
        Assert.True(ink > 100, $"the title band has {ink} non-background pixels");
        // The bar's labels (max at the top, min at the bottom) are ink to the right of the bar.
        int labels = 0;
        for (int y = layout.Bar.Top; y < layout.Bar.Top + 12; y++)
            for (int x = layout.Bar.Right + 2; x < b.Width; x++)
                if (At(b, x, y).Red < 128) labels++;
        Assert.True(labels > 10, "the maximum's label should be printed beside the bar's top");
    }

    [Fact]
    public void The_grey_map_runs_black_to_white_and_gaps_stay_distinct_from_any_grey()
    {
        using SKBitmap b = ActivationGrid.Render(Maps(), 10, 5, 4, "grey", 0f, 9f, Colormap.Grey, columns: 5, zoom: 2, out var layout);
        Assert.Equal(SKColors.White.WithAlpha(255), At(b, layout.Bar.MidX, layout.Bar.Top));
        Assert.Equal(SKColors.Black, At(b, layout.Bar.MidX, layout.Bar.Bottom - 1));
        SKColor bg = ActivationGrid.Background;
        Assert.False(bg.Red == bg.Green && bg.Green == bg.Blue, "the background must not be a grey");
        var (x9, y9) = layout.Tile(9);
        Assert.Equal(new SKColor(255, 255, 255), At(b, x9, y9));
    }

    [Fact]
    public void A_layer_scale_stretches_its_own_range_and_bad_ranges_are_refused()
    {
        using var small = Tensor.FromArray([0f, 0.5f, 1f, 0.25f], 1, 2, 2);
        using var large = Tensor.FromArray([-3f, 10f, float.NaN, 2f], 1, 2, 2);
        Assert.Equal((-3f, 10f), ActivationGrid.Range(small, large));
        Assert.Equal((0f, 1f), ActivationGrid.Range(small));
        using SKBitmap own = ActivationGrid.Render(small.ToArray(), 1, 2, 2, "own", 0f, 1f, Colormap.Viridis, 8, 1, out var l1);
        using SKBitmap shared = ActivationGrid.Render(small.ToArray(), 1, 2, 2, "shared", -3f, 10f, Colormap.Viridis, 8, 1, out var l2);
        var (x, y) = l1.Tile(0);
        Assert.Equal(ActivationGrid.Color(Colormap.Viridis, 1), At(own, x, y + 1));
        Assert.Equal(ActivationGrid.Color(Colormap.Viridis, Math.Round(4.0 / 13 * 255) / 255), At(shared, x + 0, y + 1));
        Assert.Throws<ArgumentException>(() => ActivationGrid.Render(small.ToArray(), 1, 2, 2, "t", 2f, 1f, Colormap.Viridis, 8, 1, out _));
        Assert.Throws<ArgumentException>(() => ActivationGrid.Render(small.ToArray(), 1, 2, 2, "t", 0f, float.NaN, Colormap.Viridis, 8, 1, out _));
        var huge = Assert.Throws<ArgumentException>(() => ActivationGrid.Render(small.ToArray(), 1, 2, 2, "t", 0f, 1f, Colormap.Viridis, 8, 30000, out _));
        Assert.Contains("zoom", huge.Message);
    }

    private static void AssertClose(SKColor expected, SKColor actual)
    {
        Assert.True(Math.Abs(expected.Red - actual.Red) <= 2 && Math.Abs(expected.Green - actual.Green) <= 2 && Math.Abs(expected.Blue - actual.Blue) <= 2,
            $"expected {expected}, got {actual}");
    }
}
