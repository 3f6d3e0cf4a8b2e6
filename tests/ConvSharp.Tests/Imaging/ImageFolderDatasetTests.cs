using ConvSharp.Data;
using ConvSharp.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>ImageFolder as a Dataset: channels kept as stored, transforms, DataLoader batches, the in-memory copy.</summary>
public class ImageFolderDatasetTests
{
    /// <summary>A grayscale PNG (stored as one channel) whose pixel (x, y) is <paramref name="value"/>(x, y).</summary>
    private static void WriteGray(string path, int width, int height, Func<int, int, byte> value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) bitmap.GetPixelSpan()[y * bitmap.RowBytes + x] = value(x, y);
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Two classes of 6×5 gray images; image k of class c has pixel (x, y) = 40·c + 10·k + x + y.</summary>
    private static TempFolder GrayTree()
    {
        var dir = new TempFolder();
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 3; k++)
                WriteGray(dir.File($"class{c}/{k}.png"), 6, 5, (x, y) => (byte)(40 * c + 10 * k + x + y));
        return dir;
    }

    [Fact]
    public void A_grayscale_folder_stays_one_channel_and_batches_through_a_data_loader_with_its_transform()
    {
        using var dir = GrayTree();
        Assert.True(ImageFile.ReadInfo(dir.File("class0/0.png")).Grayscale);
        var folder = new ImageFolder(dir.Path, transform: new Compose(new ToTensor(), new CenterCrop(4)));
        Assert.Equal(ColorMode.Grayscale, folder.Color);
        Assert.Equal(new ImageShape(1, 4, 4), folder.ShapeOf(5));
        Dataset dataset = folder;                                        // a Dataset like any other
        using var loader = new DataLoader(dataset, batchSize: 6);
        var (x, y) = loader.First();
        using (x)
        using (y)
        {
            Assert.Equal([6, 1, 4, 4], x.Shape);
            Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1 }, y.ToArray());
            float[] v = x.ToArray();
            // Sample 4 is class 1, image 1: the centre crop of 6×5 at 4×4 starts at (x 1, y 0) (torchvision rounds the offsets).
            int top = (int)Math.Round((5 - 4) / 2.0), left = (int)Math.Round((6 - 4) / 2.0);
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++)
                    Assert.Equal((40 + 10 + (c + left) + (r + top)) / 255f, v[4 * 16 + r * 4 + c], 6);
        }
        var (image, label) = folder[2];
        using (image) Assert.Equal(0f, label);
    }

    [Fact]
    public void Rgb_is_given_when_asked_and_for_a_folder_with_any_colour_file()
    {
        using var dir = GrayTree();
        var rgb = new ImageFolder(dir.Path, ColorMode.Rgb);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(new ImageShape(3, 5, 6), rgb.ShapeOf(0));
        ImageFolderTests.WriteImage(dir.File("class1/colour.png"), 6, 5, (_, _) => new SKColor(200, 10, 10));
        var mixed = new ImageFolder(dir.Path);
        Assert.Equal(ColorMode.Rgb, mixed.Color);
        Assert.Equal(3, mixed.Load(0).Channels);
    }

    [Fact]
    public void The_in_memory_copy_holds_the_same_pixels_labels_and_transform_and_the_transform_can_be_swapped()
    {
        using var dir = GrayTree();
        var folder = new ImageFolder(dir.Path);
        ImageDataset memory = folder.ToImageDataset();
        Assert.Equal(folder.Count, memory.Count);
        Assert.Equal(folder.Classes, memory.Classes!);
        for (int i = 0; i < folder.Count; i++)
        {
            Assert.Equal(folder.LoadBytes(i).Chw, memory.PixelsOf(i).ToArray());
            Assert.Equal(folder.LabelOf(i), memory.LabelOf(i));
        }
        var flipped = folder.WithTransform(new RandomHorizontalFlip(p: 1f));
        using var a = new DataLoader(flipped, 6);
        using var b = new DataLoader(folder, 6);
        var (fx, _) = a.First();
        var (px, _) = b.First();
        using (fx)
        using (px)
        {
            float[] f = fx.ToArray(), p = px.ToArray();
            Assert.Equal(p[5], f[0]);                       // row 0 reversed: raw 0–255 values without ToTensor
            Assert.Equal(p[0], f[5]);
            Assert.Equal(40 + 20 + 0 + 0, p[5 * 30]);
        }
    }
}
