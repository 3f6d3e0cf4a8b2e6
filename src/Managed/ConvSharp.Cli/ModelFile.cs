using System.Globalization;
using ConvSharp.Data;
using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>A trained model on disk: the weights in safetensors, plus what is needed to rebuild and feed the
/// network (preset, input shape, class names, normalisation) in the file's metadata.</summary>
internal static class ModelFile
{
    public static (ModelInfo Info, Sequential Model) Load(string path) =>
        path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? OnnxModelFile.Load(path) : ModelInfo.Load(path);
}

internal sealed record ModelInfo(string Preset, ImageShape Input, IReadOnlyList<string> Classes, float[] Mean, float[] Std)
{
    /// <summary>The largest input a model file may declare: 4,096 channels, 16,384 × 16,384 pixels, 2^28 values.</summary>
    private const int MaxChannels = 4096, MaxSide = 16_384;
    private const long MaxInputValues = 1L << 28;

    public Dictionary<string, string> ToMetadata() => new()
    {
        ["format"] = "pt",
        ["convsharp.preset"] = Preset,
        ["convsharp.input"] = $"{Input.Channels}x{Input.Height}x{Input.Width}",
        ["convsharp.classes"] = string.Join('\n', Classes),
        ["convsharp.mean"] = string.Join(',', Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
        ["convsharp.std"] = string.Join(',', Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
    };

    public void Save(string path, Module model)
    {
        // A checkpoint that holds NaN or infinity would load and predict garbage: refused here, naming the parameter.
        model.EnsureFinite();
        SafeTensors.Save(path, model.StateDict(), ToMetadata());
    }

    /// <summary>Reads the metadata of <paramref name="path"/>, checks every value, rebuilds the network and loads its weights.</summary>
    public static (ModelInfo Info, Sequential Model) Load(string path)
    {
        RegularFile.Check(path, "model file");
        var meta = SafeTensors.ReadHeader(path).Metadata;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new CliException($"'{path}' was not written by convsharp train (its metadata has no {key}).");
        CliException Bad(string key, string why) => new($"'{path}': metadata {key} = '{Clip(Get(key))}' {why}; the file is damaged or was not written by convsharp train.");

        string[] parts = Get("convsharp.input").Split('x');
        var dims = new int[3];
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            throw Bad("convsharp.input", "is not CxHxW");
        for (int i = 0; i < 3; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1 || dims[i] > (i == 0 ? MaxChannels : MaxSide))
                throw Bad("convsharp.input", $"is not CxHxW with 1 to {MaxChannels} channels and sides of 1 to {MaxSide} pixels");
        var input = new ImageShape(dims[0], dims[1], dims[2]);
        if (input.Length > MaxInputValues) throw Bad("convsharp.input", $"holds {input.Length} values, more than {MaxInputValues}");

        float[] Floats(string key, bool positive)
        {
            string[] items = Get(key).Split(',');
            var values = new float[items.Length];
            for (int i = 0; i < items.Length; i++)
                if (!float.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]) || (positive && values[i] <= 0))
                    throw Bad(key, positive ? "is not a list of positive numbers (a std of 0 would divide by zero)" : "is not a list of finite numbers");
            if (values.Length != 1 && values.Length != input.Channels)
                throw Bad(key, $"has {values.Length} values for {input.Channels} channels (1 or {input.Channels} expected)");
            return values;
        }
        string[] classes = Get("convsharp.classes").Split('\n');
        if (classes.Any(string.IsNullOrWhiteSpace)) throw Bad("convsharp.classes", "has an empty class name");
        var info = new ModelInfo(Get("convsharp.preset"), input, classes, Floats("convsharp.mean", positive: false), Floats("convsharp.std", positive: true));
        var model = Presets.Build(info.Preset, info.Input, info.Classes.Count, new Generator(0));
        try
        {
            if (FirstMismatch(path, model) is string first)
                throw new CliException(
                    $"'{path}' does not fit preset {info.Preset}: {first} (the preset built for {input.Channels}x{input.Height}x{input.Width} inputs and {classes.Length} classes).");
            model.Load(path);
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            string[] lines = e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            throw new CliException($"'{path}' does not fit preset {info.Preset}: {(lines.Length > 1 ? lines[1] : lines[0])}", e.Message, e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (info, model);
    }

    /// <summary>The first tensor (in the model's order) that the file lacks or holds in another shape, or null.</summary>
    private static string? FirstMismatch(string path, Module model)
    {
        var header = SafeTensors.ReadHeader(path);
        var names = model.StateDict().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.StateDict())
        {
            var info = header.Tensors.FirstOrDefault(t => t.Name == name);
            if (info is null)
            {
                var extra = header.Tensors.FirstOrDefault(t => !names.Contains(t.Name));
                return $"the first mismatching tensor is {name} [{string.Join(", ", tensor.Shape)}], which the file lacks" +
                    (extra is null ? "" : $" (the file has {extra.Name} [{string.Join(", ", extra.Shape)}] instead)");
            }
            if (!info.Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
                return $"the first mismatching tensor is {name}: the file has [{string.Join(", ", info.Shape)}], the preset has [{string.Join(", ", tensor.Shape)}]";
        }
        return null;
    }

    private static string Clip(string value) => value.Length <= 40 ? value.Replace('\n', ' ') : value[..40].Replace('\n', ' ') + "...";
}
