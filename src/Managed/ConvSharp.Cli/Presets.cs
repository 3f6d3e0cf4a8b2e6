using ConvSharp.Data;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>The CLI's preset names for the constructors of <see cref="Models"/>, sized to the data.</summary>
internal static class Presets
{
    public static readonly string[] Names = Models.Known.Select(k => k.Preset).ToArray();

    /// <summary>The most values one input image may have (2^26: 64 M, e.g. 3 × 4,096 × 4,096 + room).</summary>
    public const long MaxInputValues = 1L << 26;

    /// <summary>Builds preset <paramref name="name"/> for inputs of <paramref name="shape"/> and <paramref name="classes"/> outputs.</summary>
    public static Module Build(string name, ImageShape shape, int classes, Generator generator)
    {
        int c = shape.Channels, h = shape.Height, w = shape.Width;
        // The layer sizes below are products of the input's sides; past this bound they would not fit one buffer.
        if (shape.Length > MaxInputValues)
            throw new CliException($"model preset '{name}' for {c}x{h}x{w} inputs is too large: {shape.Length} values per image, more than {MaxInputValues}.");
        try
        {
            return name switch
            {
                "mnist-cnn" => Models.MnistCnn(c, classes, h, w, generator),
                "gap-cnn" => Models.GapCnn(c, classes, Global.Max, generator),
                "lenet5" => Models.LeNet5(c, classes, h, w, generator),
                "cifar-cnn" => Models.CifarCnn(c, classes, h, w, generator),
                "resnet18" => Models.ResNet18(classes, c, generator),
                "vgg11-bn" => Models.Vgg11Bn(classes, c, generator),
                "mobilenet-v2" => Models.MobileNetV2(classes, c, generator),
                _ => throw new CliException($"unknown model preset '{name}'; the presets are {string.Join(", ", Names)}."),
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            string message = e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            throw new CliException($"model preset '{name}': {message.TrimEnd('.')}; the data is {c}x{h}x{w}.");
        }
    }
}
