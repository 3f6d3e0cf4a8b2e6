namespace ConvSharp.IO;

/// <summary>One tensor's entry in a safetensors header: its name, element type, shape, and where its
/// bytes lie in the data section (which starts right after the header).</summary>
public sealed class SafeTensorInfo
{
    private readonly long[] _shape;

    internal SafeTensorInfo(string name, string dtype, long[] shape, long begin, long end, long elementCount)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Begin = begin;
        End = end;
        ElementCount = elementCount;
    }

    /// <summary>The tensor's name (a state_dict key such as "0.weight").</summary>
    public string Name { get; }

    /// <summary>The element type as the file names it: "F32", "F16", "BF16", "F64", "I64", ….</summary>
    public string DType { get; }

    /// <summary>The shape as the file gives it (a copy; empty for a scalar; may hold zeros for an empty tensor).</summary>
    public long[] Shape => (long[])_shape.Clone();

    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public long ElementCount { get; }

    /// <summary>Offset of the first byte, relative to the start of the data section.</summary>
    public long Begin { get; }

    /// <summary>Offset one past the last byte, relative to the start of the data section.</summary>
    public long End { get; }

    internal ReadOnlySpan<long> ShapeSpan => _shape;

    /// <summary>The shape in PyTorch's notation, e.g. [64, 1, 3, 3].</summary>
    internal string FormatShape() => "[" + string.Join(", ", _shape) + "]";

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType}{FormatShape()} at [{Begin}, {End})";
}

/// <summary>What a safetensors header says: the tensors in the order the header lists them, and the
/// optional string metadata (the <c>__metadata__</c> entry). Read with <see cref="SafeTensors.ReadHeader"/>.</summary>
public sealed class SafeTensorsHeader
{
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    internal SafeTensorsHeader(IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long headerLength)
    {
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Metadata = metadata;
        HeaderLength = headerLength;
    }

    /// <summary>Every tensor entry, in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The free-form string metadata (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length in bytes of the JSON header, padding included.</summary>
    public long HeaderLength { get; }

    /// <summary>The file offset where the data section starts: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataOffset => 8 + HeaderLength;

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public SafeTensorInfo? Find(string name) => _byName.GetValueOrDefault(name);
}
