using ConvSharp.NN;
using ConvSharp.Onnx.Protobuf;

namespace ConvSharp.Onnx;

/// <summary>An ONNX graph loaded by <see cref="Onnx.Load"/>, run node by node with ConvSharp's ops, so it runs on
/// any device and trains: float initializers are <see cref="Parameter"/>s (a dotted name such as "0.weight" is a
/// path of child modules, so <see cref="Module.NamedParameters"/> gives the file's names back), batch-norm running
/// statistics are buffers, and scalars, shapes and Constant nodes are constants. In training mode batch
/// normalization uses batch statistics and Dropout drops, as in PyTorch.</summary>
public sealed partial class OnnxModel : Module
{
    private readonly List<OnnxStep> _steps;
    private readonly Dictionary<string, OnnxValue> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxScope> _scopes = new(StringComparer.Ordinal);

    internal OnnxModel(ModelProto model, long opset, string inputName, string outputName, int?[]? inputShape,
        List<(string Name, OnnxValue Value)> initializers, string path)
    {
        Opset = opset;
        InputName = inputName;
        OutputName = outputName;
        InputShape = inputShape?.Select(d => d ?? -1).ToArray();
        ProducerName = model.ProducerName;
        DocString = model.DocString;
        Metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        Source = path;
        _steps = model.Graph.Node.Select(n => new OnnxStep(n)).ToList();
        CheckOutputsUsed(model.Graph);

        var roles = Roles();
        foreach (var (name, value) in initializers)
        {
            string role = value.Tensor is null ? "constant" : roles.GetValueOrDefault(name, "parameter");
            if (value.Tensor is { } t && t.Dim == 0) role = "constant";
            _constants[name] = role switch
            {
                "parameter" => OnnxValue.Of(Place(name, Trainable(value.Tensor!), buffer: false)),
                "buffer" => OnnxValue.Of(Place(name, value.Tensor!, buffer: true)),
                _ => value,
            };
        }
        foreach (OnnxStep step in _steps.Where(s => s.Node.OpType == "Constant"))
            _constants[step.Node.Output[0]] = ConstantValue(step);
        _steps.RemoveAll(s => s.Node.OpType == "Constant");
        FuseGelu();
        CheckStatic();
        Eval();  // a loaded model is a deployed one; Train() before fine-tuning
        DryRun(path);
    }

    /// <summary>The default-domain opset the file declares.</summary>
    public long Opset { get; }

    /// <summary>The graph input's name.</summary>
    public string InputName { get; }

    /// <summary>The graph output's name.</summary>
    public string OutputName { get; }

    /// <summary>The declared input shape, -1 for a symbolic or unknown dimension (null when the file declares none).</summary>
    public int[]? InputShape { get; }

    /// <summary>The producer the file names (e.g. "ConvSharp", "pytorch").</summary>
    public string ProducerName { get; }

    /// <summary>The model's doc string.</summary>
    public string DocString { get; }

    /// <summary>The model's <c>metadata_props</c> (see <see cref="OnnxExportOptions.Metadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The file it was loaded from.</summary>
    public string Source { get; }

    /// <summary>The op type of every node, in graph order (after fusing erf-form GELUs into one Gelu).</summary>
    public IReadOnlyList<string> OpTypes => _steps.Select(s => s.Node.OpType).ToArray();

    /// <inheritdoc />
    public override string ToString() => $"OnnxModel({Path.GetFileName(Source)}, opset {Opset}, {_steps.Count} nodes, producer '{ProducerName}')";

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        var values = new Dictionary<string, OnnxValue>(_constants, StringComparer.Ordinal) { [InputName] = OnnxValue.Of(input) };
        foreach (OnnxStep step in _steps)
        {
            var inputs = new OnnxValue?[step.Node.Input.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                string name = step.Node.Input[i];
                if (name.Length == 0) continue;
                inputs[i] = values.TryGetValue(name, out var v) ? v
                    : throw new InvalidDataException($"{step.Where}: its input '{name}' is produced by no earlier node, initializer or graph input.");
            }
            OnnxValue result;
            try
            {
                result = Run(step, inputs);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{step.Where}: {e.Message}", e);
            }
            values[step.Node.Output[0]] = result;
        }
        OnnxValue output = values.TryGetValue(OutputName, out var o) ? o
            : throw new InvalidDataException($"The graph output '{OutputName}' is produced by no node.");
        return output.Tensor ?? Tensor.FromArray(output.Ints!.Select(v => (float)v).ToArray(), output.Dims);
    }

    /// <summary>What each float initializer is: batch-norm statistics are buffers; inputs that configure an op
    /// (shapes, scales, clip bounds, pad values) are constants; the rest are trainable parameters.</summary>
    private Dictionary<string, string> Roles()
    {
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (OnnxStep s in _steps)
        {
            var inputs = s.Node.Input;
            void Mark(int from, string role)
            {
                for (int i = from; i < inputs.Count; i++)
                    if (inputs[i].Length > 0 && !(role == "constant" && roles.GetValueOrDefault(inputs[i]) == "buffer")) roles[inputs[i]] = role;
            }
            switch (s.Node.OpType)
            {
                case "BatchNormalization" when inputs.Count >= 5:
                    roles[inputs[3]] = "buffer";
                    roles[inputs[4]] = "buffer";
                    break;
                case "Reshape" or "Resize" or "Clip" or "Pad" or "Slice" or "Unsqueeze" or "Squeeze" or "ReduceSum" or "ReduceMean" or "ReduceMax" or "Dropout":
                    Mark(1, "constant");
                    break;
            }
        }
        return roles;
    }

    private static Parameter Trainable(Tensor constant)
    {
        Parameter p = Parameter.From(constant);
        constant.Dispose();
        return p;
    }

    private Tensor Place(string name, Tensor tensor, bool buffer)
    {
        string[] parts = name.Split('.').Select(p => p.Length == 0 ? "_" : p).ToArray();
        try
        {
            Module owner = this;
            string prefix = "";
            for (int i = 0; i < parts.Length - 1; i++)
            {
                prefix = prefix.Length == 0 ? parts[i] : prefix + "." + parts[i];
                if (!_scopes.TryGetValue(prefix, out var scope))
                {
                    scope = new OnnxScope();
                    Adopt(owner, parts[i], scope);
                    _scopes[prefix] = scope;
                }
                owner = scope;
            }
            Add(owner, parts[^1], tensor, buffer);
        }
        catch (ArgumentException)
        {
            // A name that is also another name's prefix ("a" and "a.b"): keep it flat.
            Add(this, string.Join("_", parts) + "_" + _constants.Count, tensor, buffer);
        }
        return tensor;
    }

    private void Adopt(Module owner, string name, OnnxScope child)
    {
        if (owner is OnnxScope s) s.AddChild(name, child);
        else RegisterModule(name, child);
    }

    private void Add(Module owner, string name, Tensor tensor, bool buffer)
    {
        if (owner is OnnxScope s) { s.Add(name, tensor, buffer); return; }
        if (buffer) RegisterBuffer(name, tensor);
        else RegisterParameter(name, (Parameter)tensor);
    }

    /// <summary>Refuses a node whose second output (MaxPool's indices, Dropout's mask, BatchNormalization's
    /// training statistics) is read: only first outputs are computed.</summary>
    private void CheckOutputsUsed(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var used = _steps.Where(s => s.Node.Output.Skip(1).Any(o => o.Length > 0 && read.Contains(o))).Select(s => s.Where).ToList();
        if (used.Count > 0)
            throw new NotSupportedException($"Onnx.Load computes only the first output of a node, but the graph reads a second output of {string.Join(", ", used)}.");
    }
}

/// <summary>An ONNX node with its attributes by name.</summary>
internal sealed class OnnxStep(NodeProto node)
{
    internal NodeProto Node { get; } = node;

    internal Dictionary<string, AttributeProto> Attributes { get; } = node.Attribute.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last());

    internal string Where => $"ONNX node {OnnxImporter.NodeName(Node)} ({Node.OpType})";

    internal long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    internal float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;

    internal string String(string name, string fallback) => Attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    internal long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;
}

/// <summary>A module that only holds parameters and buffers under one segment of a dotted initializer name.</summary>
internal sealed class OnnxScope : Module
{
    internal void Add(string name, Tensor tensor, bool buffer)
    {
        if (buffer) RegisterBuffer(name, tensor);
        else RegisterParameter(name, (Parameter)tensor);
    }

    internal void AddChild(string name, OnnxScope child) => RegisterModule(name, child);

    protected override Tensor ForwardCore(Tensor input) =>
        throw new InvalidOperationException("This module only holds initializers of an ONNX model; run the OnnxModel.");
}
