using ConvSharp.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

public class PlotsTests
{
    private static SKBitmap Decode(string path)
    {
        using var data = SKData.Create(path);
        return SKBitmap.Decode(data) ?? throw new InvalidDataException(path);
    }

    /// <summary>Distinct colours in the image: a blank or single-colour image has one or two.</summary>
    private static int Colours(SKBitmap bitmap)
    {
        var seen = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 3) for (int x = 0; x < bitmap.Width; x += 3) seen.Add((uint)bitmap.GetPixel(x, y));
        return seen.Count;
    }

    [Fact]
    public void Line_plots_and_confusion_heatmaps_are_written_as_non_blank_pngs()
    {
        string dir = Directory.CreateTempSubdirectory("convsharp-plots").FullName;
        try
        {
            string lines = Path.Combine(dir, "loss.png"), confusion = Path.Combine(dir, "confusion.png");
            Plots.Lines(lines, "loss", "epoch", "loss",
                [new("train", [1, 2, 3], [1.0, 0.6, 0.4]), new("validation", [1, 2, 3], [1.1, 0.7, 0.55])], 640, 400);
            Plots.Confusion(confusion, new long[,] { { 50, 3, 1 }, { 4, 40, 6 }, { 0, 2, 44 } }, ["cat", "dog", "bird"]);
            using var l = Decode(lines);
            using var c = Decode(confusion);
            Assert.Equal((640, 400), (l.Width, l.Height));
            Assert.True(Colours(l) > 20, "the line plot looks blank");
            Assert.True(Colours(c) > 20, "the heatmap looks blank");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Mismatched_series_and_matrices_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Lines("x.png", "t", "x", "y", [new("a", [1, 2], [1])]));
        Assert.StartsWith("Series 'a' has 2 x values but 1 y values.", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Plots.Confusion("x.png", new long[2, 2], ["a", "b", "c"]));
        Assert.StartsWith("A 2x2 matrix does not match 3 class names.", e2.Message);
    }
}
