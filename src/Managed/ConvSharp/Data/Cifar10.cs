namespace ConvSharp.Data;

/// <summary>CIFAR-10 from its binary distribution (cifar-10-batches-bin): each batch file is a run of
/// 3,073-byte records, one label byte (0–9) then 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue,
/// each 32×32 row-major, so already C×H×W).</summary>
public static class Cifar10
{
    /// <summary>Bytes per record: one label byte and 3 × 32 × 32 pixel bytes.</summary>
    public const int RecordLength = 1 + ImageLength;

    private const int ImageLength = 3 * 32 * 32;

    /// <summary>The shape of every image.</summary>
    public static ImageShape ImageShape { get; } = new(3, 32, 32);

    /// <summary>The class names, by label (what batches.meta.txt lists).</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The training set (data_batch_1.bin … data_batch_5.bin, 50,000 images) or the test set
    /// (test_batch.bin, 10,000) from <paramref name="directory"/> or its cifar-10-batches-bin subfolder.
    /// <paramref name="transform"/> null means <see cref="ToTensor"/> (images in [0, 1]); a transform you pass
    /// sees raw 0–255 pixels, so include ToTensor yourself, as in torchvision.</summary>
    public static ImageDataset Load(string directory, bool train = true, Transform? transform = null)
    {
        Guard.NotNull(directory);
        string[] names = train ? [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")] : ["test_batch.bin"];
        string[] folders = [directory, Path.Combine(directory, "cifar-10-batches-bin")];
        string? folder = folders.FirstOrDefault(f => names.All(n => File.Exists(Path.Combine(f, n))));
        if (folder is null)
            throw new FileNotFoundException(
                $"CIFAR-10 {(train ? "training" : "test")} batches not found: looked for {string.Join(", ", names)} in " +
                $"{string.Join(" and ", folders)}. Download and unpack cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html).");
        return ReadBatches(names.Select(n => Path.Combine(folder, n))).WithTransform(transform ?? new ToTensor());
    }

    /// <summary>Reads one or many batch files into one dataset of raw pixels (no transform), in file order.
    /// Class names come from batches.meta.txt next to the first file when it is there, else <see cref="Classes"/>.
    /// A file whose length is not a positive multiple of <see cref="RecordLength"/>, or a label beyond the
    /// class names, is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static ImageDataset ReadBatches(IEnumerable<string> paths)
    {
        Guard.NotNull(paths);
        string[] files = [.. paths];
        if (files.Length == 0) throw new ArgumentException("ReadBatches needs at least one file.", nameof(paths));
        IReadOnlyList<string> classes = ReadClassNames(Path.GetDirectoryName(Path.GetFullPath(files[0]))!) ?? Classes;

        long records = 0;
        var counts = new int[files.Length];
        for (int f = 0; f < files.Length; f++)
        {
            long length = IO.RegularFile.Check(files[f], "CIFAR-10 batch");
            if (length == 0 || length % RecordLength != 0)
                throw new InvalidDataException(
                    $"{files[f]} ({length} bytes): a CIFAR-10 binary batch is a run of {RecordLength}-byte records (1 label byte + " +
                    $"{ImageLength} pixel bytes), but {(length == 0 ? "this file is empty" : $"{length} is not a multiple of {RecordLength}")}; " +
                    "the file is truncated or is not a CIFAR-10 binary batch.");
            counts[f] = (int)Math.Min(int.MaxValue, length / RecordLength);
            records += length / RecordLength;
        }
        if (records * ImageLength > Array.MaxLength)
            throw new InvalidDataException($"The {files.Length} CIFAR-10 files hold {records} images, more than one array can hold.");

        var pixels = GC.AllocateUninitializedArray<byte>((int)(records * ImageLength));
        var labels = new int[records];
        int index = 0;
        byte[] chunk = new byte[RecordLength * Math.Min(256, counts.Max())];  // no more than the largest file needs
        for (int f = 0; f < files.Length; f++)
        {
            using var file = IO.RegularFile.OpenRead(files[f], "CIFAR-10 batch");
            for (int done = 0; done < counts[f];)
            {
                int n = Math.Min(256, counts[f] - done);
                int got = file.ReadAtLeast(chunk.AsSpan(0, n * RecordLength), n * RecordLength, throwOnEndOfStream: false);
                if (got < n * RecordLength)
                    throw new InvalidDataException($"{files[f]}: the file shrank while it was read (record {done + got / RecordLength} is incomplete).");
                for (int r = 0; r < n; r++, index++)
                {
                    int label = chunk[r * RecordLength];
                    if (label >= classes.Count)
                        throw new InvalidDataException(
                            $"{files[f]}: record {done + r} has label {label}, but there are {classes.Count} classes (labels 0–{classes.Count - 1}).");
                    labels[index] = label;
                    chunk.AsSpan(r * RecordLength + 1, ImageLength).CopyTo(pixels.AsSpan(index * ImageLength, ImageLength));
                }
                done += n;
            }
        }
        return new ImageDataset(pixels, ImageShape, labels, classes);
    }

    /// <summary>The class names in <paramref name="directory"/>/batches.meta.txt (one per non-empty line), or null without that file.</summary>
    public static IReadOnlyList<string>? ReadClassNames(string directory)
    {
        string path = Path.Combine(directory, "batches.meta.txt");
        if (!File.Exists(path)) return null;
        // 64 KiB: room for thousands of class names, and a bound on what a stray device or huge file can cost.
        string text = System.Text.Encoding.UTF8.GetString(IO.RegularFile.ReadAllBytes(path, 1 << 16, "CIFAR-10 class list"));
        string[] names = [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        return names.Length > 0 ? names : throw new InvalidDataException($"{path} lists no class names.");
    }
}
