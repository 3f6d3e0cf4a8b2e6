using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>A <see cref="Dataset{T}"/> whose items are tensors, seen as a <see cref="Dataset"/> so a <see cref="DataLoader"/>
/// can batch it (PyTorch's default collate: item i's tensor f becomes row i of batch tensor f). Item 0 is read once here
/// to learn how many tensors an item has and their shapes; every later item must match them (checked as it is read).
/// Each item is made inside a <see cref="Tensor.Scope"/> that ends once it is copied into the batch, so tensors the item
/// creates return to the pool at once.</summary>
internal sealed class CollatedDataset : Dataset
{
    private readonly Func<int, Tensor[]> _get;
    private readonly int _count;
    private readonly SampleShape _shape;
    private readonly string _source;

    public CollatedDataset(object source, int count, Func<int, Tensor[]> get)
    {
        _get = get;
        _count = count;
        _source = source.GetType().Name;
        if (count <= 0) throw new ArgumentException($"The dataset {_source} has no items (Count = {count}).", "dataset");
        using var scope = Tensor.Scope();
        Tensor[] first = Item(0);
        _shape = new SampleShape(first.Select(t => t.Shape).ToArray());
    }

    public override int Count => _count;

    internal override int FieldCount => _shape.Count;

    internal override bool IsImageLabel => false;

    public override ImageShape ShapeOf(int index)
    {
        CheckIndex(index);
        return _shape.Image(0);
    }

    public override float LabelOf(int index) =>
        throw new InvalidOperationException($"The dataset {_source} has tensor items, not class labels; enumerate a DataLoader over it.");

    public override Dataset WithTransform(Transform? transform) =>
        throw new NotSupportedException($"The dataset {_source} applies its own transforms in its Get method.");

    internal override SampleShape SampleShapeOf(int index)
    {
        CheckIndex(index);
        return _shape;
    }

    internal override void WriteFields(int index, SampleShape shape, BufferSlice[] fields, SampleContext context)
    {
        using var scope = Tensor.Scope();
        Tensor[] item = Item(index);
        var got = new SampleShape(item.Select(t => t.Shape).ToArray());
        if (!got.Equals(_shape))
            throw new InvalidOperationException(
                $"Item {index} of {_source} has tensors of shapes {got}, but item 0 has {_shape}; a DataLoader stacks items of one shape.");
        for (int f = 0; f < item.Length; f++)
        {
            Tensor t = item[f];
            if (t.Device == Device.Cpu) Device.Cpu.Kernels.Copy(t.Data, fields[f]);
            else Device.Cpu.Kernels.Upload(t.ToArray(), fields[f]);
        }
    }

    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context)
    {
        using var scope = Tensor.Scope();
        Tensor first = Item(index)[0];
        Device.Cpu.Kernels.Upload(first.ToArray(), destination.Data);
    }

    private Tensor[] Item(int index)
    {
        Tensor[] item = _get(index) ?? throw new InvalidOperationException($"Item {index} of {_source} is null.");
        for (int f = 0; f < item.Length; f++)
            if (item[f] is null) throw new InvalidOperationException($"Item {index} of {_source} has a null tensor at position {f}.");
        return item;
    }
}
