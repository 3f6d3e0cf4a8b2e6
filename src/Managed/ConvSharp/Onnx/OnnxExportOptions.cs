namespace ConvSharp.Onnx;

/// <summary>Settings of <see cref="Onnx.Export(NN.Module, string, Tensor, OnnxExportOptions?)"/> (PyTorch's
/// <c>torch.onnx.export</c> arguments of the same meaning).</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The graph input's name (PyTorch's <c>input_names</c>); default "input".</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name (PyTorch's <c>output_names</c>); default "output".</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>Whether the first dimension of the input and output is the symbolic "batch" (PyTorch's
    /// <c>dynamic_axes={"input": {0: "batch"}}</c>); default true. When false the sample's shape is fixed.</summary>
    public bool DynamicBatch { get; init; } = true;

    /// <summary>The ONNX opset the graph declares, 13 to 17; default 17. Every node written has the same meaning in all of them.</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Key-value pairs stored in the model's <c>metadata_props</c> (ONNX Runtime reads them as custom metadata;
    /// <see cref="OnnxModel.Metadata"/> gives them back). The CLI keeps a run's preset, input shape, classes and
    /// normalisation there.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Text stored as the model's doc string, after the line naming the ConvSharp version.</summary>
    public string? DocString { get; init; }
}
