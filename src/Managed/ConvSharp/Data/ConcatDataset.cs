namespace ConvSharp.Data;

/// <summary>Several datasets one after another (PyTorch's <c>ConcatDataset</c>): sample i of the whole is sample
/// i − offset of the part it falls in. Shares the parts' data; class names are the first part's.</summary>
public sealed class ConcatDataset : Dataset
{
    private readonly Dataset[] _parts;
    private readonly int[] _starts;

    /// <summary>Concatenates <paramref name="datasets"/> (at least one; their total size must fit an int).</summary>
    /// <exception cref="ArgumentException">No dataset, a null one, or more than int.MaxValue samples in all.</exception>
    public ConcatDataset(params Dataset[] datasets)
    {
        Guard.NotNull(datasets);
        if (datasets.Length == 0) throw new ArgumentException("ConcatDataset needs at least one dataset, but got none.", nameof(datasets));
        _parts = (Dataset[])datasets.Clone();
        _starts = new int[_parts.Length + 1];
        long total = 0;
        for (int i = 0; i < _parts.Length; i++)
        {
            if (_parts[i] is null) throw new ArgumentNullException(nameof(datasets), $"ConcatDataset: dataset {i} is null.");
            _starts[i] = (int)total;
            total += _parts[i].Count;
            if (total > int.MaxValue)
                throw new ArgumentException($"ConcatDataset: the datasets hold {total} samples in all, more than {int.MaxValue}.", nameof(datasets));
        }
        _starts[^1] = (int)total;
        for (int i = 1; i < _parts.Length; i++)
            if (_parts[i].FieldCount != _parts[0].FieldCount)
                throw new ArgumentException(
                    $"ConcatDataset: dataset {i} has {_parts[i].FieldCount} tensors per item, but dataset 0 has {_parts[0].FieldCount}.", nameof(datasets));
    }

    /// <summary>The concatenated datasets, in order.</summary>
    public IReadOnlyList<Dataset> Datasets => _parts;

    /// <inheritdoc />
    public override int Count => _starts[^1];

    /// <inheritdoc />
    public override IReadOnlyList<string>? Classes => _parts[0].Classes;

    /// <inheritdoc />
    public override ImageShape ShapeOf(int index)
    {
        var (part, local) = Locate(index);
        return part.ShapeOf(local);
    }

    /// <inheritdoc />
    public override float LabelOf(int index)
    {
        var (part, local) = Locate(index);
        return part.LabelOf(local);
    }

    /// <summary>Every part with its transform replaced.</summary>
    public override ConcatDataset WithTransform(Transform? transform) => new(_parts.Select(p => p.WithTransform(transform)).ToArray());

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context)
    {
        var (part, local) = Locate(index);
        part.WriteSample(local, destination, context);
    }

    internal override int FieldCount => _parts[0].FieldCount;

    internal override bool IsImageLabel => _parts.All(p => p.IsImageLabel);

    internal override SampleShape SampleShapeOf(int index)
    {
        var (part, local) = Locate(index);
        return part.SampleShapeOf(local);
    }

    internal override void WriteFields(int index, SampleShape shape, ConvSharp.Backends.BufferSlice[] fields, SampleContext context)
    {
        var (part, local) = Locate(index);
        part.WriteFields(local, shape, fields, context);
    }

    private (Dataset Part, int Local) Locate(int index)
    {
        CheckIndex(index);
        int p = Array.BinarySearch(_starts, index);
        // An exact hit may be the start of an empty part: move to the last part starting there.
        if (p >= 0) while (p + 1 < _parts.Length && _starts[p + 1] == index) p++;
        else p = ~p - 1;
        return (_parts[p], index - _starts[p]);
    }
}
