using ConvSharp.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

public class PngWriterTests
{
    private static (byte[] Rgba, int Width, int Height) Decode(string path)
    {
        using SKBitmap bitmap = SKBitmap.Decode(path);
        var rgba = new byte[bitmap.Width * bitmap.Height * 4];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                int i = 4 * (y * bitmap.Width + x);
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (c.Red, c.Green, c.Blue, c.Alpha);
            }
        return (rgba, bitmap.Width, bitmap.Height);
    }

    [Fact]
    public void An_rgb_image_round_trips_through_a_png_with_clamping()
    {
        using var dir = new TempFolder();
        // 2×2 RGB, CHW; -0.5 and 1.5 clamp, NaN writes 0.
        float[] chw = [0f, 0.5f, 1f, -0.5f, /* G */ 1.5f, 0.2f, 0.4f, float.NaN, /* B */ 0.2f, 0.4f, 0.6f, 0.8f];
        string path = dir.File("rgb.png");
        PngWriter.Write(path, chw, 3, 2, 2);

        var (bytes, height, width) = ImageFile.ReadBytes(path);
        Assert.Equal((2, 2), (height, width));
        Assert.Equal(new byte[] { 0, 128, 255, 0, 255, 51, 102, 0, 51, 102, 153, 204 }, bytes);
    }

    [Fact]
    public void A_tensor_writes_as_a_grayscale_png()
    {
        using var dir = new TempFolder();
        using var image = Tensor.FromArray([0f, 0.25f, 0.5f, 0.75f, 1f, 0f], 2, 3);
        string path = dir.File("gray.png");
        PngWriter.Write(path, image);
        var (bytes, height, width) = ImageFile.ReadBytes(path, ColorMode.Grayscale);
        Assert.Equal((2, 3), (height, width));
        Assert.Equal(new byte[] { 0, 64, 128, 191, 255, 0 }, bytes);
        using SKCodec codec = SKCodec.Create(path);
        Assert.Equal(SKColorType.Gray8, codec.Info.ColorType);
    }

    [Fact]
    public void A_grid_lays_tiles_out_row_by_row_with_padding_scaling_and_per_tile_normalisation()
    {
        using var dir = new TempFolder();
        // Five 1×2×2 tiles, three per row: the grid is 2 rows × 3 columns of (2·scale)-pixel tiles, padding 1.
        float[] tiles = new float[5 * 4];
        for (int n = 0; n < 5; n++)
            for (int i = 0; i < 4; i++) tiles[n * 4 + i] = n * 10 + i;  // tile n holds n·10 + [0, 1, 2, 3]
        using var images = Tensor.FromArray(tiles, 5, 2, 2);
        string path = dir.File("grid.png");
        PngWriter.WriteGrid(path, images, columns: 3, padding: 1, normalizeEach: true, scale: 2);

        var (rgba, width, height) = Decode(path);
        Assert.Equal((3 * (4 + 1) + 1, 2 * (4 + 1) + 1), (width, height));
        byte Gray(int x, int y) => rgba[4 * (y * width + x)];
        Assert.Equal(0, Gray(0, 0));                 // padding
        Assert.Equal(0, Gray(5, 3));                 // padding between tiles
        // Tile 4 sits in row 1, column 1: top-left pixel at (1 + 5, 1 + 5); each value fills a 2×2 block.
        Assert.Equal(0, Gray(6, 6));                 // its minimum (40) → 0
        Assert.Equal(85, Gray(8, 7));                // 41 → 1/3
        Assert.Equal(170, Gray(7, 8));               // 42 → 2/3
        Assert.Equal(255, Gray(9, 9));               // its maximum (43) → 255
        Assert.Equal(0, Gray(12, 8));                // the missing sixth tile stays black
        Assert.Equal(255, rgba[3]);                  // opaque
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        using var dir = new TempFolder();
        Assert.Throws<ArgumentException>(() => PngWriter.Write(dir.File("x.png"), new float[5], 1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Write(dir.File("x.png"), new float[8], 2, 2, 2));
        using var t = Tensor.Zeros(1, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => PngWriter.WriteGrid(dir.File("x.png"), t));
        Assert.Empty(dir.FileNames());
    }
}
