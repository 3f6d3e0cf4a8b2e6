using System.Globalization;
using ConvSharp.Data;
using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>A trained model on disk: the weights in safetensors, plus what is needed to rebuild and feed the
/// network in the file's metadata (<see cref="ModelInfo"/>: the Models constructor, input shape, class names,
/// normalisation), whether `convsharp train` wrote it or a C# program called <c>model.Save(path, info)</c>.
/// A .onnx file goes to <see cref="OnnxModelFile"/>.</summary>
internal static class ModelFile
{
    /// <summary>The largest input a model file may declare: 4,096 channels, 16,384 × 16,384 pixels, 2^28 values.</summary>
    private const int MaxChannels = 4096, MaxSide = 16_384;
    private const long MaxInputValues = 1L << 28;

    /// <summary>Reads the metadata of <paramref name="path"/>, checks every value, rebuilds the network and loads its weights.</summary>
    public static (ModelFileInfo Info, Module Model) Load(string path) =>
        path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? OnnxModelFile.Load(path) : LoadSafeTensors(path);

    private static (ModelFileInfo Info, Module Model) LoadSafeTensors(string path)
    {
        RegularFile.Check(path, "model file");
        var meta = SafeTensors.ReadHeader(path).Metadata;
        var (info, model) = Build(path, meta);
        try
        {
            if (FirstMismatch(path, model) is string first)
                throw new CliException($"'{path}' does not fit {info.Architecture}: {first}.");
            model.Load(path);
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            string[] lines = e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            throw new CliException($"'{path}' does not fit {info.Architecture}: {(lines.Length > 1 ? lines[1] : lines[0])}", e.Message, e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (info, model);
    }

    /// <summary>Checks the metadata <paramref name="meta"/> of <paramref name="path"/> and builds the network it names
    /// (with fresh weights; the caller loads the file's). Each damaged value is one line naming its key and value.</summary>
    internal static (ModelFileInfo Info, Module Model) Build(string path, IReadOnlyDictionary<string, string> meta)
    {
        ImageShape? declared = Check(path, meta);
        ModelInfo saved;
        try
        {
            saved = ModelInfo.FromMetadata(meta, path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }
        string architecture = saved.Architecture ?? Legacy(meta, saved)
            ?? throw new CliException($"'{path}' does not say which network it holds (its metadata has no {ModelInfo.ArchitectureKey}): save a network built by " +
                "ConvSharp.Models with model.Save(path), or set model.Architecture = \"MnistCnn(inChannels=1, numClasses=10)\" before saving.");
        Module model;
        try
        {
            model = Models.Create(architecture, new Generator(0));
        }
        catch (ArgumentException e)
        {
            throw new CliException($"'{path}': {Strip(e)}");
        }
        int[]? input = declared is { } d ? [d.Channels, d.Height, d.Width] : InputOf(architecture);
        int channels = input?[0] ?? Arg(architecture, "inChannels") ?? 1;
        int classes = saved.Classes?.Count ?? Arg(architecture, "numClasses") ?? 0;
        var info = new ModelFileInfo(path, architecture, input is null ? null : new ImageShape(input[0], input[1], input[2]),
            saved.Classes ?? Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            saved.Mean ?? new float[channels], saved.Std ?? Enumerable.Repeat(1f, channels).ToArray());
        return (info, model);
    }

    /// <summary>The checks of every metadata value that is present (issue 18): an input shape within the limits,
    /// finite means, positive stds, one value or one per channel, no empty class name, a known legacy preset.</summary>
    private static ImageShape? Check(string path, IReadOnlyDictionary<string, string> meta)
    {
        CliException Bad(string key, string why) => new($"'{path}': metadata {key} = '{Clip(meta[key])}' {why}; the file is damaged or was not written by convsharp.");

        ImageShape? input = null;
        if (meta.TryGetValue("convsharp.input", out string? text))
        {
            string[] parts = text.Split('x');
            var dims = new int[3];
            if (parts.Length != 3 || parts.Any(p => p.Length == 0))
                throw Bad("convsharp.input", "is not CxHxW");
            for (int i = 0; i < 3; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1 || dims[i] > (i == 0 ? MaxChannels : MaxSide))
                    throw Bad("convsharp.input", $"is not CxHxW with 1 to {MaxChannels} channels and sides of 1 to {MaxSide} pixels");
            var shape = new ImageShape(dims[0], dims[1], dims[2]);
            if (shape.Length > MaxInputValues) throw Bad("convsharp.input", $"holds {shape.Length} values, more than {MaxInputValues}");
            input = shape;
        }
        int? channels = input?.Channels
            ?? (meta.TryGetValue(ModelInfo.ArchitectureKey, out string? a) ? Arg(a, "inChannels") : null);

        void Floats(string key, bool positive)
        {
            if (!meta.TryGetValue(key, out string? list)) return;
            string[] items = list.Split(',');
            foreach (string item in items)
                if (!float.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v) || (positive && v <= 0))
                    throw Bad(key, positive ? "is not a list of positive numbers (a std of 0 would divide by zero)" : "is not a list of finite numbers");
            if (channels is int c && items.Length != 1 && items.Length != c)
                throw Bad(key, $"has {items.Length} values for {c} channels (1 or {c} expected)");
        }
        Floats("convsharp.mean", positive: false);
        Floats("convsharp.std", positive: true);
        if (meta.TryGetValue("convsharp.classes", out string? classes) && classes.Split('\n').Any(string.IsNullOrWhiteSpace))
            throw Bad("convsharp.classes", "has an empty class name");
        if (!meta.ContainsKey(ModelInfo.ArchitectureKey) && meta.TryGetValue("convsharp.preset", out string? preset) && !Presets.Names.Contains(preset))
            throw new CliException($"'{path}': unknown model preset '{Clip(preset)}'; the presets are {string.Join(", ", Presets.Names)}.");
        return input;
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

    /// <summary>Files written by `convsharp train` before the architecture was recorded: the preset and the data's shape and classes.</summary>
    private static string? Legacy(IReadOnlyDictionary<string, string> meta, ModelInfo saved)
    {
        if (!meta.TryGetValue("convsharp.preset", out string? preset) || saved.Input is not { } i || saved.Classes is not { } classes) return null;
        string name = Models.Known.FirstOrDefault(k => k.Preset == preset).Name ?? preset;
        string a = $"inChannels={i[0]}, numClasses={classes.Count}";
        return name is "GapCnn" ? $"{name}({a})" : $"{name}({a}, height={i[1]}, width={i[2]})";
    }

    private static int[]? InputOf(string architecture) =>
        Arg(architecture, "inChannels") is int c && Arg(architecture, "height") is int h && Arg(architecture, "width") is int w ? [c, h, w] : null;

    internal static int? Arg(string architecture, string name)
    {
        int open = architecture.IndexOf('(');
        if (open < 0) return null;
        foreach (string part in architecture[(open + 1)..].TrimEnd(')').Split(',', StringSplitOptions.TrimEntries))
            if (part.StartsWith(name + "=", StringComparison.Ordinal) && int.TryParse(part[(name.Length + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                return v;
        return null;
    }

    private static string Strip(ArgumentException e) => e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
}

/// <summary>What a model file says about its network, with defaults filled in (classes numbered, no normalisation).</summary>
internal sealed record ModelFileInfo(string Path, string Architecture, ImageShape? InputShape, IReadOnlyList<string> Classes, float[] Mean, float[] Std)
{
    /// <summary>The input shape, or one line saying it is missing and how to record it.</summary>
    public ImageShape Input => InputShape ?? throw new CliException(
        $"'{Path}' does not record its input shape (no convsharp.input in its metadata): save it with model.Save(path, new ModelInfo {{ Input = [3, 224, 224] }}), or pass --input to summary.");

    /// <summary>The CLI preset name of <see cref="Architecture"/> (mnist-cnn for MnistCnn(...)), or the architecture itself.</summary>
    public string Preset => Models.Known.FirstOrDefault(k => Architecture == k.Name || Architecture.StartsWith(k.Name + "(", StringComparison.Ordinal)).Preset ?? Architecture;

    /// <summary>The metadata that rebuilds this model (convsharp export writes it into the .onnx file): the architecture,
    /// its preset name for older readers, the input shape, classes and normalisation.</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var meta = new ModelInfo { Input = InputShape is { } s ? [s.Channels, s.Height, s.Width] : null, Classes = Classes, Mean = Mean, Std = Std, Architecture = Architecture }.ToMetadata();
        meta["format"] = "pt";
        if (Preset != Architecture) meta["convsharp.preset"] = Preset;
        return meta;
    }
}
