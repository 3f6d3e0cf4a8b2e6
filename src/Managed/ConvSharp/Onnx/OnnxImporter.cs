using System.Runtime.InteropServices;
using ConvSharp.Onnx.Protobuf;
using Google.Protobuf;

namespace ConvSharp.Onnx;

/// <summary>Parses and checks an ONNX file: the protobuf itself, one float input and one output, every op in the
/// supported set (all others listed in one error), initializer data against its declared shape.</summary>
internal static class OnnxImporter
{
    internal static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
        "Relu", "LeakyRelu", "Elu", "Gelu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Dropout",
        "Flatten", "Reshape", "Transpose", "Concat", "Pad", "Resize", "Clip", "Exp", "Log", "Sqrt", "Abs", "Neg",
        "ReduceSum", "ReduceMean", "ReduceMax", "ArgMax", "Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze",
        "Slice", "Cast", "Erf",
    };

    internal static OnnxModel Load(byte[] bytes, string path)
    {
        if (bytes.Length == 0) throw new InvalidDataException($"'{path}' is empty, not an ONNX model.");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model (truncated or not protobuf: {e.Message})", e);
        }
        if (model.Graph is null || model.IrVersion <= 0)
            throw new InvalidDataException($"'{path}' is not an ONNX model: it has {(model.Graph is null ? "no graph" : "no IR version")} (truncated, or another kind of file).");
        GraphProto graph = model.Graph;
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset <= 0)
            throw new InvalidDataException($"'{path}' declares no version of the default ONNX opset (truncated?).");
        if (opset < 7)
            throw new NotSupportedException($"'{path}' uses ONNX opset {opset}; Onnx.Load reads opset 7 and later.");

        var unsupported = graph.Node
            .Where(n => (n.Domain is not ("" or "ai.onnx")) || !Supported.Contains(n.OpType))
            .GroupBy(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")
            .Select(g => $"{g.Key} (node{(g.Count() > 1 ? "s" : "")} {string.Join(", ", g.Take(3).Select(NodeName))}{(g.Count() > 3 ? ", ..." : "")})")
            .ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException($"'{path}' uses {unsupported.Count} op type{(unsupported.Count > 1 ? "s" : "")} Onnx.Load does not support: {string.Join("; ", unsupported)}.");

        var initializerNames = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1 || graph.Output.Count != 1)
            throw new NotSupportedException($"'{path}' has {inputs.Count} graph inputs and {graph.Output.Count} outputs; Onnx.Load supports one input and one output.");
        var input = inputs[0];
        if (input.Type?.TensorType is { } type && type.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException($"'{path}': the input '{input.Name}' has element type {(TensorProto.Types.DataType)type.ElemType}; ConvSharp runs float32 models.");
        int?[]? inputShape = input.Type?.TensorType?.Shape is { } shape
            ? shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? (int?)d.DimValue : null).ToArray()
            : null;

        CheckStructure(graph, path);
        var initializers = new List<(string Name, OnnxValue Value)>();
        foreach (TensorProto t in graph.Initializer) initializers.Add((t.Name, Decode(t, $"'{path}': initializer '{t.Name}'")));
        try
        {
            return new OnnxModel(model, opset, input.Name, graph.Output[0].Name, inputShape, initializers, path);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException
                                      or KeyNotFoundException or InvalidOperationException or FormatException or DivideByZeroException)
        {
            // A damaged file can hold values no check above anticipates; it is still one clear error about the file.
            throw new InvalidDataException($"'{path}' is not a valid ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Names and sizes the interpreter relies on: every node makes a named value, no name is made twice, and
    /// window attributes are of a plausible size (a damaged varint must not ask for a 6 GB convolution output).</summary>
    private static void CheckStructure(GraphProto graph, string path)
    {
        var made = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in graph.Input) made.Add(i.Name);
        foreach (TensorProto t in graph.Initializer)
            if (t.Name.Length == 0 || (!made.Add(t.Name) && graph.Input.All(i => i.Name != t.Name)))
                throw new InvalidDataException($"'{path}': initializer name '{t.Name}' is empty or used twice.");
        foreach (NodeProto n in graph.Node)
        {
            if (n.Output.Count == 0 || n.Output[0].Length == 0)
                throw new InvalidDataException($"'{path}': node {NodeName(n)} ({n.OpType}) has no output.");
            int required = RequiredInputs.GetValueOrDefault(n.OpType, 1);
            if (n.Input.Count < required || n.Input.Take(required).Any(i => i.Length == 0))
                throw new InvalidDataException($"'{path}': node {NodeName(n)} ({n.OpType}) has {n.Input.Count(i => i.Length > 0)} inputs; it needs {required}.");
            foreach (string o in n.Output.Where(o => o.Length > 0))
                if (!made.Add(o)) throw new InvalidDataException($"'{path}': the value '{o}' is made twice (node {NodeName(n)}).");
            foreach (AttributeProto a in n.Attribute)
                if (a.Name is "pads" or "strides" or "dilations" or "kernel_shape" or "output_padding" && a.Ints.Any(v => v < 0 || v > MaxWindow))
                    throw new InvalidDataException($"'{path}': node {NodeName(n)} ({n.OpType}) has {a.Name} {string.Join(", ", a.Ints)}; each must be between 0 and {MaxWindow}.");
        }
    }

    private static readonly Dictionary<string, int> RequiredInputs = new(StringComparer.Ordinal)
    {
        ["Constant"] = 0, ["Conv"] = 2, ["ConvTranspose"] = 2, ["Gemm"] = 2, ["MatMul"] = 2, ["Add"] = 2, ["Sub"] = 2, ["Mul"] = 2,
        ["Div"] = 2, ["Pow"] = 2, ["BatchNormalization"] = 5, ["Reshape"] = 2, ["Gather"] = 2, ["Slice"] = 1,
    };

    /// <summary>The largest kernel size, stride, dilation or pad accepted from a file.</summary>
    internal const int MaxWindow = 1024;

    internal static string NodeName(NodeProto n) => n.Name.Length > 0 ? $"'{n.Name}'" : $"#{n.Output.FirstOrDefault() ?? "?"}";

    /// <summary>A TensorProto's values, checked against its dims: float32 (or float64, converted) as a tensor,
    /// int64/int32 as host integers.</summary>
    internal static OnnxValue Decode(TensorProto t, string where)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"{where} keeps its data in an external file; save the model with its data inside.");
        int[] dims = t.Dims.Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw new InvalidDataException($"{where} has dimension {d}.")).ToArray();
        long count = 1;
        foreach (int d in dims) count *= d;
        var type = (TensorProto.Types.DataType)t.DataType;
        int width = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
            _ => throw new NotSupportedException($"{where} has element type {type}; Onnx.Load reads float32, float64, int32 and int64 tensors."),
        };
        int stored = t.RawData.Length > 0 ? t.RawData.Length / width
            : type switch
            {
                TensorProto.Types.DataType.Float => t.FloatData.Count,
                TensorProto.Types.DataType.Int32 => t.Int32Data.Count,
                TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
                _ => t.DoubleData.Count,
            };
        if ((t.RawData.Length > 0 && t.RawData.Length % width != 0) || stored != count)
            throw new InvalidDataException($"{where} declares shape {Guard.Format(dims)} ({count} values) but holds {(t.RawData.Length > 0 ? $"{t.RawData.Length} bytes" : $"{stored} values")}.");
        if (count == 0) return OnnxValue.OfInts([], dims);  // an empty tensor (Resize's unused roi)
        ReadOnlySpan<byte> raw = t.RawData.Span;
        if (type is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double)
        {
            float[] values = type == TensorProto.Types.DataType.Float
                ? (raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : t.FloatData.ToArray())
                : (raw.Length > 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : t.DoubleData.ToArray()).Select(v => (float)v).ToArray();
            using Tensor staged = Tensor.FromArray(values, dims);
            return OnnxValue.Of(NN.Parameter.From(staged, requiresGrad: false));
        }
        long[] ints = type == TensorProto.Types.DataType.Int64
            ? (raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : t.Int64Data.ToArray())
            : (raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray() : t.Int32Data.ToArray()).Select(v => (long)v).ToArray();
        return OnnxValue.OfInts(ints, dims);
    }
}
