namespace ConvSharp.Data;

/// <summary>CIFAR-100 from its binary distribution (cifar-100-binary): train.bin (50,000 images) and test.bin
/// (10,000), each a run of 3,074-byte records: the coarse label (0–19), the fine label (0–99), then 3,072 pixel
/// bytes (red, green, blue planes of 32×32, as in CIFAR-10).</summary>
public static class Cifar100
{
    /// <summary>Bytes per record: two label bytes and 3 × 32 × 32 pixel bytes.</summary>
    public const int RecordLength = 2 + ImageLength;

    private const int ImageLength = 3 * 32 * 32;

    /// <summary>The 100 fine class names, by label (fine_label_names.txt).</summary>
    public static IReadOnlyList<string> FineClasses { get; } =
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy", "bridge", "bus",
        "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab",
        "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
        "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
        "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
        "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train",
        "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    /// <summary>The 20 coarse (superclass) names, by label (coarse_label_names.txt).</summary>
    public static IReadOnlyList<string> CoarseClasses { get; } =
    [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices", "household_furniture",
        "insects", "large_carnivores", "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2",
    ];

    /// <summary>The training set (train.bin) or the test set (test.bin) from <paramref name="directory"/> or its
    /// cifar-100-binary subfolder, labelled by fine class (100) or, with <paramref name="coarse"/>, by superclass (20).
    /// <paramref name="transform"/> null means <see cref="ToTensor"/>, as for <see cref="Cifar10.Load"/>.</summary>
    public static ImageDataset Load(string directory, bool train = true, bool coarse = false, Transform? transform = null)
    {
        Guard.NotNull(directory);
        string name = train ? "train.bin" : "test.bin";
        string[] folders = [directory, Path.Combine(directory, "cifar-100-binary")];
        string? folder = folders.FirstOrDefault(f => File.Exists(Path.Combine(f, name)))
            ?? throw new FileNotFoundException($"CIFAR-100 {(train ? "training" : "test")} file {name} not found in {string.Join(" or ", folders)}. " +
                "Download and unpack cifar-100-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html).");
        return Read(Path.Combine(folder, name), coarse).WithTransform(transform ?? new ToTensor());
    }

    /// <summary>Reads one binary file into a dataset of raw pixels (no transform). A length that is not a positive
    /// multiple of <see cref="RecordLength"/>, or a label beyond its class list, is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static ImageDataset Read(string path, bool coarse = false)
    {
        Guard.NotNull(path);
        IReadOnlyList<string> classes = coarse ? CoarseClasses : FineClasses;
        long length = new FileInfo(path).Length;
        if (length == 0 || length % RecordLength != 0)
            throw new InvalidDataException(
                $"{path} ({length} bytes): a CIFAR-100 binary file is a run of {RecordLength}-byte records (coarse label, fine label, {ImageLength} pixel bytes), " +
                $"but {(length == 0 ? "this file is empty" : $"{length} is not a multiple of {RecordLength}")}; the file is truncated or is not CIFAR-100.");
        long records = length / RecordLength;
        if (records * ImageLength > Array.MaxLength) throw new InvalidDataException($"{path} holds {records} images, more than one array can hold.");
        var pixels = GC.AllocateUninitializedArray<byte>((int)(records * ImageLength));
        var labels = new int[records];
        byte[] chunk = new byte[RecordLength * (int)Math.Min(256, records)];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        for (int done = 0; done < records;)
        {
            int n = (int)Math.Min(256, records - done);
            int got = file.ReadAtLeast(chunk.AsSpan(0, n * RecordLength), n * RecordLength, throwOnEndOfStream: false);
            if (got < n * RecordLength) throw new InvalidDataException($"{path}: the file shrank while it was read (record {done + got / RecordLength} is incomplete).");
            for (int r = 0; r < n; r++)
            {
                int coarseLabel = chunk[r * RecordLength], fineLabel = chunk[r * RecordLength + 1];
                if (coarseLabel >= CoarseClasses.Count || fineLabel >= FineClasses.Count)
                    throw new InvalidDataException($"{path}: record {done + r} has coarse label {coarseLabel} and fine label {fineLabel}, but there are 20 coarse (0–19) and 100 fine classes (0–99).");
                labels[done + r] = coarse ? coarseLabel : fineLabel;
                chunk.AsSpan(r * RecordLength + 2, ImageLength).CopyTo(pixels.AsSpan((done + r) * ImageLength, ImageLength));
            }
            done += n;
        }
        return new ImageDataset(pixels, Cifar10.ImageShape, labels, classes);
    }
}
