using ConvSharp.Data;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>The networks `convsharp train --model` knows by name.</summary>
internal static class Presets
{
    public static readonly string[] Names = ["mnist-cnn", "gap-cnn", "lenet5", "cifar-cnn"];

    /// <summary>The most values one input image may have (2^26: 64 M, e.g. 3 × 4,096 × 4,096 + room).</summary>
    public const long MaxInputValues = 1L << 26;

    /// <summary>Builds preset <paramref name="name"/> for inputs of <paramref name="shape"/> and <paramref name="classes"/> outputs.</summary>
    public static Sequential Build(string name, ImageShape shape, int classes, Generator generator)
    {
        int c = shape.Channels, h = shape.Height, w = shape.Width;
        // The layer sizes below are products of the input's sides; past this bound they would not fit one buffer.
        if (shape.Length > MaxInputValues)
            throw new CliException($"model preset '{name}' for {c}x{h}x{w} inputs is too large: {shape.Length} values per image, more than {MaxInputValues}.");
        switch (name)
        {
            case "mnist-cnn":
                // The 29,066-parameter network of DESIGN.md (for 1×28×28): three conv-ReLU-pool blocks and a linear layer.
                Need(name, h >= 8 && w >= 8, "at least 8×8 inputs", shape);
                return new Sequential(
                    new Conv2d(c, 16, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Conv2d(16, 32, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Linear(64 * (h / 8) * (w / 8), classes, generator: generator));
            case "gap-cnn":
                // The same convolutions, global max pooling, a linear layer: any input resolution.
                Need(name, h >= 4 && w >= 4, "at least 4×4 inputs", shape);
                return new Sequential(
                    new Conv2d(c, 16, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Conv2d(16, 32, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 3, padding: 1, generator: generator), new ReLU(),
                    new GlobalMaxPool2d(), new Linear(64, classes, generator: generator));
            case "lenet5":
                // LeCun et al.'s LeNet-5 for 32×32 inputs; smaller inputs are zero-padded up to 32 by the first convolution.
                Need(name, h <= 32 && w <= 32 && h >= 28 && w >= 28, "inputs of 28×28 to 32×32 (use --resize 32x32)", shape);
                return new Sequential(
                    new Conv2d(c, 6, 5, padding: ((32 - h) / 2, (32 - w) / 2), generator: generator), new Tanh(), new AvgPool2d(2),
                    new Conv2d(6, 16, 5, generator: generator), new Tanh(), new AvgPool2d(2),
                    new Conv2d(16, 120, 5, generator: generator), new Tanh(),
                    new Flatten(), new Linear(120, 84, generator: generator), new Tanh(), new Linear(84, classes, generator: generator));
            case "cifar-cnn":
                Need(name, h >= 4 && w >= 4, "at least 4×4 inputs", shape);
                return new Sequential(
                    new Conv2d(c, 32, 3, padding: 1, generator: generator), new ReLU(),
                    new Conv2d(32, 32, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, 3, padding: 1, generator: generator), new ReLU(),
                    new Conv2d(64, 64, 3, padding: 1, generator: generator), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Linear(64 * (h / 4) * (w / 4), classes, generator: generator));
            default:
                throw new CliException($"unknown model preset '{name}'; the presets are {string.Join(", ", Names)}.");
        }
    }

    private static void Need(string name, bool ok, string what, ImageShape shape)
    {
        if (!ok) throw new CliException($"model preset '{name}' needs {what}, but the data is {shape.Channels}x{shape.Height}x{shape.Width}.");
    }
}
