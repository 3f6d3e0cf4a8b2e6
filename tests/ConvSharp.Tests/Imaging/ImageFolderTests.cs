using ConvSharp.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

public class ImageFolderTests
{
    /// <summary>Encodes a width × height image whose pixel (x, y) is <paramref name="pixel"/>(x, y), with SkiaSharp.</summary>
    internal static void WriteImage(string path, int width, int height, Func<int, int, SKColor> pixel, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) bitmap.SetPixel(x, y, pixel(x, y));
        using SKData data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static SKColor Rgb(int x, int y) => new((byte)(10 * x + 1), (byte)(100 + 20 * y), (byte)(200 - 30 * x - 7 * y));

    /// <summary>Bird (1 image), cat (3: one nested, one with an upper-case extension), dog (1), and a stray text file.</summary>
    private static TempFolder Tree()
    {
        var dir = new TempFolder();
        WriteImage(dir.File("dog/d0.png"), 3, 2, Rgb);
        WriteImage(dir.File("cat/c1.png"), 3, 2, (_, _) => new SKColor(255, 0, 0));
        WriteImage(dir.File("cat/c0.PNG"), 3, 2, (_, _) => new SKColor(0, 0, 255));
        WriteImage(dir.File("cat/kittens/k0.png"), 3, 2, (_, _) => new SKColor(40, 80, 120));
        WriteImage(dir.File("Bird/b0.jpg"), 8, 8, (_, _) => new SKColor(90, 90, 90), SKEncodedImageFormat.Jpeg);
        File.WriteAllText(dir.File("cat/notes.txt"), "not an image");
        File.WriteAllText(dir.File("README"), "a file beside the class folders is not a class");
        return dir;
    }

    [Fact]
    public void Classes_are_sorted_ordinally_and_samples_follow_class_then_folder_then_name()
    {
        using var dir = Tree();
        var folder = new ImageFolder(dir.Path);
        Assert.Equal(["Bird", "cat", "dog"], folder.Classes);
        Assert.Equal(1, folder.ClassToIndex["cat"]);
        Assert.Equal(5, folder.Count);
        Assert.Equal(
            [("Bird/b0.jpg", 0), ("cat/c0.PNG", 1), ("cat/c1.png", 1), ("cat/kittens/k0.png", 1), ("dog/d0.png", 2)],
            folder.Samples.Select(s => (Path.GetRelativePath(dir.Path, s.Path), s.Label)));
        Assert.Equal(3, folder.Channels);
    }

    [Fact]
    public void Rgb_images_load_as_chw_floats_in_0_1_and_as_bytes()
    {
        using var dir = Tree();
        var folder = new ImageFolder(dir.Path, ColorMode.Rgb);
        var (chw, channels, height, width, label) = folder.Load(4);
        Assert.Equal((3, 2, 3, 2), (channels, height, width, label));
        byte[] expected = new byte[3 * 2 * 3];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                SKColor c = Rgb(x, y);
                expected[0 * 6 + y * 3 + x] = c.Red;
                expected[1 * 6 + y * 3 + x] = c.Green;
                expected[2 * 6 + y * 3 + x] = c.Blue;
            }
        Assert.Equal(expected.Select(b => b / 255f), chw);

        LabeledImage<byte> bytes = folder.LoadBytes(4);
        Assert.Equal(expected, bytes.Chw);
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], folder.Load(1).Chw);  // c0.PNG is blue
    }

    [Fact]
    public void Grayscale_uses_the_itu_601_luma_as_pil_does()
    {
        using var dir = Tree();
        var folder = new ImageFolder(dir.Path, ColorMode.Grayscale);
        LabeledImage<byte> image = folder.LoadBytes(4);
        Assert.Equal(1, image.Channels);
        byte[] expected = new byte[6];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                SKColor c = Rgb(x, y);
                expected[y * 3 + x] = (byte)Math.Round(c.Red * 0.299 + c.Green * 0.587 + c.Blue * 0.114, MidpointRounding.AwayFromZero);
            }
        Assert.Equal(expected, image.Chw);
        Assert.Equal([76, 76, 76, 76, 76, 76], folder.LoadBytes(2).Chw);  // pure red: 0.299 × 255 = 76.2
        LabeledImage<byte> jpeg = folder.LoadBytes(0);                   // a flat gray JPEG decodes to about its gray
        Assert.All(jpeg.Chw, v => Assert.InRange(v, 88, 92));
    }

    [Fact]
    public void Resizing_gives_the_asked_size_and_keeps_flat_images_flat()
    {
        using var dir = Tree();
        var folder = new ImageFolder(dir.Path, ColorMode.Rgb, size: (5, 4));
        var (chw, channels, height, width, _) = folder.Load(3);
        Assert.Equal((3, 5, 4), (channels, height, width));
        Assert.Equal(3 * 5 * 4, chw.Length);
        Assert.All(chw[..20], v => Assert.Equal(40 / 255f, v, 1e-6f));
        Assert.All(chw[40..], v => Assert.Equal(120 / 255f, v, 1e-6f));
        Assert.Equal((5, 4), (folder.LoadBytes(0).Height, folder.LoadBytes(0).Width));
    }

    [Fact]
    public void A_corrupt_or_truncated_image_fails_naming_the_file()
    {
        using var dir = new TempFolder();
        WriteImage(dir.File("a/good.png"), 16, 16, Rgb);
        File.WriteAllBytes(dir.File("a/garbage.png"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        byte[] png = File.ReadAllBytes(dir.File("a/good.png"));
        File.WriteAllBytes(dir.File("a/truncated.png"), png[..(png.Length / 2)]);
        var folder = new ImageFolder(dir.Path);
        Assert.Equal(["garbage.png", "good.png", "truncated.png"], folder.Samples.Select(s => Path.GetFileName(s.Path)));

        var e = Assert.Throws<InvalidDataException>(() => folder.Load(0));
        Assert.StartsWith($"'{dir.File("a/garbage.png")}' is not a PNG, JPEG, BMP, GIF or WebP image (its first bytes are 0102030405060708)", e.Message);
        e = Assert.Throws<InvalidDataException>(() => folder.LoadBytes(2));
        Assert.StartsWith($"'{dir.File("a/truncated.png")}' could not be decoded", e.Message);
        Assert.Equal(16, folder.Load(1).Width);
    }

    [Fact]
    public void Missing_roots_empty_classes_and_bad_indices_are_refused_clearly()
    {
        using var dir = new TempFolder();
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolder(dir.File("nowhere")));
        var e = Assert.Throws<FileNotFoundException>(() => new ImageFolder(dir.Path));
        Assert.Contains("has no class folder", e.Message);

        WriteImage(dir.File("a/x.png"), 1, 1, Rgb);
        Directory.CreateDirectory(dir.File("b"));
        File.WriteAllText(dir.File("b/x.txt"), "");
        e = Assert.Throws<FileNotFoundException>(() => new ImageFolder(dir.Path));
        Assert.Contains("has no image for the class b. Supported extensions are: .png, .jpg", e.Message);

        Directory.Delete(dir.File("b"), recursive: true);
        var folder = new ImageFolder(dir.Path);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => folder.Load(1));
        Assert.Contains("holds 1 images; index 1 is out of range", range.Message);
    }
}
