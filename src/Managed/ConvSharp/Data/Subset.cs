namespace ConvSharp.Data;

/// <summary>The samples of another dataset at the given indices, in that order (PyTorch's <c>Subset</c>);
/// what <see cref="Dataset.RandomSplit(int[], long)"/> returns. Shares the dataset's data.</summary>
public sealed class Subset : Dataset
{
    private readonly int[] _indices;

    /// <summary>Samples <paramref name="indices"/> of <paramref name="dataset"/> (each in range; repeats allowed).</summary>
    public Subset(Dataset dataset, int[] indices)
    {
        Guard.NotNull(dataset);
        Guard.NotNull(indices);
        int count = dataset.Count;
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {indices[i]} (position {i}) is outside a dataset of {count} samples.");
        Dataset = dataset;
        _indices = (int[])indices.Clone();
    }

    private Subset(Dataset dataset, int[] indices, bool _)
    {
        Dataset = dataset;
        _indices = indices;
    }

    /// <summary>The dataset this subset reads from.</summary>
    public Dataset Dataset { get; }

    /// <summary>The dataset indices, one per sample of this subset.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc />
    public override int Count => _indices.Length;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Classes => Dataset.Classes;

    /// <inheritdoc />
    public override ImageShape ShapeOf(int index) => Dataset.ShapeOf(Map(index));

    /// <inheritdoc />
    public override float LabelOf(int index) => Dataset.LabelOf(Map(index));

    /// <summary>The same indices into <see cref="Dataset"/> with its transform replaced.</summary>
    public override Subset WithTransform(Transform? transform) => new(Dataset.WithTransform(transform), _indices, true);

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context) =>
        Dataset.WriteSample(Map(index), destination, context);

    internal override int FieldCount => Dataset.FieldCount;

    internal override bool IsImageLabel => Dataset.IsImageLabel;

    internal override SampleShape SampleShapeOf(int index) => Dataset.SampleShapeOf(Map(index));

    internal override void WriteFields(int index, SampleShape shape, ConvSharp.Backends.BufferSlice[] fields, SampleContext context) =>
        Dataset.WriteFields(Map(index), shape, fields, context);

    /// <summary>Wraps indices this assembly already checked, without copying them.</summary>
    internal static Subset Trusted(Dataset dataset, int[] indices) => new(dataset, indices, true);

    private int Map(int index)
    {
        CheckIndex(index);
        return _indices[index];
    }
}
