namespace ConvSharp.Imaging;

/// <summary>A labelled image dataset laid out as torchvision's <c>ImageFolder</c> expects: one
/// sub-folder of <see cref="Root"/> per class, images anywhere below it. Classes are the sub-folder
/// names sorted ordinally (as Python's <c>sorted</c>), labelled 0, 1, …; samples are ordered by class,
/// then by folder and file name, so labels and indices match torchvision's for the same tree. Files
/// are listed once, when the dataset is made; each <see cref="Load"/> decodes one file (safe to call
/// from several threads).</summary>
public sealed class ImageFolder
{
    /// <summary>The file extensions taken as images (compared case-insensitively).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    private readonly (string Path, int Label)[] _samples;

    /// <summary>Lists the classes and images under <paramref name="root"/>.</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="color">Convert every image to grayscale (1 channel) or RGB (3 channels).</param>
    /// <param name="size">Resize every image to this height and width (antialiased bilinear, as torchvision's
    /// <c>Resize((h, w))</c>); null keeps each image's own size.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><paramref name="root"/> has no class folder, or a class folder holds no image.</exception>
    public ImageFolder(string root, ColorMode color = ColorMode.Rgb, (int Height, int Width)? size = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (color is not (ColorMode.Grayscale or ColorMode.Rgb))
            throw new ArgumentOutOfRangeException(nameof(color), color, "Use ColorMode.Grayscale or ColorMode.Rgb.");
        if (size is (int h, int w) && (h < 1 || w < 1))
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The image size must be at least 1×1, but is {h}×{w}.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The image folder '{root}' does not exist.");

        Root = root;
        Color = color;
        Size = size;
        Classes = Directory.GetDirectories(root).Select(d => System.IO.Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray();
        if (Classes.Count == 0)
            throw new FileNotFoundException($"The image folder '{root}' has no class folder; put each class's images in a sub-folder named for the class.");
        ClassToIndex = Classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

        var samples = new List<(string Path, int Label)>();
        var empty = new List<string>();
        for (int label = 0; label < Classes.Count; label++)
        {
            int before = samples.Count;
            foreach (string file in ImagesBelow(System.IO.Path.Combine(root, Classes[label]))) samples.Add((file, label));
            if (samples.Count == before) empty.Add(Classes[label]);
        }
        if (empty.Count > 0)
            throw new FileNotFoundException(
                $"The image folder '{root}' has no image for the class{(empty.Count > 1 ? "es" : "")} {string.Join(", ", empty)}. " +
                $"Supported extensions are: {string.Join(", ", Extensions)}.");
        _samples = samples.ToArray();
    }

    /// <summary>The folder the dataset was made from.</summary>
    public string Root { get; }

    /// <summary>What every image is converted to.</summary>
    public ColorMode Color { get; }

    /// <summary>Channels of every image: 1 (grayscale) or 3 (RGB).</summary>
    public int Channels => (int)Color;

    /// <summary>The (height, width) every image is resized to, or null when images keep their own size.</summary>
    public (int Height, int Width)? Size { get; }

    /// <summary>The class names, sorted; a label is an index into this list.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Each class name's label.</summary>
    public IReadOnlyDictionary<string, int> ClassToIndex { get; }

    /// <summary>The number of images.</summary>
    public int Count => _samples.Length;

    /// <summary>Every image's path and label, in dataset order (torchvision's <c>samples</c>).</summary>
    public IReadOnlyList<(string Path, int Label)> Samples => _samples;

    /// <summary>Decodes image <paramref name="index"/> to floats in [0, 1], CHW, with its label.</summary>
    /// <exception cref="InvalidDataException">The file is not a decodable image; the message names it.</exception>
    public LabeledImage<float> Load(int index)
    {
        var (path, label) = Sample(index);
        var (chw, height, width) = ImageFile.Read(path, Color, Size);
        return new LabeledImage<float>(chw, Channels, height, width, label);
    }

    /// <summary>Decodes image <paramref name="index"/> to bytes (0–255), CHW, with its label.</summary>
    /// <exception cref="InvalidDataException">The file is not a decodable image; the message names it.</exception>
    public LabeledImage<byte> LoadBytes(int index)
    {
        var (path, label) = Sample(index);
        var (chw, height, width) = ImageFile.ReadBytes(path, Color, Size);
        return new LabeledImage<byte>(chw, Channels, height, width, label);
    }

    private (string Path, int Label) Sample(int index)
    {
        if ((uint)index >= (uint)_samples.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The image folder '{Root}' holds {_samples.Length} images; index {index} is out of range.");
        return _samples[index];
    }

    /// <summary>Image files below <paramref name="folder"/>, ordered as torchvision's
    /// <c>sorted(os.walk(folder, followlinks=True))</c> then <c>sorted(files)</c>: by folder path, then by file name.
    /// Symbolic links to folders are followed, but every real folder is walked once, so a link back to an ancestor
    /// (a loop) adds nothing instead of recursing until the path is too long.</summary>
    private static IEnumerable<string> ImagesBelow(string folder)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string Path, string Real)>();
        pending.Push((folder, RealPath(folder, null)));
        while (pending.Count > 0)
        {
            var (path, real) = pending.Pop();
            if (!seen.Add(real)) continue;
            foreach (string file in Directory.EnumerateFiles(path))
                if (Extensions.Contains(System.IO.Path.GetExtension(file), StringComparer.OrdinalIgnoreCase)) files.Add(file);
            foreach (string sub in Directory.EnumerateDirectories(path))
                pending.Push((sub, RealPath(sub, System.IO.Path.Combine(real, System.IO.Path.GetFileName(sub)))));
        }
        return files
            .OrderBy(f => System.IO.Path.GetDirectoryName(f), StringComparer.Ordinal)
            .ThenBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal);
    }

    /// <summary>The folder a path really is: a link's final target, else <paramref name="unlinked"/> (the parent's
    /// real path plus the name), so two routes to one folder give one string.</summary>
    private static string RealPath(string path, string? unlinked)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            return RealPath(target.FullName, null);
        if (unlinked is not null) return unlinked;
        // The root (or a link's target): resolve each ancestor that is itself a link.
        string full = System.IO.Path.GetFullPath(path).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        string? parent = System.IO.Path.GetDirectoryName(full);
        return parent is null || parent == full ? full : System.IO.Path.Combine(RealPath(parent, null), System.IO.Path.GetFileName(full));
    }
}
