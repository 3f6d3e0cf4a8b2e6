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
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["format"] = "pt",
        ["convsharp.preset"] = Preset,
        ["convsharp.input"] = $"{Input.Channels}x{Input.Height}x{Input.Width}",
        ["convsharp.classes"] = string.Join('\n', Classes),
        ["convsharp.mean"] = string.Join(',', Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
        ["convsharp.std"] = string.Join(',', Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
    };

    public void Save(string path, Module model) => SafeTensors.Save(path, model.StateDict(), ToMetadata());

    /// <summary>Reads the metadata of <paramref name="path"/>, rebuilds the network and loads its weights.</summary>
    public static (ModelInfo Info, Sequential Model) Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file '{path}' does not exist.");
        var meta = SafeTensors.ReadHeader(path).Metadata;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new CliException($"'{path}' was not written by convsharp train (its metadata has no {key}).");
        int[] dims = Get("convsharp.input").Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        float[] Floats(string key) => Get(key).Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var info = new ModelInfo(Get("convsharp.preset"), new ImageShape(dims[0], dims[1], dims[2]), Get("convsharp.classes").Split('\n'),
            Floats("convsharp.mean"), Floats("convsharp.std"));
        var model = Presets.Build(info.Preset, info.Input, info.Classes.Count, new Generator(0));
        try
        {
            model.Load(path);
        }
        catch (InvalidDataException e)
        {
            model.Dispose();
            throw new CliException($"'{path}' does not fit preset {info.Preset}: {e.Message}");
        }
        return (info, model);
    }
}
