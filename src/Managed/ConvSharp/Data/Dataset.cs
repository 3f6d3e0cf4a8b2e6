using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>A finite, indexable set of (image, label) samples (PyTorch's map-style <c>Dataset</c>). Images are
/// C×H×W float32, labels float32 (class indices for classification). Datasets keep their data in one
/// contiguous array and write samples straight into batch storage: a <see cref="DataLoader"/> produces
/// pooled batch tensors with no tensor per sample. <see cref="Get(int, Generator?)"/> makes one tensor, for inspection.
/// A dataset is immutable and safe to read from several threads. It is the image/label case of <see cref="Dataset{T}"/>;
/// <see cref="TensorDataset"/> generalises it to items of any number of tensors of any shape.</summary>
public abstract partial class Dataset : Dataset<(Tensor Image, float Label)>
{
    /// <summary>The number of samples.</summary>
    public abstract override int Count { get; }

    /// <summary>The shape of sample <paramref name="index"/> as it comes out, after the dataset's transform.</summary>
    public abstract ImageShape ShapeOf(int index);

    /// <summary>The label of sample <paramref name="index"/> (a class index, as a float).</summary>
    public abstract float LabelOf(int index);

    /// <summary>Class names, indexed by label, when the dataset has them.</summary>
    public virtual IReadOnlyList<string>? Classes => null;

    /// <summary>The same samples with <paramref name="transform"/> in place of the dataset's own transform
    /// (null: none, so images come out as stored, e.g. raw bytes as 0–255). The data is shared, not copied;
    /// a <see cref="Subset"/> keeps its indices, so a split can give training and validation different transforms.</summary>
    public abstract Dataset WithTransform(Transform? transform);

    /// <summary>Writes sample <paramref name="index"/>, transformed, into <paramref name="destination"/>
    /// (shape <see cref="ShapeOf"/>). Random transforms draw from <paramref name="context"/>'s generator.</summary>
    protected internal abstract void WriteSample(int index, ImageBuffer destination, SampleContext context);

    /// <summary>Sample <paramref name="index"/> as a new [C, H, W] tensor and its label. Random transforms draw
    /// from <paramref name="generator"/>, or by default from the generator a <see cref="DataLoader"/> with seed 0
    /// uses in epoch 0, so <c>Get(i)</c> matches that loader's sample i. The caller (or the enclosing
    /// <see cref="Tensor.Scope"/>) disposes the tensor. For training, use a DataLoader.</summary>
    public (Tensor Image, float Label) Get(int index, Generator? generator = null)
    {
        CheckIndex(index);
        ImageShape shape = ShapeOf(index);
        Tensor image = Tensor.Empty(shape.Channels, shape.Height, shape.Width);
        var context = new SampleContext(generator ?? new Generator(SeedMix.Sample(0, 0, index)));
        try
        {
            WriteSample(index, new ImageBuffer(image.Data, shape, float.PositiveInfinity), context);
        }
        catch
        {
            image.Dispose();
            throw;
        }
        finally
        {
            context.Release();
        }
        return (image, LabelOf(index));
    }

    /// <summary>Sample <paramref name="index"/> as <see cref="Get(int, Generator?)"/> returns it with the default generator.</summary>
    public sealed override (Tensor Image, float Label) Get(int index) => Get(index, null);

    /// <summary>A dataset of single tensors, batched by a <see cref="DataLoader"/> into one tensor per batch.</summary>
    public static implicit operator Dataset(Dataset<Tensor> items) => Collate(items, i => [items.Get(i)]);

    /// <summary>A dataset of (input, target) tensor pairs, batched into (inputs, targets).</summary>
    public static implicit operator Dataset(Dataset<(Tensor, Tensor)> items) => Collate(items, i => { var (a, b) = items.Get(i); return [a, b]; });

    /// <summary>A dataset of tensor triples, batched into three tensors.</summary>
    public static implicit operator Dataset(Dataset<(Tensor, Tensor, Tensor)> items) =>
        Collate(items, i => { var (a, b, c) = items.Get(i); return [a, b, c]; });

    /// <summary>A dataset of tensor arrays (the same number of tensors for every item), batched into one tensor per position.</summary>
    public static implicit operator Dataset(Dataset<Tensor[]> items) => Collate(items, i => items.Get(i));

    private static Dataset Collate<T>(Dataset<T> items, Func<int, Tensor[]> get)
    {
        ArgumentNullException.ThrowIfNull(items, "dataset");
        return new CollatedDataset(items, items.Count, get);
    }

    /// <summary>How many tensors each sample contributes to a batch: 2 (image, label) unless the dataset says otherwise.</summary>
    internal virtual int FieldCount => 2;

    /// <summary>Whether samples are exactly (image <see cref="ShapeOf"/>, label <see cref="LabelOf"/>), so the loader may
    /// bucket by <see cref="ShapeOf"/> alone.</summary>
    internal virtual bool IsImageLabel => true;

    /// <summary>The per-item shape of every field of sample <paramref name="index"/>.</summary>
    internal virtual SampleShape SampleShapeOf(int index) => SampleShape.ImageAndLabel(ShapeOf(index));

    /// <summary>Writes every field of sample <paramref name="index"/> (of shape <paramref name="shape"/>) into
    /// <paramref name="fields"/>: by default the image through <see cref="WriteSample"/>, then the label.</summary>
    internal virtual void WriteFields(int index, SampleShape shape, BufferSlice[] fields, SampleContext context)
    {
        WriteSample(index, new ImageBuffer(fields[0], shape.Image(0), float.PositiveInfinity), context);
        fields[1].HostSpan()[0] = LabelOf(index);
    }

    /// <summary>The shape <paramref name="transform"/> makes of a stored image of shape <paramref name="stored"/>.</summary>
    protected static ImageShape TransformedShape(ImageShape stored, Transform? transform) => transform?.OutputShape(stored) ?? stored;

    /// <summary>Converts stored bytes to floats (0–255) and runs <paramref name="transform"/> into <paramref name="destination"/>,
    /// using the context's scratch images: what a byte-image dataset's <see cref="WriteSample"/> does.</summary>
    protected static void WriteTransformed(ReadOnlySpan<byte> pixels, ImageShape shape, Transform? transform,
        ImageBuffer destination, SampleContext context)
    {
        Guard.NotNull(context);
        if (pixels.Length != shape.Length)
            throw new ArgumentException($"{pixels.Length} pixel bytes do not make an image of shape {shape}.", nameof(pixels));
        if (transform is null)
        {
            CheckDestination(shape, destination);
            HostImages.BytesToFloat(pixels, destination.Data, 1f);
            return;
        }
        ImageBuffer raw = context.Scratch(0, shape, 255f);
        HostImages.BytesToFloat(pixels, raw.Data, 1f);
        TransformPipeline.Run(transform, raw, destination, context);
    }

    /// <summary>Copies stored floats (with the value bound <paramref name="maxValue"/>) and runs
    /// <paramref name="transform"/> into <paramref name="destination"/>.</summary>
    protected static void WriteTransformed(ReadOnlySpan<float> values, ImageShape shape, float maxValue, Transform? transform,
        ImageBuffer destination, SampleContext context)
    {
        Guard.NotNull(context);
        if (values.Length != shape.Length)
            throw new ArgumentException($"{values.Length} values do not make an image of shape {shape}.", nameof(values));
        if (transform is null)
        {
            CheckDestination(shape, destination);
            Transform.Kernels.Upload(values, destination.Data);
            return;
        }
        ImageBuffer raw = context.Scratch(0, shape, maxValue);
        Transform.Kernels.Upload(values, raw.Data);
        TransformPipeline.Run(transform, raw, destination, context);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ index &lt; Count.</summary>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index {index} is outside a dataset of {Count} samples.");
    }

    private static void CheckDestination(ImageShape shape, ImageBuffer destination)
    {
        if (destination.Shape != shape || destination.Data.Length != shape.Length)
            throw new ArgumentException($"The sample is {shape}, but its destination is {destination.Shape}.", nameof(destination));
    }
}
