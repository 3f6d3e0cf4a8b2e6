using System.Globalization;
using ConvSharp.NN;

namespace ConvSharp;

/// <summary>Ready-made networks (torchvision's <c>models</c>, plus the small ones the CLI trains). Each constructor
/// stamps <see cref="Module.Architecture"/> with its name and arguments, so <see cref="Module.Save(string)"/> writes
/// them beside the weights and <see cref="Create(string, Generator?)"/> rebuilds the same network from a file.</summary>
public static partial class Models
{
    /// <summary>The constructor names <see cref="Create(string, Generator?)"/> knows, with the CLI's preset names beside them.</summary>
    public static IReadOnlyList<(string Name, string Preset)> Known { get; } =
    [
        ("MnistCnn", "mnist-cnn"), ("GapCnn", "gap-cnn"), ("LeNet5", "lenet5"), ("CifarCnn", "cifar-cnn"),
        ("ResNet18", "resnet18"), ("Vgg11Bn", "vgg11-bn"), ("MobileNetV2", "mobilenet-v2"),
    ];

    /// <summary>The 29,066-parameter network (for 1×28×28 inputs): three conv-ReLU-maxpool blocks and a linear layer.
    /// <paramref name="height"/> and <paramref name="width"/> size the linear layer (each at least 8).</summary>
    public static Sequential MnistCnn(int inChannels = 1, int numClasses = 10, int height = 28, int width = 28, Generator? generator = null)
    {
        Check(nameof(MnistCnn), inChannels, numClasses);
        if (height < 8 || width < 8)
            throw new ArgumentOutOfRangeException(nameof(height), $"MnistCnn needs inputs of at least 8x8, but got {height}x{width}.");
        var g = generator;
        return Stamp(new Sequential(
                new Conv2d(inChannels, 16, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(64 * (height / 8) * (width / 8), numClasses, generator: g)),
            nameof(MnistCnn), ("inChannels", inChannels), ("numClasses", numClasses), ("height", height), ("width", width));
    }

    /// <summary>MnistCnn's convolutions with global pooling before the linear layer, so any input of at least 4×4 works.</summary>
    public static Sequential GapCnn(int inChannels = 1, int numClasses = 10, Global pooling = Global.Max, Generator? generator = null)
    {
        Check(nameof(GapCnn), inChannels, numClasses);
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), $"GapCnn: pooling {(int)pooling} is neither Global.Max nor Global.Mean.");
        var g = generator;
        return Stamp(new Sequential(
                new Conv2d(inChannels, 16, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(),
                pooling == Global.Max ? new GlobalMaxPool2d() : new GlobalAvgPool2d(), new Linear(64, numClasses, generator: g)),
            nameof(GapCnn), ("inChannels", inChannels), ("numClasses", numClasses), ("pooling", pooling));
    }

    /// <summary>LeCun et al.'s LeNet-5 (tanh, average pooling) for 32×32 inputs; 28×28 inputs (MNIST) are zero-padded
    /// up to 32 by the first convolution (<paramref name="height"/>, <paramref name="width"/> between 28 and 32).</summary>
    public static Sequential LeNet5(int inChannels = 1, int numClasses = 10, int height = 32, int width = 32, Generator? generator = null)
    {
        Check(nameof(LeNet5), inChannels, numClasses);
        if (height is < 28 or > 32 || width is < 28 or > 32)
            throw new ArgumentOutOfRangeException(nameof(height), $"LeNet5 needs inputs of 28x28 to 32x32, but got {height}x{width} (resize them to 32x32).");
        var g = generator;
        return Stamp(new Sequential(
                new Conv2d(inChannels, 6, 5, padding: ((32 - height) / 2, (32 - width) / 2), generator: g), new Tanh(), new AvgPool2d(2),
                new Conv2d(6, 16, 5, generator: g), new Tanh(), new AvgPool2d(2),
                new Conv2d(16, 120, 5, generator: g), new Tanh(),
                new Flatten(), new Linear(120, 84, generator: g), new Tanh(), new Linear(84, numClasses, generator: g)),
            nameof(LeNet5), ("inChannels", inChannels), ("numClasses", numClasses), ("height", height), ("width", width));
    }

    /// <summary>A VGG-style network for CIFAR-sized inputs: two pairs of 3×3 convolutions, each pair followed by 2×2
    /// max pooling, and a linear layer (<paramref name="height"/>, <paramref name="width"/> at least 4).</summary>
    public static Sequential CifarCnn(int inChannels = 3, int numClasses = 10, int height = 32, int width = 32, Generator? generator = null)
    {
        Check(nameof(CifarCnn), inChannels, numClasses);
        if (height < 4 || width < 4)
            throw new ArgumentOutOfRangeException(nameof(height), $"CifarCnn needs inputs of at least 4x4, but got {height}x{width}.");
        var g = generator;
        return Stamp(new Sequential(
                new Conv2d(inChannels, 32, 3, padding: 1, generator: g), new ReLU(),
                new Conv2d(32, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(),
                new Conv2d(64, 64, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(64 * (height / 4) * (width / 4), numClasses, generator: g)),
            nameof(CifarCnn), ("inChannels", inChannels), ("numClasses", numClasses), ("height", height), ("width", width));
    }

    private static void Check(string model, int inChannels, int numClasses)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"{model}: inChannels must be at least 1, but is {inChannels}.");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), $"{model}: numClasses must be at least 1, but is {numClasses}.");
    }

    /// <summary>Records "Name(arg=value, ...)" on the model: the string <see cref="Create(string, Generator?)"/> parses.</summary>
    internal static T Stamp<T>(T model, string name, params (string Name, object Value)[] args) where T : Module
    {
        model.Architecture = name + "(" + string.Join(", ", args.Select(a => a.Name + "=" + Format(a.Value))) + ")";
        return model;
    }

    private static string Format(object value) => value switch
    {
        Global g => g.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
