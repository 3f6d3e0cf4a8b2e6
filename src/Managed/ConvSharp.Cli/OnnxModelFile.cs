using System.Globalization;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Onnx;

namespace ConvSharp.Cli;

/// <summary>A .onnx model for predict, eval, summary and activations. A file written by `convsharp export` carries the
/// run's metadata: its preset is rebuilt and takes the file's weights (so every command sees the layers). Any other
/// file runs as its ONNX graph (a network it names is rebuilt from its architecture), with the input size it declares, classes numbered 0..K-1 and no normalisation.</summary>
internal static class OnnxModelFile
{
    public static (ModelFileInfo Info, Module Model) Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file '{path}' does not exist.");
        OnnxModel graph = Onnx.Onnx.Load(path);
        if (graph.Metadata.ContainsKey(ModelInfo.ArchitectureKey) || graph.Metadata.ContainsKey("convsharp.preset")) return FromPreset(path, graph);

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
        var info = new ModelFileInfo(path, "onnx", new ImageShape(shape[1], shape[2], shape[3]),
            Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            Enumerable.Repeat(0f, shape[1]).ToArray(), Enumerable.Repeat(1f, shape[1]).ToArray());
        return (info, new Sequential(graph));
    }

    private static (ModelFileInfo, Module) FromPreset(string path, OnnxModel graph)
    {
        using (graph)
        {
            var (info, model) = ModelFile.Build(path, graph.Metadata);
            var stored = graph.StateDict().ToDictionary(t => t.Name, t => t.Tensor);
            foreach (var (name, tensor) in model.StateDict())
            {
                if (!stored.TryGetValue(name, out var source) || !source.Shape.SequenceEqual(tensor.Shape))
                {
                    model.Dispose();
                    throw new CliException($"'{path}' does not fit {info.Architecture}: {(source is null ? $"it has no initializer '{name}'" : $"'{name}' has shape [{string.Join(", ", source.Shape)}], the network [{string.Join(", ", tensor.Shape)}]")}.");
                }
                tensor.CopyFrom(source.ToArray());
            }
            return (info, model);
        }
    }
}
