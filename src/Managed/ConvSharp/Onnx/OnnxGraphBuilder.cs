using System.Runtime.InteropServices;
using ConvSharp.Onnx.Protobuf;
using Google.Protobuf;

namespace ConvSharp.Onnx;

/// <summary>Appends nodes and constant initializers to an ONNX graph, naming what it adds uniquely.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private int _counter;

    internal GraphProto Graph { get; } = new();

    /// <summary>Reserves a name that nothing else may take (inputs, outputs, initializers).</summary>
    internal void Reserve(string name) => _used.Add(name);

    /// <summary>A new value name starting with <paramref name="hint"/>.</summary>
    internal string Fresh(string hint)
    {
        string name;
        do name = $"{hint}_{_counter++}"; while (!_used.Add(name));
        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> (default domain) and returns it.</summary>
    internal NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        // Trailing absent optional inputs are dropped; an inner one stays as "".
        int count = inputs.Length;
        while (count > 0 && inputs[count - 1].Length == 0) count--;
        node.Input.AddRange(inputs.Take(count));
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>A node whose output is a fresh intermediate value; returns that value's name.</summary>
    internal string Step(string op, string[] inputs, params AttributeProto[] attributes)
    {
        string output = Fresh(op.ToLowerInvariant());
        Node(op, inputs, output, attributes);
        return output;
    }

    /// <summary>A float32 initializer holding <paramref name="values"/> with <paramref name="dims"/> (none: a scalar).</summary>
    internal string Constant(float[] values, params long[] dims) => AddInitializer(Fresh("const"), Floats(values, dims));

    /// <summary>An int64 initializer (shapes, pads, axes).</summary>
    internal string Constant(long[] values, params long[] dims)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        return AddInitializer(Fresh("const"), tensor);
    }

    /// <summary>A 1-D int64 initializer.</summary>
    internal string Ints(params long[] values) => Constant(values, values.Length);

    internal string AddInitializer(string name, TensorProto tensor)
    {
        tensor.Name = name;
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A float32 TensorProto (little-endian raw data, as ONNX stores it).</summary>
    internal static TensorProto Floats(ReadOnlySpan<float> values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    internal static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
