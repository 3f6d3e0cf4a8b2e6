using System.Globalization;
using ConvSharp.Data;
using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>A trained model on disk: the weights in safetensors, plus what is needed to rebuild and feed the
/// network in the file's metadata (<see cref="ModelInfo"/>: the Models constructor, input shape, class names,
/// normalisation), whether `convsharp train` wrote it or a C# program called <c>model.Save(path, info)</c>.</summary>
internal static class ModelFile
{
    /// <summary>Reads the metadata of <paramref name="path"/>, rebuilds the network and loads its weights.</summary>
    public static (ModelFileInfo Info, Module Model) Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file '{path}' does not exist.");
        var meta = SafeTensors.ReadHeader(path).Metadata;
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
        try
        {
            model.Load(path);
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            throw new CliException($"'{path}' does not fit {architecture}: {e.Message}");
        }
        int[]? input = saved.Input ?? InputOf(architecture);
        int channels = input?[0] ?? Arg(architecture, "inChannels") ?? 1;
        int classes = saved.Classes?.Count ?? Arg(architecture, "numClasses") ?? 0;
        var info = new ModelFileInfo(path, architecture, input is null ? null : new ImageShape(input[0], input[1], input[2]),
            saved.Classes ?? Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            saved.Mean ?? new float[channels], saved.Std ?? Enumerable.Repeat(1f, channels).ToArray());
        return (info, model);
    }

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

    private static int? Arg(string architecture, string name)
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
}
