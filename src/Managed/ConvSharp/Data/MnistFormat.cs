namespace ConvSharp.Data;

/// <summary>Loading the MNIST family (MNIST, Fashion-MNIST): four IDX files with standard names, plain or gzipped.</summary>
internal static class MnistFormat
{
    internal static string ImagesFile(bool train) => train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";

    internal static string LabelsFile(bool train) => train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";

    /// <summary>The path of <paramref name="name"/> or <paramref name="name"/>.gz in <paramref name="directory"/>, or null.</summary>
    internal static string? Find(string directory, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            // A directory under the file's name is found too, so the loader refuses it by name instead of "not found".
            if (File.Exists(path) || Directory.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Whether <paramref name="directory"/> has both files of a split.</summary>
    internal static bool Has(string directory, bool train) =>
        Find(directory, ImagesFile(train)) is not null && Find(directory, LabelsFile(train)) is not null;

    internal static ImageDataset Load(string name, string directory, bool train, IReadOnlyList<string> classes, Transform? transform)
    {
        Guard.NotNull(directory);
        string? imagesPath = Find(directory, ImagesFile(train));
        string? labelsPath = Find(directory, LabelsFile(train));
        if (imagesPath is null || labelsPath is null)
            throw new FileNotFoundException(
                $"{name} {(train ? "training" : "test")} files not found in {directory}: it needs " +
                $"{ImagesFile(train)}[.gz] and {LabelsFile(train)}[.gz].");

        (byte[] pixels, int count, int rows, int columns) = IdxFile.ReadImages(imagesPath);
        byte[] labelBytes = IdxFile.ReadLabels(labelsPath);
        if (labelBytes.Length != count)
            throw new InvalidDataException($"{imagesPath} holds {count} images, but {labelsPath} holds {labelBytes.Length} labels.");
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = labelBytes[i];
            if (labels[i] >= classes.Count)
                throw new InvalidDataException($"{labelsPath}: label {labels[i]} at index {i} is not one of {name}'s {classes.Count} classes (0–{classes.Count - 1}).");
        }
        return new ImageDataset(pixels, new ImageShape(1, rows, columns), labels, classes, transform ?? new ToTensor());
    }
}
