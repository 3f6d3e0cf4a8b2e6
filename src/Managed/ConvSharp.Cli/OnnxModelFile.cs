using System.Globalization;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Onnx;

namespace ConvSharp.Cli;

/// <summary>A .onnx model for predict, eval, summary and activations. A file written by `convsharp export` carries the
/// run's metadata: its preset is rebuilt and takes the file's weights (so every command sees the layers). Any other
/// file runs as its ONNX graph, with the input size it declares, classes numbered 0..K-1 and no normalisation.</summary>
internal static class OnnxModelFile
{
    public static (ModelInfo Info, Sequential Model) Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file '{path}' does not exist.");
        OnnxModel graph = Onnx.Onnx.Load(path);
        if (graph.Metadata.ContainsKey("convsharp.preset")) return FromPreset(path, graph);

        int[] shape = graph.InputShape ?? [];
        if (shape.Length != 4 || shape.Skip(1).Any(d => d < 1))
        {
            graph.Dispose();
            throw new CliException($"'{path}' declares input shape [{string.Join(", ", shape)}]; the CLI needs a fixed [N, C, H, W] image input.");
        }
        int classes;
        using (var scope = Tensor.Scope())
        using (Autograd.NoGrad())
        {
            int[] output = graph.Forward(Tensor.Zeros(1, shape[1], shape[2], shape[3])).Shape;
            if (output.Length != 2) throw new CliException($"'{path}' gives outputs of shape [{string.Join(", ", output)}]; the CLI needs [N, classes].");
            classes = output[1];
        }
        var info = new ModelInfo("onnx", new ImageShape(shape[1], shape[2], shape[3]),
            Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            Enumerable.Repeat(0f, shape[1]).ToArray(), Enumerable.Repeat(1f, shape[1]).ToArray());
        return (info, new Sequential(graph));
    }

    private static (ModelInfo, Sequential) FromPreset(string path, OnnxModel graph)
    {
        using (graph)
        {
            var meta = graph.Metadata;
            string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new CliException($"'{path}': its metadata has no {key}.");
            int[] dims = Get("convsharp.input").Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            float[] Floats(string key) => Get(key).Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var info = new ModelInfo(Get("convsharp.preset"), new ImageShape(dims[0], dims[1], dims[2]), Get("convsharp.classes").Split('\n'),
                Floats("convsharp.mean"), Floats("convsharp.std"));
            var model = Presets.Build(info.Preset, info.Input, info.Classes.Count, new Generator(0));
            var stored = graph.StateDict().ToDictionary(t => t.Name, t => t.Tensor);
            foreach (var (name, tensor) in model.StateDict())
            {
                if (!stored.TryGetValue(name, out var source) || !source.Shape.SequenceEqual(tensor.Shape))
                {
                    model.Dispose();
                    throw new CliException($"'{path}' does not fit preset {info.Preset}: {(source is null ? $"it has no initializer '{name}'" : $"'{name}' has shape [{string.Join(", ", source.Shape)}], the preset [{string.Join(", ", tensor.Shape)}]")}.");
                }
                tensor.CopyFrom(source.ToArray());
            }
            return (info, model);
        }
    }
}
