using Xunit.Abstractions;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.IO;
using ConvSharp.NN;
using ConvSharp.Tests.Data;
using ConvSharp.Tests.Imaging;
using SkiaSharp;

namespace ConvSharp.Tests.Reliability;

/// <summary>Every file loader gets random and mutated inputs. Only the documented exceptions may escape
/// (docs/reliability.md lists them per loader), each naming the file; no case may allocate more managed
/// memory than a small multiple of the file's length; no case may take more than a few seconds.
/// CONVSHARP_FUZZ_ITERATIONS=N runs N cases per loader instead of the CI counts (the long run).</summary>
public class FuzzTests(ITestOutputHelper output)
{
    // Constant allowance per case: the 64 KiB file-stream buffer, the gzip window and the first rents of shared pools.
    private const long AllocationSlack = 2 << 20;
    private const int AllocationFactor = 16;

    private void Fuzz(string name, string path, byte[] valid, Action<string> load, Type[] allowed, int ciCases,
        Func<byte[], Random, byte[]>? declareHuge = null, int seed = 1, long allocationFactor = AllocationFactor)
    {
        load(WriteCase(path, valid));  // the valid file itself loads
        var mutator = new Mutator(seed, declareHuge);
        int cases = Mutator.Cases(ciCases), refused = 0;
        var failures = new List<string>();
        double slowest = 0;
        long mostAllocated = 0, itsLength = 0;
        var clock = new Stopwatch();
        for (int i = 0; i < cases && failures.Count < 5; i++)
        {
            byte[] input = mutator.Next(valid);
            WriteCase(path, input);
            long before = GC.GetAllocatedBytesForCurrentThread();
            clock.Restart();
            try
            {
                load(path);
            }
            catch (Exception e) when (allowed.Any(t => t.IsInstanceOfType(e)))
            {
                refused++;
                if (!e.Message.Contains(path, StringComparison.Ordinal))
                    failures.Add($"case {i}: {e.GetType().Name} does not name the file: {e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({input.Length} bytes): undocumented {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
            }
            slowest = Math.Max(slowest, clock.Elapsed.TotalSeconds);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > mostAllocated) (mostAllocated, itsLength) = (allocated, input.Length);
            if (allocated > allocationFactor * input.Length + AllocationSlack)
                failures.Add($"case {i}: allocated {allocated} bytes for a file of {input.Length} bytes");
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
                failures.Add($"case {i}: took {clock.Elapsed.TotalSeconds:F1} s");
        }
        output.WriteLine($"{name}: {cases} cases, {refused} refused, {cases - refused} loaded; slowest {slowest * 1000:F1} ms; " +
            $"largest allocation {mostAllocated:N0} bytes (for a file of {itsLength:N0} bytes)");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string WriteCase(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // IDX: sizes sit at bytes 4 + 4d, big-endian.
    private static byte[] IdxHugeDimension(byte[] data, Random r)
    {
        int dims = data.Length >= 4 ? Math.Min((int)data[3], 3) : 0;
        if (dims == 0 || data.Length < 8 + 4 * (dims - 1)) return data;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4 + 4 * r.Next(dims)), r.Next(2) == 0 ? Mutator.HugeWord(r) : (uint)r.Next(1, 1 << 20));
        return data;
    }

    [Fact]
    public void Idx_images_and_labels_plain_and_gzipped()
    {
        using var dir = new TempFolder();
        byte[] images = DataFiles.IdxImages(6, 7, 5, DataFiles.Pattern(6 * 7 * 5));
        byte[] labels = DataFiles.IdxLabels([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
        Type[] allowed = [typeof(InvalidDataException)];
        Fuzz("IDX images", dir.File("images-idx3-ubyte"), images, p => IdxFile.ReadImages(p), allowed, 700, IdxHugeDimension, seed: 1);
        Fuzz("IDX labels", dir.File("labels-idx1-ubyte"), labels, p => IdxFile.ReadLabels(p), allowed, 300, IdxHugeDimension, seed: 2);
        // Gzipped: the mutations hit the compressed stream; a huge size is declared inside it, then recompressed.
        Fuzz("IDX images (gzip)", dir.File("images-idx3-ubyte.gz"), DataFiles.Gzip(images), p => IdxFile.ReadImages(p), allowed, 400,
            (data, r) => r.Next(2) == 0 ? data : DataFiles.Gzip(IdxHugeDimension((byte[])images.Clone(), r)), seed: 3);
    }

    [Fact]
    public void Idx_gzip_declaring_far_more_than_it_holds_allocates_only_what_it_yields()
    {
        using var dir = new TempFolder();
        // 10,000 × 28 × 28 announced (7.8 MB) in a stream of 16 KiB of noise: the file (~16 KB) could hold that
        // much (DEFLATE reaches 1032:1), so the ratio check passes; only the growing buffer keeps the allocation down.
        var noise = new byte[1 << 14];
        new Random(5).NextBytes(noise);
        byte[] header = DataFiles.Idx(3, [10_000, 28, 28], noise);
        string path = dir.File("bomb.gz");
        File.WriteAllBytes(path, DataFiles.Gzip(header));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("the data is truncated: the header says 10000 × 28 × 28 = 7840000 bytes follow, but the stream ends after 16384.", e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Cifar10_batches()
    {
        using var dir = new TempFolder();
        byte[] valid = DataFiles.CifarRecords([3, 9, 0]);
        Fuzz("CIFAR-10", dir.File("data_batch_1.bin"), valid, p => Cifar10.ReadBatches([p]), [typeof(InvalidDataException)], 400,
            (data, r) =>
            {
                if (data.Length > 0) data[Cifar10.RecordLength * r.Next(Math.Max(1, data.Length / Cifar10.RecordLength)) % data.Length] = (byte)r.Next(10, 256);
                return data;
            });
    }

    // safetensors: an 8-byte little-endian header length, then JSON whose numbers are shapes and offsets.
    private static byte[] SafeTensorsHuge(byte[] data, Random r)
    {
        if (data.Length < 8) return data;
        if (r.Next(3) == 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data, r.Next(2) == 0 ? (ulong)r.NextInt64() : (ulong)Mutator.HugeWord(r));
            return data;
        }
        long n = BinaryPrimitives.ReadInt64LittleEndian(data);
        if (n < 2 || n > data.Length - 8) return data;
        string json = Encoding.UTF8.GetString(data, 8, (int)n);
        var numbers = System.Text.RegularExpressions.Regex.Matches(json, "[0-9]+");
        if (numbers.Count == 0) return data;
        var m = numbers[r.Next(numbers.Count)];
        string[] huge = ["4294967296", "2147483648", "9223372036854775807", "18446744073709551615", "99999999999999999999", "-1", "0", "1e30", "268435456"];
        json = json[..m.Index] + huge[r.Next(huge.Length)] + json[(m.Index + m.Length)..];
        byte[] header = Encoding.UTF8.GetBytes(json);
        var result = new byte[8 + header.Length + (data.Length - 8 - (int)n)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        data.AsSpan(8 + (int)n).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    [Fact]
    public void Safetensors_files_and_module_checkpoints()
    {
        using var dir = new TempFolder();
        string validPath = dir.File("valid.safetensors");
        using (var model = new Sequential(new Conv2d(1, 2, 3, generator: new Generator(1)), new Flatten(), new Linear(8, 3, generator: new Generator(2))))
            model.Save(validPath);
        byte[] valid = File.ReadAllBytes(validPath);
        Type[] allowed = [typeof(InvalidDataException), typeof(NotSupportedException)];
        Fuzz("safetensors", dir.File("fuzz.safetensors"), valid, p => SafeTensors.Load(p).Dispose(), allowed, 900, SafeTensorsHuge);

        // Module.Load: a refused file must leave the weights exactly as they were.
        using var target = new Sequential(new Conv2d(1, 2, 3, generator: new Generator(5)), new Flatten(), new Linear(8, 3, generator: new Generator(6)));
        float[][] before = [.. target.StateDict().Select(t => t.Tensor.ToArray())];
        float[][] fromFile;
        using (TensorDictionary file = SafeTensors.Load(validPath)) fromFile = [.. file.Values.Select(t => t.ToArray())];
        Fuzz("Module.Load", dir.File("checkpoint.safetensors"), valid, p =>
        {
            foreach (var ((_, t), values) in target.StateDict().Zip(before)) t.CopyFrom(values);
            try
            {
                target.Load(p);
            }
            catch (InvalidDataException)
            {
                Assert.Equal(before, target.StateDict().Select(t => t.Tensor.ToArray()));  // untouched
                throw;
            }
        }, allowed, 300, SafeTensorsHuge, seed: 7);
        Assert.NotEqual(before, fromFile);
    }

    private static readonly uint[] s_crcTable = [.. Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    })];

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes) c = s_crcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFF;
    }

    // PNG: IHDR's width and height at bytes 16–23, with its CRC recomputed so the decoder believes them.
    private static byte[] PngHugeSize(byte[] data, Random r)
    {
        if (data.Length < 33) return data;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(16 + 4 * r.Next(2)), r.Next(2) == 0 ? Mutator.HugeWord(r) : (uint)r.Next(1, 1 << 16));
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(29), Crc32(data.AsSpan(12, 17)));
        return data;
    }

    private static byte[] Encode(SKEncodedImageFormat format)
    {
        using var dir = new TempFolder();
        string path = dir.File("image");
        ImageFolderTests.WriteImage(path, 9, 7, (x, y) => new SKColor((byte)(25 * x), (byte)(30 * y), (byte)(x * y)), format);
        return File.ReadAllBytes(path);
    }

    // An image may decode to as many pixels as its format can encode per file byte (ImageFile's header check);
    // each decoded pixel costs at most 20 managed bytes (RGB bytes, their float copy, the resized result).
    private static long ImageFactor(int pixelsPerByte) => AllocationFactor + 20L * pixelsPerByte;

    [Fact]
    public void A_jpeg_claiming_more_pixels_than_its_bytes_can_hold_is_refused()
    {
        using var dir = new TempFolder();
        byte[] jpeg = Encode(SKEncodedImageFormat.Jpeg);
        int sof = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]);
        Assert.True(sof > 0, "no baseline SOF0 marker in SkiaSharp's JPEG");
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 1000);  // height
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 1000);  // width
        string path = dir.File("short.jpg");
        File.WriteAllBytes(path, jpeg);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Equal($"'{path}' declares 1000 × 1000 = 1000000 pixels, more than a Jpeg file of {jpeg.Length} bytes can encode " +
            $"(at most {ImageFile.MaxJpegPixelsPerFileByte} pixels per byte); the file is truncated or its header is corrupt.", e.Message);
    }

    [Fact]
    public void Png_jpeg_and_webp_images_through_ImageFile_and_ImageFolder()
    {
        using var dir = new TempFolder();
        Type[] allowed = [typeof(InvalidDataException)];
        byte[] png = Encode(SKEncodedImageFormat.Png);
        Fuzz("PNG", dir.File("a.png"), png, p => ImageFile.ReadBytes(p, ColorMode.Rgb), allowed, 500, PngHugeSize, allocationFactor: ImageFactor(ImageFile.MaxPixelsPerFileByte));
        Fuzz("JPEG", dir.File("a.jpg"), Encode(SKEncodedImageFormat.Jpeg), p => ImageFile.Read(p, ColorMode.Grayscale, (5, 5)), allowed, 400, seed: 2,
            allocationFactor: ImageFactor(ImageFile.MaxJpegPixelsPerFileByte));
        Fuzz("WebP", dir.File("a.webp"), Encode(SKEncodedImageFormat.Webp), p => ImageFile.ReadBytes(p), allowed, 200, seed: 3, allocationFactor: ImageFactor(ImageFile.MaxPixelsPerFileByte));

        string folder = dir.File("folder");
        string file = Path.Combine(folder, "cat", "c.png");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, png);
        var images = new ImageFolder(folder, ColorMode.Rgb, size: (4, 4));
        Fuzz("ImageFolder", file, png, _ => images.Load(0), allowed, 300, PngHugeSize, seed: 4, allocationFactor: ImageFactor(ImageFile.MaxPixelsPerFileByte));
    }

    [Fact]
    public void A_tiny_png_declaring_a_huge_image_is_refused_before_the_pixels_are_allocated()
    {
        using var dir = new TempFolder();
        byte[] png = Encode(SKEncodedImageFormat.Png);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 50_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 40_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        string path = dir.File("bomb.png");
        File.WriteAllBytes(path, png);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.ReadBytes(path));
        Assert.Equal($"'{path}' declares an image of 50000 × 40000 pixels, which cannot be decoded (at most {int.MaxValue / 4} pixels).", e.Message);

        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 4_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 3_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        File.WriteAllBytes(path, png);
        e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Equal($"'{path}' declares 4000 × 3000 = 12000000 pixels, more than a Png file of {png.Length} bytes can encode " +
            $"(at most {ImageFile.MaxPixelsPerFileByte} pixels per byte); the file is truncated or its header is corrupt.", e.Message);
    }
}
