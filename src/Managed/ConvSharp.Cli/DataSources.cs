using ConvSharp.Data;
using ConvSharp.Imaging;

namespace ConvSharp.Cli;

/// <summary>A training/test pair found in a --data folder (or the default location), raw (bytes 0–255).</summary>
internal sealed record DataSource(string Description, ImageDataset Train, ImageDataset? Test, IReadOnlyList<string> Classes, float[] Mean, float[] Std,
    (int Height, int Width)? Resize)
{
    /// <summary>The per-sample pipeline: [resize] [augmentations] ToTensor Normalize.</summary>
    public Transform Pipeline(IEnumerable<Transform> augmentations)
    {
        var steps = new List<Transform>();
        if (Resize is { } size) steps.Add(new Resize(size));
        steps.AddRange(augmentations);
        steps.Add(new ToTensor());
        steps.Add(new Normalize(Mean, Std));
        return new Compose([.. steps]);
    }

    /// <summary>The shape every sample has after the pipeline (the first sample's, for variable-size data).</summary>
    public ImageShape SampleShape => Pipeline([]).OutputShape(Train.StoredShapeOf(0));
}

internal static class DataSources
{
    /// <summary>Finds what <paramref name="folder"/> holds: IDX files (MNIST / Fashion-MNIST), CIFAR-10 batches, or an
    /// ImageFolder; null means the default (the full Fashion-MNIST if installed, else the embedded subset).</summary>
    public static DataSource Open(string? folder, (int Height, int Width)? resize)
    {
        if (folder is null)
        {
            string dir = Directory.Exists(FashionMnist.SystemDirectory) && File.Exists(Path.Combine(FashionMnist.SystemDirectory, "train-images-idx3-ubyte.gz"))
                ? FashionMnist.SystemDirectory
                : FashionMnist.FindDirectory(train: true);
            return Idx(dir, "Fashion-MNIST", FashionMnist.Classes, resize);
        }
        if (!Directory.Exists(folder)) throw new CliException($"--data folder '{folder}' does not exist.");
        if (Exists(folder, "train-images-idx3-ubyte"))
        {
            bool fashion = folder.Contains("fashion", StringComparison.OrdinalIgnoreCase);
            return Idx(folder, fashion ? "Fashion-MNIST" : "MNIST-format IDX", fashion ? FashionMnist.Classes : Mnist.Classes, resize);
        }
        if (File.Exists(Path.Combine(folder, "data_batch_1.bin")))
        {
            var train = Cifar10.Load(folder, train: true, transform: RawTransform());
            ImageDataset? test = File.Exists(Path.Combine(folder, "test_batch.bin")) ? Cifar10.Load(folder, train: false, transform: RawTransform()) : null;
            return new DataSource($"CIFAR-10 batches in {folder}", train, test, Cifar10.ReadClassNames(folder) ?? Cifar10.Classes,
                [0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f], resize);
        }
        string[] subfolders = Directory.GetDirectories(folder);
        if (subfolders.Length > 0 && subfolders.Any(d => Directory.EnumerateFiles(d).Any(f => ImageFolder.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))))
            return FromImageFolder(folder, resize);
        throw new CliException(
            $"--data folder '{folder}' holds no recognised dataset: looked for IDX files (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]), " +
            "CIFAR-10 binary batches (data_batch_1.bin ... test_batch.bin) and an image folder (one sub-folder of PNG/JPEG files per class). " +
            "For the full Fashion-MNIST run: apt-get install dataset-fashion-mnist");
    }

    private static bool Exists(string folder, string name) => File.Exists(Path.Combine(folder, name)) || File.Exists(Path.Combine(folder, name + ".gz"));

    private static DataSource Idx(string folder, string what, IReadOnlyList<string> classes, (int, int)? resize)
    {
        var train = Mnist.Load(folder, train: true, transform: RawTransform());
        ImageDataset? test = Exists(folder, "t10k-images-idx3-ubyte") ? Mnist.Load(folder, train: false, transform: RawTransform()) : null;
        bool full = train.Count == 60_000;
        string description = $"{what} in {folder} ({train.Count:N0} training{(test is null ? "" : $", {test.Count:N0} test")} images{(full ? "" : ", a subset")})";
        return new DataSource(description, train, test, classes, [0.2860f], [0.3530f], resize);
    }

    private static DataSource FromImageFolder(string folder, (int Height, int Width)? resize)
    {
        ImageDataset dataset;
        try { dataset = new ImageFolder(folder, ColorMode.Auto, resize, RawTransform()).ToImageDataset(); }
        catch (InvalidDataException e) { throw new CliException(e.Message); }
        var classes = dataset.Classes!;
        int channels = dataset.Count > 0 ? dataset.StoredShapeOf(0).Channels : 3;
        float[] half = [.. Enumerable.Repeat(0.5f, channels)];
        return new DataSource($"image folder {folder} ({dataset.Count:N0} images, {classes.Count} classes, {(channels == 1 ? "grayscale" : "RGB")})",
            dataset, null, classes, half, half, null);
    }

    /// <summary>A transform that keeps raw 0–255 values (the pipeline is attached later, per split).</summary>
    private static Transform RawTransform() => new Compose();
}
