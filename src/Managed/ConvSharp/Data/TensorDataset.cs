namespace ConvSharp.Data;

/// <summary>Samples taken from tensors (PyTorch's <c>TensorDataset(images, labels)</c>): images [N, C, H, W]
/// (or [N, H, W], read as one channel) and labels [N]. The values are copied once into one contiguous array,
/// so the tensors may be disposed afterwards. An optional transform sees the stored floats with an unknown
/// value bound.</summary>
public sealed class TensorDataset : Dataset
{
    private readonly float[] _values;
    private readonly float[] _labels;
    private readonly ImageShape _shape;

    /// <summary>A dataset of images[i] and labels[i].</summary>
    public TensorDataset(Tensor images, Tensor labels, Transform? transform = null)
    {
        Guard.NotNull(images);
        Guard.NotNull(labels);
        int[] s = images.Shape;
        _shape = s.Length switch
        {
            4 => new ImageShape(s[1], s[2], s[3]),
            3 => new ImageShape(1, s[1], s[2]),
            _ => throw new ArgumentException($"TensorDataset needs images of shape [N, C, H, W] or [N, H, W], not {Guard.Format(s)}.", nameof(images)),
        };
        if (labels.Dim != 1 || labels.Size(0) != s[0])
            throw new ArgumentException($"TensorDataset needs labels of shape [{s[0]}] for images {Guard.Format(s)}, not {Guard.Format(labels.Shape)}.", nameof(labels));
        _values = images.ToArray();
        _labels = labels.ToArray();
        Transform = transform;
        transform?.OutputShape(_shape);
    }

    private TensorDataset(TensorDataset other, Transform? transform)
    {
        _values = other._values;
        _labels = other._labels;
        _shape = other._shape;
        Transform = transform;
    }

    /// <summary>The transform every sample goes through (null: none).</summary>
    public Transform? Transform { get; }

    /// <inheritdoc />
    public override int Count => _labels.Length;

    /// <inheritdoc />
    public override ImageShape ShapeOf(int index)
    {
        CheckIndex(index);
        return TransformedShape(_shape, Transform);
    }

    /// <inheritdoc />
    public override float LabelOf(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <inheritdoc />
    public override TensorDataset WithTransform(Transform? transform) => new(this, transform);

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context)
    {
        CheckIndex(index);
        int length = (int)_shape.Length;
        WriteTransformed(_values.AsSpan(index * length, length), _shape, float.PositiveInfinity, Transform, destination, context);
    }
}
