namespace ConvSharp;

/// <summary>PyTorch's names for the backward nodes of ConvSharp's ops, in one place so that ops keep naming
/// themselves plainly in <c>Record(result, "Conv2d", ...)</c> (their error messages use that name).</summary>
internal static class NodeNames
{
    private static readonly Dictionary<string, string> s_names = new()
    {
        ["Conv2d"] = "ConvolutionBackward", ["ConvTranspose2d"] = "ConvolutionBackward",
        ["Reshape"] = "ViewBackward", ["Expand"] = "ExpandBackward",
        ["AddScalar"] = "AddBackward", ["SubScalar"] = "SubBackward", ["RSubScalar"] = "RsubBackward",
        ["MulScalar"] = "MulBackward", ["DivScalar"] = "DivBackward",
        ["ReLU"] = "ReluBackward", ["LeakyReLU"] = "LeakyReluBackward", ["ELU"] = "EluBackward", ["GELU"] = "GeluBackward",
        ["MatMul"] = "MmBackward", ["Linear"] = "AddmmBackward",
        ["MaxPool2d"] = "MaxPool2DWithIndicesBackward", ["AvgPool2d"] = "AvgPool2DBackward",
        ["AdaptiveMaxPool2d"] = "AdaptiveMaxPool2DBackward", ["AdaptiveAvgPool2d"] = "AdaptiveAvgPool2DBackward",
        ["FractionalMaxPool2d"] = "FractionalMaxPool2DBackward", ["LPPool2d"] = "PowBackward",
        ["GlobalMaxPool2d"] = "AmaxBackward", ["GlobalAvgPool2d"] = "MeanBackward",
        ["UpsampleNearest"] = "UpsampleNearest2DBackward", ["UpsampleBilinear"] = "UpsampleBilinear2DBackward",
        ["Pad"] = "ConstantPadNdBackward", ["BatchNorm"] = "NativeBatchNormBackward",
        ["CrossEntropy"] = "NllLossBackward", ["NllLoss"] = "NllLossBackward",
        ["BinaryCrossEntropy"] = "BinaryCrossEntropyBackward",
        ["BinaryCrossEntropyWithLogits"] = "BinaryCrossEntropyWithLogitsBackward",
        ["Max"] = "MaxBackward", ["Amax"] = "AmaxBackward", ["Gather"] = "GatherBackward",
        ["IndexSelect"] = "IndexSelectBackward", ["Flip"] = "FlipBackward", ["Unfold"] = "Im2ColBackward", ["Fold"] = "Col2ImBackward",
    };

    /// <summary>"Mul" → "MulBackward"; the table above where PyTorch's name differs from the op's.</summary>
    public static string BackwardName(string opName) =>
        s_names.TryGetValue(opName, out string? name) ? name : opName + "Backward";
}
