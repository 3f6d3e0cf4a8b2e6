using System.Text;
using ConvSharp.IO;

namespace ConvSharp.NN;

public abstract partial class Module
{
    private static readonly Dictionary<string, string> s_checkpointMetadata = new() { ["format"] = "pt" };

    /// <summary>Every parameter and buffer under its PyTorch <c>state_dict</c> key, in PyTorch's order:
    /// a module's own parameters, then its own buffers, then each child's entries prefixed "child.".
    /// The tensors are the module's own (not copies).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateDict()
    {
        foreach (var (name, p) in _parameters) if (p is not null) yield return (name, p);
        foreach (var (name, b) in _buffers) yield return (name, b);
        foreach (var (childName, child) in _children)
            foreach (var (name, t) in child.StateDict()) yield return (childName + "." + name, t);
    }

    /// <summary>Saves every parameter and buffer to a safetensors file under PyTorch's state_dict keys,
    /// so <c>model.load_state_dict(safetensors.torch.load_file(path))</c> reads it in PyTorch. The file is
    /// replaced atomically: a failed save leaves the previous one as it was.</summary>
    public void Save(string path) => Save(path, null);

    /// <summary>Saves like <see cref="Save(string)"/>, with <paramref name="info"/> (input shape, normalisation, class
    /// names) and <see cref="Architecture"/> in the file's metadata, so <c>convsharp summary|activations|predict|eval</c>
    /// can rebuild and feed the network from the file alone.</summary>
    /// <exception cref="ArgumentException"><paramref name="info"/> holds an invalid value (named in the message).</exception>
    public void Save(string path, ModelInfo? info)
    {
        var meta = info?.ToMetadata() ?? [];
        foreach (var (k, v) in s_checkpointMetadata) meta[k] = v;
        if (Architecture is { } a) meta[ModelInfo.ArchitectureKey] = a;
        SafeTensors.Save(path, StateDict(), meta);
    }

    /// <summary>Loads parameters and buffers from a safetensors file written by <see cref="Save(string)"/> or by
    /// PyTorch (<c>save_file(model.state_dict(), path)</c>) for the same architecture. Names, shapes and
    /// dtypes are checked first and every mismatch is reported in one
    /// <see cref="InvalidDataException"/>; nothing is modified unless all of it loads. With
    /// <paramref name="strict"/> false, missing and unexpected keys are ignored (as in PyTorch's
    /// <c>load_state_dict(strict=False)</c>), but a shape mismatch is still an error.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors, or it does not match this module.</exception>
    public void Load(string path, bool strict = true)
    {
        Guard.NotNull(path);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        SafeTensorsHeader header = reader.Header;
        List<(string Name, Tensor Tensor)> targets = StateDict().ToList();

        var missing = new List<string>();
        var mismatches = new List<string>();
        var matched = new List<(SafeTensorInfo Info, Tensor Target)>();
        foreach (var (name, target) in targets)
        {
            SafeTensorInfo? info = header.Find(name);
            if (info is null)
            {
                missing.Add(name);
                continue;
            }
            if (!SameShape(info.ShapeSpan, target.ShapeSpan))
                mismatches.Add($"shape mismatch for {name}: the file has {info.FormatShape()}, the model has {Guard.Format(target.ShapeSpan)}");
            else if (SafeTensorsDType.ToFloat32(info.DType) is null)
                mismatches.Add($"dtype mismatch for {name}: the file has {info.DType}, which cannot be converted to float32");
            else
                matched.Add((info, target));
        }
        var known = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        List<string> unexpected = header.Tensors.Where(t => !known.Contains(t.Name)).Select(t => t.Name).ToList();

        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new InvalidDataException(MismatchMessage(path, strict ? missing : [], strict ? unexpected : [], mismatches));

        // Everything is read before anything is written, so an I/O error midway changes nothing either.
        var staged = new List<Tensor>(matched.Count);
        try
        {
            foreach (var (info, target) in matched)
            {
                Tensor stage = Tensor.Allocate(Device.Cpu, target.Shape, zero: false, owned: true);
                staged.Add(stage);
                reader.ReadInto(info, stage.AsSpan());
            }
            for (int i = 0; i < matched.Count; i++) matched[i].Target.CopyFrom(staged[i].AsSpan());
        }
        finally
        {
            foreach (Tensor stage in staged) stage.Dispose();
        }
    }

    /// <summary>The first parameter or buffer (in <see cref="StateDict"/> order) holding NaN or ±infinity: its name,
    /// the flat index of the first such element and its value; null when every value is finite.</summary>
    public (string Name, long Index, float Value)? FirstNonFinite()
    {
        foreach (var (name, tensor) in StateDict())
        {
            float[]? copy = tensor.Device == Device.Cpu ? null : tensor.ToArray();
            ReadOnlySpan<float> values = copy ?? tensor.AsSpan();
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i])) return (name, i, values[i]);
        }
        return null;
    }

    /// <summary>Throws unless every parameter and buffer is finite: a training loop calls it before writing a
    /// checkpoint, so a diverged run cannot leave a file of NaN weights behind.</summary>
    /// <exception cref="ArithmeticException">A parameter or buffer holds NaN or infinity; the message names it.</exception>
    public void EnsureFinite()
    {
        if (FirstNonFinite() is var (name, index, value))
            throw new ArithmeticException(
                $"Parameter {name} holds {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} (element {index}); " +
                "a checkpoint of non-finite weights is not written.");
    }

    private static bool SameShape(ReadOnlySpan<long> file, ReadOnlySpan<int> model)
    {
        if (file.Length != model.Length) return false;
        for (int i = 0; i < file.Length; i++) if (file[i] != model[i]) return false;
        return true;
    }

    private string MismatchMessage(string path, List<string> missing, List<string> unexpected, List<string> mismatches)
    {
        var message = new StringBuilder($"Cannot load '{path}' into {GetType().Name}: it does not match the model.");
        if (missing.Count > 0)
            message.Append(Environment.NewLine).Append($"  missing keys (in the model, not in the file): {Quote(missing)}");
        if (unexpected.Count > 0)
            message.Append(Environment.NewLine).Append($"  unexpected keys (in the file, not in the model): {Quote(unexpected)}");
        foreach (string m in mismatches) message.Append(Environment.NewLine).Append("  ").Append(m);
        return message.ToString();
    }

    private static string Quote(List<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));
}
