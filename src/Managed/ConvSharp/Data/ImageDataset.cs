namespace ConvSharp.Data;

/// <summary>Images stored as uint8 C×H×W pixels, all in one contiguous byte array (MNIST, Fashion-MNIST,
/// CIFAR-10, decoded image folders), with integer labels and an optional <see cref="Transform"/>.
/// The transform sees the pixels as floats 0–255 (include <see cref="ToTensor"/> to scale them to [0, 1]);
/// with no transform they come out as 0–255. Images may differ in shape (the <see cref="DataLoader"/> then
/// batches each shape separately).</summary>
public sealed class ImageDataset : Dataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly ImageShape _uniformShape;      // when every image has it
    private readonly ImageShape[]? _shapes;         // otherwise, per image
    private readonly long[]? _offsets;
    private readonly IReadOnlyList<string>? _classes;

    /// <summary>Images that all have <paramref name="shape"/>, back to back in <paramref name="pixels"/>
    /// (labels.Length images). The arrays are kept, not copied: do not change them afterwards.</summary>
    public ImageDataset(byte[] pixels, ImageShape shape, int[] labels, IReadOnlyList<string>? classes = null, Transform? transform = null)
    {
        Guard.NotNull(pixels);
        Guard.NotNull(labels);
        shape.Validate(nameof(shape));
        long needed = labels.Length * shape.Length;
        if (pixels.Length != needed)
            throw new ArgumentException($"{labels.Length} images of shape {shape} need {needed} pixel bytes, but {pixels.Length} were given.", nameof(pixels));
        CheckLabels(labels, classes);
        _pixels = pixels;
        _labels = labels;
        _uniformShape = shape;
        _classes = classes;
        Transform = transform;
        if (transform is not null && labels.Length > 0) transform.OutputShape(shape);  // refuse a transform that cannot take the images now
    }

    /// <summary>Images of differing shapes: image i has <paramref name="shapes"/>[i] and follows image i − 1 in
    /// <paramref name="pixels"/>. The arrays are kept, not copied.</summary>
    public ImageDataset(byte[] pixels, ImageShape[] shapes, int[] labels, IReadOnlyList<string>? classes = null, Transform? transform = null)
    {
        Guard.NotNull(pixels);
        Guard.NotNull(shapes);
        Guard.NotNull(labels);
        if (shapes.Length != labels.Length)
            throw new ArgumentException($"{shapes.Length} shapes were given for {labels.Length} labels.", nameof(shapes));
        var offsets = new long[shapes.Length];
        long total = 0;
        for (int i = 0; i < shapes.Length; i++)
        {
            shapes[i].Validate(nameof(shapes));
            offsets[i] = total;
            total += shapes[i].Length;
        }
        if (total != pixels.Length)
            throw new ArgumentException($"The {shapes.Length} image shapes need {total} pixel bytes, but {pixels.Length} were given.", nameof(pixels));
        CheckLabels(labels, classes);
        _pixels = pixels;
        _labels = labels;
        _shapes = (ImageShape[])shapes.Clone();
        _offsets = offsets;
        _classes = classes;
        Transform = transform;
    }

    private ImageDataset(ImageDataset other, Transform? transform)
    {
        _pixels = other._pixels;
        _labels = other._labels;
        _uniformShape = other._uniformShape;
        _shapes = other._shapes;
        _offsets = other._offsets;
        _classes = other._classes;
        Transform = transform;
    }

    /// <summary>The transform every sample goes through (null: none).</summary>
    public Transform? Transform { get; }

    /// <inheritdoc />
    public override int Count => _labels.Length;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Classes => _classes;

    /// <summary>Every label, in sample order.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The stored shape of image <paramref name="index"/> (before the transform).</summary>
    public ImageShape StoredShapeOf(int index)
    {
        CheckIndex(index);
        return _shapes is null ? _uniformShape : _shapes[index];
    }

    /// <summary>The stored pixels of image <paramref name="index"/>, C×H×W bytes.</summary>
    public ReadOnlySpan<byte> PixelsOf(int index)
    {
        ImageShape shape = StoredShapeOf(index);
        long offset = _offsets is null ? index * shape.Length : _offsets[index];
        return _pixels.AsSpan(checked((int)offset), (int)shape.Length);
    }

    /// <inheritdoc />
    public override ImageShape ShapeOf(int index) => TransformedShape(StoredShapeOf(index), Transform);

    /// <inheritdoc />
    public override float LabelOf(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <inheritdoc />
    public override ImageDataset WithTransform(Transform? transform) => new(this, transform);

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context) =>
        WriteTransformed(PixelsOf(index), StoredShapeOf(index), Transform, destination, context);

    private static void CheckLabels(int[] labels, IReadOnlyList<string>? classes)
    {
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || (classes is not null && labels[i] >= classes.Count))
                throw new ArgumentException(
                    $"Label {labels[i]} of sample {i} is not a class index{(classes is null ? "" : $" in [0, {classes.Count})")}.", nameof(labels));
    }
}
