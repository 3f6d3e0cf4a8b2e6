namespace ConvSharp.Data;

/// <summary>Fashion-MNIST (Zalando; MIT licence): 1×28×28 greyscale images of clothing in 10 classes, in the
/// same four IDX files as MNIST. <see cref="Load(bool, Transform?)"/> with no folder finds the subset embedded
/// in the repository (data/fashion-mnist: 6,000 training and 1,000 test images) or the full set from
/// Debian's dataset-fashion-mnist package.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the full dataset.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training (train-*) or test (t10k-*) split from <paramref name="directory"/>.
    /// <paramref name="transform"/> null means <see cref="ToTensor"/> (images in [0, 1]); a transform you pass
    /// sees raw 0–255 pixels, so include ToTensor yourself, as in torchvision.</summary>
    public static ImageDataset Load(string directory, bool train = true, Transform? transform = null) =>
        MnistFormat.Load("Fashion-MNIST", directory, train, Classes, transform);

    /// <summary>The split from the first folder <see cref="FindDirectory(bool)"/> finds.</summary>
    public static ImageDataset Load(bool train = true, Transform? transform = null) => Load(FindDirectory(train), train, transform);

    /// <summary>The folders the default search tries, in order: data/fashion-mnist in this directory and in each
    /// parent of <see cref="AppContext.BaseDirectory"/> (the repository's embedded subset), then <see cref="SystemDirectory"/>.</summary>
    public static IReadOnlyList<string> SearchPaths()
    {
        var paths = new List<string>();
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            paths.Add(Path.Combine(dir.FullName, "data", "fashion-mnist"));
        paths.Add(SystemDirectory);
        return paths;
    }

    /// <summary>The first of <see cref="SearchPaths"/> that holds the split's two files; throws
    /// <see cref="DirectoryNotFoundException"/> naming every folder tried and how to install the dataset.</summary>
    public static string FindDirectory(bool train = true) => FindDirectory(train, SearchPaths());

    internal static string FindDirectory(bool train, IReadOnlyList<string> paths)
    {
        foreach (string path in paths)
            if (MnistFormat.Has(path, train)) return path;
        throw new DirectoryNotFoundException(
            $"Fashion-MNIST ({MnistFormat.ImagesFile(train)}[.gz] and {MnistFormat.LabelsFile(train)}[.gz]) was not found. Searched:" +
            Environment.NewLine + string.Join(Environment.NewLine, paths.Select(p => "  " + p)) + Environment.NewLine +
            "Install the full dataset with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu; it goes to " +
            $"{SystemDirectory}), or pass the folder that holds the files: FashionMnist.Load(dir).");
    }
}
