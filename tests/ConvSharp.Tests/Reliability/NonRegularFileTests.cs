using System.Diagnostics;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.IO;

namespace ConvSharp.Tests.Reliability;

/// <summary>Every loader refuses a path that is not a regular file before opening it: a FIFO (whose open would block
/// until a writer came), a symbolic link to a character device (/dev/zero never ends), a directory. Each case runs
/// with a deadline, so a regression fails instead of hanging the suite.</summary>
public sealed class NonRegularFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("convsharp-nonregular").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in new[] { "fifo", "device", "directory" })
            foreach (string loader in new[] { "RegularFile.Check", "SafeTensors.Load", "SafeTensors.ReadHeader", "Module.Load", "IdxFile.ReadImages",
                         "Mnist.Load", "Cifar10.ReadBatches", "ImageFile.Read", "ImageFile.ReadBytes" })
                data.Add(kind, loader);
        return data;
    }

    private string Make(string kind, string name)
    {
        string path = Path.Combine(_root, name);
        switch (kind)
        {
            case "fifo":
                using (var mk = Process.Start("mkfifo", [path])) mk.WaitForExit();
                break;
            case "device":
                File.CreateSymbolicLink(path, "/dev/zero");
                break;
            default:
                Directory.CreateDirectory(path);
                break;
        }
        return path;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_loader_refuses_a_path_that_is_not_a_regular_file_before_opening_it(string kind, string loader)
    {
        string name = loader switch
        {
            "IdxFile.ReadImages" or "Mnist.Load" => "train-images-idx3-ubyte",
            "Cifar10.ReadBatches" => "data_batch_1.bin",
            "ImageFile.Read" or "ImageFile.ReadBytes" => "picture.png",
            _ => "model.safetensors",
        };
        string path = Make(kind, name);
        if (loader == "Mnist.Load") File.WriteAllBytes(Path.Combine(_root, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 0]);
        Action call = loader switch
        {
            "RegularFile.Check" => () => RegularFile.Check(path),
            "SafeTensors.Load" => () => SafeTensors.Load(path).Dispose(),
            "SafeTensors.ReadHeader" => () => SafeTensors.ReadHeader(path),
            "Module.Load" => () => new ConvSharp.NN.Linear(2, 2).Load(path),
            "IdxFile.ReadImages" => () => IdxFile.ReadImages(path),
            "Mnist.Load" => () => Mnist.Load(_root, train: true),
            "Cifar10.ReadBatches" => () => Cifar10.ReadBatches([path]),
            "ImageFile.Read" => () => ImageFile.Read(path),
            _ => () => ImageFile.ReadBytes(path),
        };
        Task<Exception?> attempt = Task.Run(() =>
        {
            try
            {
                call();
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        });
        Assert.True(await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(30))) == attempt, $"{loader} of a {kind} hangs");
        Exception? error = await attempt;
        Assert.NotNull(error);
        Assert.IsType<IOException>(error);
        string what = kind switch { "fifo" => "a FIFO (named pipe)", "device" => "a character device", _ => "a directory" };
        Assert.Contains($"'{path}' is {what}, not a regular file", error!.Message);
    }

    [Fact]
    public void A_missing_file_is_file_not_found_and_a_bounded_read_refuses_a_longer_file()
    {
        string missing = Path.Combine(_root, "nothing");
        var e = Assert.Throws<FileNotFoundException>(() => RegularFile.Check(missing, "model file"));
        Assert.Equal($"model file '{missing}' does not exist.", e.Message);
        string big = Path.Combine(_root, "big");
        File.WriteAllBytes(big, new byte[1000]);
        var tooLong = Assert.Throws<InvalidDataException>(() => RegularFile.ReadAllBytes(big, 999, "class list"));
        Assert.Equal($"class list '{big}' is 1000 bytes, more than the 999 bytes it may have.", tooLong.Message);
        Assert.Equal(1000, RegularFile.ReadAllBytes(big, 1000).Length);
    }

    [Theory]
    [InlineData("idx", "0000080300000001")]
    [InlineData("text", "6E6F7420616E2069")]
    [InlineData("empty", "none: the file is empty")]
    [InlineData("wbmp", "00001C1C00000000")]
    public void A_file_that_is_not_png_jpeg_bmp_gif_or_webp_by_its_signature_is_refused(string what, string head)
    {
        string path = Path.Combine(_root, what + ".png");
        byte[] bytes = what switch
        {
            "idx" => [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28, .. new byte[784]],
            "text" => "not an image at all"u8.ToArray(),
            "empty" => [],
            _ => [0, 0, 28, 28, .. new byte[98]],  // a valid 28x28 WBMP, which SkiaSharp would decode
        };
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Equal($"'{path}' is not a PNG, JPEG, BMP, GIF or WebP image (its first bytes are {head}).", e.Message);
    }

    [Fact]
    public void An_image_folder_with_a_symlink_loop_is_walked_once()
    {
        string root = Path.Combine(_root, "images");
        foreach (string c in new[] { "cat", "dog" })
        {
            Directory.CreateDirectory(Path.Combine(root, c, "sub"));
            for (int i = 0; i < 2; i++) WritePng(Path.Combine(root, c, "sub", $"{i}.png"));
        }
        Directory.CreateSymbolicLink(Path.Combine(root, "cat", "sub", "loop"), Path.Combine(root, "cat"));  // back to an ancestor
        Directory.CreateSymbolicLink(Path.Combine(root, "dog", "again"), Path.Combine(root, "dog", "sub"));  // a second route to one folder
        var folder = new ImageFolder(root);
        Assert.Equal(4, folder.Count);
        Assert.Equal([0, 0, 1, 1], folder.Samples.Select(s => s.Label));
    }

    private static void WritePng(string path)
    {
        using var bitmap = new SkiaSharp.SKBitmap(4, 4);
        using var f = File.Create(path);
        bitmap.Encode(f, SkiaSharp.SKEncodedImageFormat.Png, 100);
    }
}
