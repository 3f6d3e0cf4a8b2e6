using ConvSharp.Data;

namespace ConvSharp.Imaging;

/// <summary>A labelled image dataset laid out as torchvision's <c>ImageFolder</c> expects: one
/// sub-folder of <see cref="Root"/> per class, images anywhere below it. Classes are the sub-folder
/// names sorted ordinally (as Python's <c>sorted</c>), labelled 0, 1, …; samples are ordered by class,
/// then by folder and file name, so labels and indices match torchvision's for the same tree. Files
/// are listed once, when the dataset is made; each <see cref="Load"/> decodes one file (safe to call
/// from several threads).
/// <para>It is a <see cref="Dataset"/>: a <see cref="DataLoader"/> decodes each image as it builds a batch and runs the
/// <see cref="Transform"/> on it (which, as for every byte dataset, sees pixels as floats 0–255: start it with
/// <see cref="ToTensor"/>). <see cref="ToImageDataset"/> decodes every image once into memory instead, for many epochs
/// over a folder that fits. Images keep the channels their files store (a folder of grayscale PNGs gives 1-channel
/// samples) unless <see cref="ColorMode.Rgb"/> or <see cref="ColorMode.Grayscale"/> is asked for.</para></summary>
public sealed class ImageFolder : Dataset
{
    /// <summary>The file extensions taken as images (compared case-insensitively).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    private readonly (string Path, int Label)[] _samples;
    private readonly ColorMode _requested;
    private readonly Lock _gate = new();
    private readonly (int Height, int Width)[] _sizes;   // stored sizes, read from the headers when first needed; (0, 0) unknown
    private ColorMode _resolved;                          // Auto until the headers were read

    /// <summary>Lists the classes and images under <paramref name="root"/>.</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="color">Convert every image to grayscale (1 channel) or RGB (3 channels); <see cref="ColorMode.Auto"/> (the
    /// default): 1 channel when every file is stored as grayscale, else 3.</param>
    /// <param name="size">Resize every image to this height and width (antialiased bilinear, as torchvision's
    /// <c>Resize((h, w))</c>); null keeps each image's own size.</param>
    /// <param name="transform">What every sample goes through in a <see cref="DataLoader"/> (pixels arrive as 0–255).</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><paramref name="root"/> has no class folder, or a class folder holds no image.</exception>
    public ImageFolder(string root, ColorMode color = ColorMode.Auto, (int Height, int Width)? size = null, Transform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (color is not (ColorMode.Grayscale or ColorMode.Rgb or ColorMode.Auto))
            throw new ArgumentOutOfRangeException(nameof(color), color, "Use ColorMode.Auto, ColorMode.Grayscale or ColorMode.Rgb.");
        if (size is (int h, int w) && (h < 1 || w < 1))
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The image size must be at least 1×1, but is {h}×{w}.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The image folder '{root}' does not exist.");

        Root = root;
        _requested = _resolved = color;
        Size = size;
        Transform = transform;
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
        _sizes = new (int, int)[_samples.Length];
    }

    private ImageFolder(ImageFolder other, Transform? transform)
    {
        Root = other.Root;
        Size = other.Size;
        Classes = other.Classes;
        ClassToIndex = other.ClassToIndex;
        _samples = other._samples;
        _requested = other._requested;
        lock (other._gate)
        {
            _resolved = other._resolved;
            _sizes = ((int, int)[])other._sizes.Clone();
        }
        Transform = transform;
    }

    /// <summary>The folder the dataset was made from.</summary>
    public string Root { get; }

    /// <summary>What every image is converted to: grayscale or RGB (for <see cref="ColorMode.Auto"/>, what the files were found
    /// to hold; finding out reads every file's header once).</summary>
    /// <exception cref="InvalidDataException">With Auto: a file is not an image (the message names it).</exception>
    public ColorMode Color
    {
        get
        {
            if (_resolved == ColorMode.Auto) ReadHeaders();
            return _resolved;
        }
    }

    /// <summary>Channels of every image: 1 (grayscale) or 3 (RGB).</summary>
    public int Channels => (int)Color;

    /// <summary>The transform every sample goes through in a <see cref="DataLoader"/> (null: none; pixels then come out 0–255).</summary>
    public Transform? Transform { get; }

    /// <summary>The (height, width) every image is resized to, or null when images keep their own size.</summary>
    public (int Height, int Width)? Size { get; }

    /// <summary>The class names, sorted; a label is an index into this list.</summary>
    public override IReadOnlyList<string> Classes { get; }

    /// <summary>Each class name's label.</summary>
    public IReadOnlyDictionary<string, int> ClassToIndex { get; }

    /// <summary>The number of images.</summary>
    public override int Count => _samples.Length;

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

    /// <summary>The shape image <paramref name="index"/> comes out of the <see cref="Transform"/> with (its stored size is read
    /// from the file's header the first time, unless <see cref="Size"/> fixes it).</summary>
    /// <exception cref="InvalidDataException">The file is not an image (the message names it).</exception>
    public override ImageShape ShapeOf(int index)
    {
        var (path, _) = Sample(index);
        int channels = Channels;
        (int h, int w) = Size ?? StoredSize(index, path);
        var stored = new ImageShape(channels, h, w);
        return Transform?.OutputShape(stored) ?? stored;
    }

    /// <inheritdoc />
    public override float LabelOf(int index) => Sample(index).Label;

    /// <summary>The same files with <paramref name="transform"/> in place of this folder's.</summary>
    public override ImageFolder WithTransform(Transform? transform) => new(this, transform);

    /// <summary>Decodes every image once into an in-memory <see cref="ImageDataset"/> (uint8 pixels, this folder's classes and
    /// transform): for training many epochs on a folder that fits in memory, without decoding each image every epoch.</summary>
    /// <exception cref="InvalidDataException">A file is not a decodable image (the message names it).</exception>
    public ImageDataset ToImageDataset()
    {
        var shapes = new ImageShape[Count];
        var labels = new int[Count];
        var pixels = new List<byte>();
        for (int i = 0; i < Count; i++)
        {
            var (chw, channels, height, width, label) = LoadBytes(i);
            shapes[i] = new ImageShape(channels, height, width);
            labels[i] = label;
            pixels.AddRange(chw);
        }
        return new ImageDataset([.. pixels], shapes, labels, [.. Classes], Transform);
    }

    /// <inheritdoc />
    protected override void WriteSample(int index, ImageBuffer destination, SampleContext context)
    {
        var (chw, channels, height, width, _) = LoadBytes(index);
        WriteTransformed(chw, new ImageShape(channels, height, width), Transform, destination, context);
    }

    private (int Height, int Width) StoredSize(int index, string path)
    {
        lock (_gate)
            if (_sizes[index] is { Height: > 0 } known) return known;
        var (h, w, _) = ImageFile.ReadInfo(path);
        lock (_gate) _sizes[index] = (h, w);
        return (h, w);
    }

    /// <summary>Reads every header once: the stored sizes, and for Auto whether every file is grayscale. A file that cannot
    /// be read is skipped here; it fails, naming itself, when it is loaded.</summary>
    private void ReadHeaders()
    {
        bool allGray = true;
        var sizes = new (int, int)[_samples.Length];
        for (int i = 0; i < _samples.Length; i++)
        {
            try
            {
                var (h, w, gray) = ImageFile.ReadInfo(_samples[i].Path);
                sizes[i] = (h, w);
                allGray &= gray;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // left for Load to report
            }
        }
        lock (_gate)
        {
            sizes.CopyTo(_sizes, 0);
            _resolved = allGray ? ColorMode.Grayscale : ColorMode.Rgb;
        }
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
