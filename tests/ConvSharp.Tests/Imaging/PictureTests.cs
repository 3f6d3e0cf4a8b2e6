using System.Globalization;
using ConvSharp.Imaging;
using ScottPlot;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>Issue 20, item 6, checked from the pixels of the written PNGs, with the layout ScottPlot used for them.</summary>
public class PictureTests
{
    private static double Luminance(SKColor c) => 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;

    [Fact]
    public void The_confusion_matrix_has_a_dark_diagonal_under_viridis()
    {
        using var dir = new TempFolder();
        string path = dir.File("confusion.png");
        long[,] counts = { { 50, 3, 1, 0 }, { 4, 40, 6, 2 }, { 0, 2, 44, 5 }, { 1, 0, 3, 38 } };
        string[] names = ["t-shirt/top", "trouser", "pullover", "dress"];
        using Plot plot = Plots.ConfusionPlot(counts, names, "confusion");
        plot.SavePng(path, 900, 800);
        using var bitmap = SKBitmap.Decode(path);
        int n = names.Length;
        // A point of each cell away from its count text (a quarter cell left of the centre, a third down).
        double Cell(int a, int p)
        {
            Pixel px = plot.GetPixel(new Coordinates(p - 0.3, n - 1 - a - 0.3));
            return Luminance(bitmap.GetPixel((int)px.X, (int)px.Y));
        }
        double brightestDiagonal = Enumerable.Range(0, n).Max(i => Cell(i, i));
        double darkestOff = Enumerable.Range(0, n).SelectMany(a => Enumerable.Range(0, n).Where(p => p != a).Select(p => Cell(a, p))).Min();
        Assert.True(brightestDiagonal < darkestOff, $"diagonal luminance up to {brightestDiagonal:F0}, off-diagonal down to {darkestOff:F0}");
        // Viridis, not a grey ramp: the empty cells are yellow (red and green well above blue).
        Pixel zero = plot.GetPixel(new Coordinates(3 - 0.3, n - 1 - 0 - 0.3));
        SKColor empty = bitmap.GetPixel((int)zero.X, (int)zero.Y);
        Assert.True(empty.Red > 180 && empty.Green > 180 && empty.Blue < 120, $"an empty cell is {empty}, not viridis' yellow");
    }

    [Fact]
    public void Curves_have_integer_epoch_ticks_a_legend_outside_the_data_and_the_kept_epoch_marked()
    {
        using var dir = new TempFolder();
        string path = dir.File("accuracy.png");
        double[] epochs = [1, 2, 3, 4, 5, 6, 7];
        using Plot plot = Plots.LinesPlot("Accuracy", "epoch", "accuracy (%)",
            [new("train", epochs, [60, 70, 78, 83, 86, 88, 90]), new("validation", epochs, [58, 68, 75, 79, 80, 79.5, 79])], markX: 5);
        plot.SavePng(path, 800, 500);
        using var bitmap = SKBitmap.Decode(path);

        string[] labels = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).Where(l => l.Length > 0).ToArray();
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.True(int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), $"tick '{l}' is not an epoch number"));

        PixelRect data = plot.LastRender.DataRect;
        Pixel last = plot.GetPixel(new Coordinates(7, 90));
        Assert.True(last.X < data.Right && last.Y > data.Top, "the last point lies inside the data area");
        // The legend is drawn to the right of the data area: that strip holds dark (text) pixels, the data area's right edge does not end the image.
        int legendInk = 0;
        for (int x = (int)data.Right + 5; x < bitmap.Width; x++)
            for (int y = (int)data.Top; y < (int)data.Bottom; y++)
                if (Luminance(bitmap.GetPixel(x, y)) < 128) legendInk++;
        Assert.True(legendInk > 50, $"no legend right of the data area ({legendInk} dark pixels)");
        // The kept epoch's dashed line crosses the middle of the data area at x = 5.
        Pixel kept = plot.GetPixel(new Coordinates(5, 0));
        int grey = Enumerable.Range((int)data.Top, (int)data.Height).Count(y => bitmap.GetPixel((int)Math.Round(kept.X), y) is var c && c.Red == c.Green && c.Green == c.Blue && c.Red < 200);
        Assert.True(grey > data.Height / 4, $"the kept epoch is not marked ({grey} grey pixels on its line)");
    }
}
