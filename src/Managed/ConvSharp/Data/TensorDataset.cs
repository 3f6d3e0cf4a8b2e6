using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>Items taken from tensors (PyTorch's <c>TensorDataset(*tensors)</c>): item i is (tensors[0][i], tensors[1][i],
/// ...), of any number of tensors of any shape whose first dimension is the item index. A <see cref="DataLoader"/>
/// stacks them back into one batch tensor each: <c>foreach (var (x, y) in loader)</c> for inputs and class labels,
/// <c>foreach (var (noisy, clean) in loader)</c> for an image-to-image task, three variables for three tensors.
/// <para>The values are copied once into contiguous arrays, so the tensors may be disposed afterwards.
/// <see cref="Transform"/> runs on the first tensor's items, <see cref="TargetTransform"/> on the second's, and
/// <see cref="PairedTransform"/> on both with the same random draws (before the other two); transformed items must be
/// images, [C, H, W] (or [H, W], read as one channel). Transforms see the stored floats with an unknown value bound.</para>
/// <para>The image/label members (<see cref="Dataset.ShapeOf"/>, <see cref="Dataset.LabelOf"/>, <c>Get</c>) need a first
/// tensor of images and, for labels, a second tensor of shape [N]; <see cref="GetTensors"/> returns any item.</para></summary>
public sealed class TensorDataset : Dataset
{
    private readonly float[][] _values;
    private readonly int[][] _itemShapes;     // stored, per tensor
    private readonly long[] _itemLengths;
    private readonly int _count;
    private SampleShape _sampleShape = null!;
    private Transform?[] _pipelines = null!;

    /// <summary>A dataset of images[i] and labels[i]: images [N, C, H, W] (or [N, H, W], read as one channel when
    /// <paramref name="labels"/> is [N]) and labels or targets of any shape [N, ...].</summary>
    /// <exception cref="ArgumentException">The first dimensions differ (the message names both sizes).</exception>
    public TensorDataset(Tensor images, Tensor labels, Transform? transform = null)
        : this([images, labels], ["images", "labels"], transform, null, null) { }

    /// <summary>A dataset of (tensors[0][i], tensors[1][i], ...) for any number of tensors (at least one).</summary>
    /// <exception cref="ArgumentException">No tensor, a 0-dimensional one, or first dimensions that differ (the message names both sizes).</exception>
    public TensorDataset(params Tensor[] tensors) : this(tensors, null, null, null, null) { }

    /// <summary>A dataset of (tensors[0][i], tensors[1][i], ...) whose first tensor goes through <paramref name="transform"/>,
    /// second through <paramref name="targetTransform"/>, and first and second together through
    /// <paramref name="pairedTransform"/> (same random crop, same flip).</summary>
    public TensorDataset(Tensor[] tensors, Transform? transform = null, Transform? targetTransform = null, PairedTransform? pairedTransform = null)
        : this(tensors, null, transform, targetTransform, pairedTransform) { }

    private TensorDataset(Tensor[] tensors, string[]? names, Transform? transform, Transform? targetTransform, PairedTransform? paired)
    {
        Guard.NotNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("TensorDataset needs at least one tensor, but got none.", nameof(tensors));
        string Name(int i) => names?[i] ?? nameof(tensors);
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null) throw new ArgumentNullException(Name(i), $"TensorDataset: tensor {i} is null.");
            if (tensors[i].Dim == 0)
                throw new ArgumentException($"TensorDataset: tensor {i} is a scalar (shape []); its first dimension must be the item index.", Name(i));
        }
        _count = tensors[0].Size(0);
        for (int i = 1; i < tensors.Length; i++)
            if (tensors[i].Size(0) != _count)
                throw new ArgumentException(
                    $"TensorDataset: tensor 0 has {_count} items (shape {Guard.Format(tensors[0].Shape)}), but tensor {i} has {tensors[i].Size(0)} " +
                    $"(shape {Guard.Format(tensors[i].Shape)}); every tensor's first dimension is the item index, so the sizes must match.", Name(i));
        if (paired is not null && tensors.Length < 2)
            throw new ArgumentException("TensorDataset: a PairedTransform needs an input and a target tensor, but got one tensor.", nameof(paired));
        if (targetTransform is not null && tensors.Length < 2)
            throw new ArgumentException("TensorDataset: a targetTransform needs a second tensor, but got one tensor.", nameof(targetTransform));

        _itemShapes = tensors.Select(t => t.Shape[1..]).ToArray();
        // The image/label constructor's contract: [N, H, W] images with [N] labels are one-channel images.
        if (names is not null && _itemShapes[0].Length == 2 && _itemShapes[1].Length == 0) _itemShapes[0] = [1, .. _itemShapes[0]];
        _itemLengths = _itemShapes.Select(s => s.Aggregate(1L, (a, d) => a * d)).ToArray();
        _values = tensors.Select(t => t.ToArray()).ToArray();
        Transform = transform;
        TargetTransform = targetTransform;
        PairedTransform = paired;
        Prepare();
    }

    private TensorDataset(TensorDataset other, Transform? transform)
    {
        _values = other._values;
        _itemShapes = other._itemShapes;
        _itemLengths = other._itemLengths;
        _count = other._count;
        Transform = transform;
        TargetTransform = other.TargetTransform;
        PairedTransform = other.PairedTransform;
        Prepare();
    }

    /// <summary>The transform the first tensor's items go through (null: none).</summary>
    public Transform? Transform { get; }

    /// <summary>The transform the second tensor's items go through (torchvision's <c>target_transform</c>; null: none).</summary>
    public Transform? TargetTransform { get; }

    /// <summary>The transform the first and second tensors' items go through together, with the same random draws (null: none).</summary>
    public PairedTransform? PairedTransform { get; }

    /// <summary>How many tensors make one item.</summary>
    public int TensorCount => _values.Length;

    /// <inheritdoc />
    public override int Count => _count;

    /// <summary>The shape of the first tensor's items as images, after <see cref="Transform"/>.</summary>
    /// <exception cref="InvalidOperationException">The first tensor's items are not images.</exception>
    public override ImageShape ShapeOf(int index)
    {
        CheckIndex(index);
        return _sampleShape.Image(0);
    }

    /// <summary>The second tensor's value for item <paramref name="index"/>, when the second tensor is [N] labels.</summary>
    /// <exception cref="InvalidOperationException">There is no second tensor, or its items are not single values.</exception>
    public override float LabelOf(int index)
    {
        CheckIndex(index);
        if (_values.Length < 2 || _itemLengths[1] != 1 || _itemShapes[1].Length != 0)
            throw new InvalidOperationException(
                $"This TensorDataset has no labels: its items are {_values.Length} tensor(s) of shapes {_sampleShape}. " +
                "Use GetTensors(index) for the item, or a DataLoader to batch it.");
        return _values[1][index];
    }

    /// <summary>Item <paramref name="index"/> as new tensors, one per stored tensor, transformed (random transforms draw
    /// from <paramref name="generator"/>, or from the generator a seed-0 DataLoader uses in epoch 0).</summary>
    public Tensor[] GetTensors(int index, Generator? generator = null)
    {
        CheckIndex(index);
        var tensors = new Tensor[_values.Length];
        var context = new SampleContext(generator ?? new Generator(SeedMix.Sample(0, 0, index)));
        try
        {
            for (int f = 0; f < tensors.Length; f++) tensors[f] = Tensor.Empty(_sampleShape[f]);
            WriteFields(index, _sampleShape, tensors.Select(t => t.Data).ToArray(), context);
        }
        catch
        {
            foreach (Tensor? t in tensors) t?.Dispose();
            throw;
        }
        finally
        {
            context.Release();
        }
        return tensors;
    }

    /// <inheritdoc />
    public override TensorDataset WithTransform(Transform? transform) => new(this, transform);

    internal override int FieldCount => _values.Length;

    internal override bool IsImageLabel => false;

    internal override SampleShape SampleShapeOf(int index)
    {
        CheckIndex(index);
        return _sampleShape;
    }

    internal override void WriteFields(int index, SampleShape shape, BufferSlice[] fields, SampleContext context)
    {
        CheckIndex(index);
        // Paired steps come first in both pipelines; restarting the generator from one seed before each makes their draws equal.
        long seed = PairedTransform is null ? 0 : (long)context.Generator.NextUInt64();
        for (int f = 0; f < _values.Length; f++)
        {
            ReadOnlySpan<float> item = _values[f].AsSpan(checked((int)(index * _itemLengths[f])), (int)_itemLengths[f]);
            Transform? pipeline = _pipelines[f];
            if (pipeline is null)
            {
                Transform.Kernels.Upload(item, fields[f]);
                continue;
            }
            if (PairedTransform is not null && f < 2) context.Generator.ManualSeed(seed);
            WriteTransformed(item, ItemImage(f), float.PositiveInfinity, pipeline,
                new ImageBuffer(fields[f], shape.Image(f), float.PositiveInfinity), context);
        }
    }

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context)
    {
        CheckIndex(index);
        ReadOnlySpan<float> item = _values[0].AsSpan(checked((int)(index * _itemLengths[0])), (int)_itemLengths[0]);
        if (_pipelines[0] is null)
        {
            if (destination.Shape != _sampleShape.Image(0))
                throw new ArgumentException($"The sample is {_sampleShape.Image(0)}, but its destination is {destination.Shape}.", nameof(destination));
            Transform.Kernels.Upload(item, destination.Data);
        }
        else
        {
            if (PairedTransform is not null) context.Generator.ManualSeed((long)context.Generator.NextUInt64());
            WriteTransformed(item, ItemImage(0), float.PositiveInfinity, _pipelines[0], destination, context);
        }
    }

    private ImageShape ItemImage(int field) => new SampleShape(_itemShapes).Image(field);

    /// <summary>Composes each field's pipeline and works out the shapes that come out, so a transform that cannot take
    /// the items fails here, not in a loader.</summary>
    private void Prepare()
    {
        _pipelines = new Transform?[_values.Length];
        Transform? Join(Transform? own) =>
            PairedTransform is null ? own : own is null ? PairedTransform.Pipeline : new Compose(PairedTransform.Pipeline, own);
        _pipelines[0] = Join(Transform);
        if (_values.Length > 1) _pipelines[1] = Join(TargetTransform);
        var shapes = (int[][])_itemShapes.Clone();
        for (int f = 0; f < _pipelines.Length; f++)
        {
            if (_pipelines[f] is not { } t) continue;
            ImageShape image = ItemImage(f);
            ImageShape output = t.OutputShape(image);
            shapes[f] = [output.Channels, output.Height, output.Width];
        }
        if (PairedTransform is not null && (ItemImage(0).Height != ItemImage(1).Height || ItemImage(0).Width != ItemImage(1).Width))
            throw new ArgumentException(
                $"A PairedTransform needs input and target of one height and width, but they are {ItemImage(0)} and {ItemImage(1)}.", "pairedTransform");
        _sampleShape = new SampleShape(shapes);
    }
}
