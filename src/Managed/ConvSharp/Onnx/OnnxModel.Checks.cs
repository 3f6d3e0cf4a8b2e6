using ConvSharp.Onnx.Protobuf;

namespace ConvSharp.Onnx;

// Load-time work: Constant nodes, the erf-form GELU fused into one op, initializer shapes against their ops, and a
// forward on zeros that runs every op's own shape checks.
public sealed partial class OnnxModel
{
    private static OnnxValue ConstantValue(OnnxStep s)
    {
        var a = s.Attributes;
        if (a.TryGetValue("value", out var v) && v.T is not null) return OnnxImporter.Decode(v.T, $"{s.Where}: its value");
        if (a.TryGetValue("value_float", out v)) return OnnxValue.Of(Scalar(v.F));
        if (a.TryGetValue("value_floats", out v)) return OnnxValue.Of(NN.Parameter.From(Tensor.FromArray(v.Floats.ToArray(), v.Floats.Count), requiresGrad: false));
        if (a.TryGetValue("value_int", out v)) return OnnxValue.OfInts([v.I], []);
        if (a.TryGetValue("value_ints", out v)) return OnnxValue.OfInts(v.Ints.ToArray(), [v.Ints.Count]);
        throw new NotSupportedException($"{s.Where}: a Constant without a tensor, float(s) or int(s) value is not supported.");
    }

    private static Tensor Scalar(float value)
    {
        using Tensor t = Tensor.FromArray([value]);
        return NN.Parameter.From(t, requiresGrad: false);
    }

    private float? ConstantScalar(string name) =>
        _constants.TryGetValue(name, out var v) && v.Tensor is { Numel: 1 } t && t is not NN.Parameter { RequiresGrad: true } ? t.Item() : null;

    /// <summary>Replaces x·0.5·(1 + erf(x/√2)) — PyTorch's and ConvSharp's opset-17 GELU — by one Gelu node.</summary>
    private void FuseGelu()
    {
        var consumers = _steps.SelectMany(s => s.Node.Input.Select(i => (Input: i, Step: s))).ToLookup(p => p.Input, p => p.Step);
        var producers = _steps.ToDictionary(s => s.Node.Output[0], s => s);
        static bool Near(float? v, float target) => v is float f && Math.Abs(f - target) <= 1e-5f * Math.Abs(target);
        OnnxStep? Only(string value, string op) => consumers[value].ToList() is [var c] && c.Node.OpType == op && value != OutputName ? c : null;
        string? Other(OnnxStep s, string known) => s.Node.Input.Count == 2 ? (s.Node.Input[0] == known ? s.Node.Input[1] : s.Node.Input[1] == known ? s.Node.Input[0] : null) : null;

        foreach (OnnxStep erf in _steps.Where(s => s.Node.OpType == "Erf").ToList())
        {
            if (!producers.TryGetValue(erf.Node.Input[0], out var scale) || scale.Node.Input.Count != 2) continue;
            string x = scale.Node.Input[0];
            bool scaled = (scale.Node.OpType == "Div" && Near(ConstantScalar(scale.Node.Input[1]), MathF.Sqrt(2f)))
                       || (scale.Node.OpType == "Mul" && Near(ConstantScalar(scale.Node.Input[1]), 1f / MathF.Sqrt(2f)));
            if (!scaled || consumers[scale.Node.Output[0]].Count() != 1) continue;
            if (Only(erf.Node.Output[0], "Add") is not { } add || !Near(ConstantScalar(Other(add, erf.Node.Output[0]) ?? ""), 1f)) continue;
            if (Only(add.Node.Output[0], "Mul") is not { } times || Other(times, add.Node.Output[0]) != x) continue;
            if (Only(times.Node.Output[0], "Mul") is not { } half || !Near(ConstantScalar(Other(half, times.Node.Output[0]) ?? ""), 0.5f)) continue;
            var gelu = new NodeProto { OpType = "Gelu", Name = half.Node.Name };
            gelu.Input.Add(x);
            gelu.Output.Add(half.Node.Output[0]);
            int at = _steps.IndexOf(half);
            _steps[at] = new OnnxStep(gelu);
            foreach (var gone in new[] { scale, erf, add, times }) _steps.Remove(gone);
        }
        var left = _steps.Where(s => s.Node.OpType == "Erf").Select(s => s.Where).ToList();
        if (left.Count > 0)
            throw new NotSupportedException($"Onnx.Load supports Erf only inside the GELU pattern x·0.5·(1 + erf(x/√2)); found it elsewhere: {string.Join(", ", left)}.");
    }

    /// <summary>Initializer shapes that cannot fit their op, found without running it.</summary>
    private void CheckStatic()
    {
        var problems = new List<string>();
        int[]? Dims(OnnxStep s, int i) => s.Node.Input.Count > i && s.Node.Input[i].Length > 0 && _constants.TryGetValue(s.Node.Input[i], out var v) ? v.Dims : null;
        foreach (OnnxStep s in _steps)
        {
            switch (s.Node.OpType)
            {
                case "Conv" or "ConvTranspose":
                {
                    if (Dims(s, 1) is not { } w) break;
                    if (w.Length != 4) { problems.Add($"{s.Where}: weight '{s.Node.Input[1]}' has shape {Guard.Format(w)}, not [out, in/groups, kH, kW]"); break; }
                    if (s.Ints("kernel_shape") is { } k && (k.Length != 2 || k[0] != w[2] || k[1] != w[3]))
                        problems.Add($"{s.Where}: kernel_shape {Guard.Format(k.Select(v => (int)v).ToArray())} does not match weight '{s.Node.Input[1]}' of shape {Guard.Format(w)}");
                    int outChannels = s.Node.OpType == "Conv" ? w[0] : w[1] * (int)s.Int("group", 1);
                    if (Dims(s, 2) is { } b && (b.Length != 1 || b[0] != outChannels))
                        problems.Add($"{s.Where}: bias '{s.Node.Input[2]}' has shape {Guard.Format(b)}, but the weight {Guard.Format(w)} makes {outChannels} output channels");
                    break;
                }
                case "BatchNormalization":
                {
                    var shapes = Enumerable.Range(1, 4).Select(i => Dims(s, i)).ToList();
                    if (shapes.All(d => d is not null) && shapes.Any(d => d!.Length != 1 || d[0] != shapes[0]![0]))
                        problems.Add($"{s.Where}: scale, bias, mean and variance have shapes {string.Join(", ", shapes.Select(d => Guard.Format(d!)))}; they must all be [C]");
                    break;
                }
                case "Gemm":
                    if (Dims(s, 1) is { } g && g.Length != 2) problems.Add($"{s.Where}: B '{s.Node.Input[1]}' has shape {Guard.Format(g)}, not a matrix");
                    break;
            }
        }
        if (problems.Count > 0) throw new InvalidDataException($"'{Source}': {string.Join("; ", problems)}.");
    }

    /// <summary>A forward on zeros of the declared input shape (a symbolic batch as 1), so an initializer that does not
    /// fit the tensor reaching it is reported now, by the node, rather than at the first prediction.</summary>
    private void DryRun(string path)
    {
        if (InputShape is null || InputShape.Length == 0 || InputShape.Skip(1).Any(d => d < 1)) return;
        int[] shape = InputShape.Select((d, i) => i == 0 && d < 1 ? 1 : d).ToArray();
        if (shape.Aggregate(1L, (a, d) => a * d) > 1L << 24) return;  // a declared input this large is checked at its first forward
        using var scope = Tensor.Scope();
        using var noGrad = Autograd.NoGrad();
        try
        {
            Forward(Tensor.Zeros(shape));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}': the graph does not fit its input {Guard.Format(shape)}: {e.Message}", e);
        }
    }
}
