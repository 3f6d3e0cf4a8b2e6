namespace ConvSharp.Data;

/// <summary>A finite, indexable set of (image, label) samples (PyTorch's map-style <c>Dataset</c>). Images are
/// C×H×W float32, labels float32 (class indices for classification). Datasets keep their data in one
/// contiguous array and write samples straight into batch storage: a <see cref="DataLoader"/> produces
/// pooled batch tensors with no tensor per sample. <see cref="Get"/> makes one tensor, for inspection.
/// A dataset is immutable and safe to read from several threads.</summary>
public abstract partial class Dataset
{
    /// <summary>The number of samples.</summary>
    public abstract int Count { get; }

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

    /// <summary>Sample <paramref name="index"/> as <see cref="Get"/> returns it.</summary>
    public (Tensor Image, float Label) this[int index] => Get(index);

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
