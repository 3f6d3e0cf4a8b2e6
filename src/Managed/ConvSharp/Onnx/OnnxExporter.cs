using System.Reflection;
using Module = ConvSharp.NN.Module;
using ConvSharp.NN;
using ConvSharp.Onnx.Protobuf;

namespace ConvSharp.Onnx;

/// <summary>Runs one evaluation-mode forward under an <see cref="OnnxTrace"/> and turns the ops that the output
/// depends on into an ONNX graph: parameters and buffers become initializers under their state_dict names.</summary>
internal static class OnnxExporter
{
    internal static string Version { get; } =
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "unknown";

    internal static ModelProto Trace(Module model, Tensor sample, OnnxExportOptions options)
    {
        if (options.Opset is < 13 or > 17)
            throw new ArgumentOutOfRangeException(nameof(options), options.Opset, $"Onnx.Export: opset {options.Opset} is not supported; use 13 to 17 (default 17).");
        if (string.IsNullOrWhiteSpace(options.InputName) || string.IsNullOrWhiteSpace(options.OutputName) || options.InputName == options.OutputName)
            throw new ArgumentException($"Onnx.Export: the input and output names must be non-empty and differ (got '{options.InputName}' and '{options.OutputName}').", nameof(options));

        var modes = model.NamedModules().Select(m => (m.Module, m.Module.IsTraining)).ToList();
        using var scope = Tensor.Scope();
        try
        {
            model.Eval();
            Tensor output;
            OnnxTrace trace;
            var (started, stop) = OnnxTrace.Start(model);
            trace = started;
            using (stop)
            using (Autograd.NoGrad())
                output = model.Forward(sample);
            return Build(model, trace, sample, output, options);
        }
        finally
        {
            // Train(mode) recurses: parents first (NamedModules' order), so each module ends with its own mode.
            foreach (var (module, training) in modes) module.Train(training);
        }
    }

    private static ModelProto Build(Module model, OnnxTrace trace, Tensor sample, Tensor output, OnnxExportOptions options)
    {
        var graph = new OnnxGraphBuilder();
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        var state = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.NamedParameters()) state.TryAdd(p, name);
        foreach (var (name, b) in model.NamedBuffers()) state.TryAdd(b, name);
        foreach (string name in state.Values) graph.Reserve(name);
        graph.Reserve(options.InputName);
        graph.Reserve(options.OutputName);
        names[sample] = options.InputName;

        string Resolve(Tensor? tensor)
        {
            if (tensor is null) return "";
            if (names.TryGetValue(tensor, out var known)) return known;
            if (state.TryGetValue(tensor, out var stateName))
            {
                graph.AddInitializer(stateName, OnnxGraphBuilder.Floats(tensor.ToArray(), tensor.Shape.Select(d => (long)d).ToArray()));
                return names[tensor] = stateName;
            }
            if (!trace.Producers.TryGetValue(tensor, out var op))
            {
                // A tensor the forward made without an op (Tensor.FromArray, Ones, ...): its values are a constant.
                string constant = graph.Constant(tensor.ToArray(), tensor.Shape.Select(d => (long)d).ToArray());
                return names[tensor] = constant;
            }
            if (op.Emit is null)
                throw new NotSupportedException(op.Refusal is null
                    ? $"Onnx.Export: the op {op.Op} in {op.Where} has no ONNX mapping."
                    : $"Onnx.Export: the op {op.Op} in {op.Where} cannot be exported: {op.Refusal}.");
            string[] inputs = op.Inputs.Select(Resolve).ToArray();
            string result = ReferenceEquals(tensor, output) ? options.OutputName : graph.Fresh(op.Op.ToLowerInvariant());
            op.Emit(graph, inputs, result);
            return names[tensor] = result;
        }

        string produced = Resolve(output);
        if (produced != options.OutputName) graph.Node("Identity", [produced], options.OutputName);

        GraphProto g = graph.Graph;
        g.Name = model.GetType().Name;
        g.Input.Add(ValueInfo(options.InputName, sample.Shape, options.DynamicBatch));
        g.Output.Add(ValueInfo(options.OutputName, output.Shape, options.DynamicBatch && output.Dim > 0 && sample.Dim > 0 && output.Size(0) == sample.Size(0)));

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ConvSharp",
            ProducerVersion = Version,
            DocString = $"Exported by ConvSharp {Version} from {model.GetType().Name}." + (options.DocString is null ? "" : "\n" + options.DocString),
            Graph = g,
        };
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        return proto;
    }

    private static ValueInfoProto ValueInfo(string name, int[] shape, bool dynamicBatch)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        for (int d = 0; d < shape.Length; d++)
            tensorType.Shape.Dim.Add(d == 0 && dynamicBatch
                ? new TensorShapeProto.Types.Dimension { DimParam = "batch" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[d] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
