namespace ConvSharp.NN;

/// <summary>torchvision's <c>InvertedResidual</c> (MobileNetV2's block): an optional 1×1 expansion with batch norm and
/// ReLU6, a 3×3 depthwise convolution (groups = channels) with batch norm and ReLU6, a linear 1×1 projection with
/// batch norm, and the input added back when stride is 1 and the channel count is kept. Children follow torchvision's
/// names: "conv.0.0" (expansion conv), ..., "conv.2" / "conv.3" (projection and its batch norm).</summary>
public sealed class InvertedResidual : Module
{
    /// <summary>A block from <paramref name="inp"/> to <paramref name="oup"/> channels that expands by <paramref name="expandRatio"/>.</summary>
    public InvertedResidual(int inp, int oup, int stride, int expandRatio, Generator? generator = null)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), $"InvertedResidual: stride must be 1 or 2, but is {stride}.");
        int hidden = inp * expandRatio;
        UsesResidual = stride == 1 && inp == oup;
        var layers = new Sequential();
        if (expandRatio != 1) layers.Append(MobileNetV2.ConvBnReLU6(inp, hidden, 1, 1, 1, generator));
        layers.Append(MobileNetV2.ConvBnReLU6(hidden, hidden, 3, stride, hidden, generator));
        layers.Append(new Conv2d(hidden, oup, 1, bias: false, generator: generator));
        layers.Append(new BatchNorm2d(oup));
        Conv = RegisterModule("conv", layers);
    }

    /// <summary>Whether the block adds its input to its output.</summary>
    public bool UsesResidual { get; }

    /// <summary>The block's layers in torchvision's order.</summary>
    public Sequential Conv { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => UsesResidual ? input + Conv.Forward(input) : Conv.Forward(input);
}

/// <summary>torchvision's <c>MobileNetV2</c> (width 1.0): "features" (a stride-2 3×3 stem, 17 inverted residual blocks,
/// a 1×1 convolution to 1280 channels), adaptive average pooling to 1×1, and "classifier" (dropout 0.2, linear).</summary>
public sealed class MobileNetV2 : Module
{
    // (expansion t, output channels c, repeats n, first stride s), as in the paper's table 2 and torchvision.
    private static readonly (int T, int C, int N, int S)[] s_settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    /// <summary>A MobileNetV2 for <paramref name="inChannels"/>-channel images and <paramref name="numClasses"/> classes.</summary>
    public MobileNetV2(int numClasses = 1000, int inChannels = 3, float dropout = 0.2f, Generator? generator = null)
    {
        var features = new Sequential(ConvBnReLU6(inChannels, 32, 3, 2, 1, generator));
        int input = 32;
        foreach (var (t, c, n, s) in s_settings)
            for (int i = 0; i < n; i++)
            {
                features.Append(new InvertedResidual(input, c, i == 0 ? s : 1, t, generator));
                input = c;
            }
        features.Append(ConvBnReLU6(input, 1280, 1, 1, 1, generator));
        Features = RegisterModule("features", features);
        Pool = new AdaptiveAvgPool2d(1);
        Classifier = RegisterModule("classifier", new Sequential(new Dropout(dropout, generator), new Linear(1280, numClasses, generator: generator)));
    }

    /// <summary>The convolutional trunk.</summary>
    public Sequential Features { get; }

    /// <summary>Dropout and the linear classifier.</summary>
    public Sequential Classifier { get; }

    private AdaptiveAvgPool2d Pool { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Classifier.Forward(Pool.Forward(Features.Forward(input)).Flatten(1));

    /// <summary>torchvision's <c>Conv2dNormActivation</c> with ReLU6: a bias-free convolution padded to keep the size
    /// (per stride), batch norm, ReLU6.</summary>
    internal static Sequential ConvBnReLU6(int inp, int oup, int kernel, int stride, int groups, Generator? generator) => new(
        new Conv2d(inp, oup, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false, generator: generator),
        new BatchNorm2d(oup), new ReLU6());
}

/// <summary>torchvision's <c>VGG</c> with batch norm: "features" (3×3 convolutions, each with batch norm and ReLU,
/// and 2×2 max pools), adaptive average pooling to 7×7, and "classifier" (two 4096-wide linear layers with ReLU and
/// dropout, then the output layer).</summary>
public sealed class Vgg : Module
{
    /// <summary>A VGG whose feature layers follow <paramref name="config"/>: a channel count is a convolution, 0 a max pool.</summary>
    public Vgg(int[] config, int numClasses = 1000, int inChannels = 3, float dropout = 0.5f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var features = new Sequential();
        int c = inChannels;
        foreach (int v in config)
        {
            if (v == 0)
            {
                features.Append(new MaxPool2d(2, stride: 2));
                continue;
            }
            features.Append(new Conv2d(c, v, 3, padding: 1, generator: generator));
            features.Append(new BatchNorm2d(v));
            features.Append(new ReLU());
            c = v;
        }
        Features = RegisterModule("features", features);
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(7));
        Classifier = RegisterModule("classifier", new Sequential(
            new Linear(c * 7 * 7, 4096, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(4096, 4096, generator: generator), new ReLU(), new Dropout(dropout, generator),
            new Linear(4096, numClasses, generator: generator)));
    }

    /// <summary>The convolutional trunk.</summary>
    public Sequential Features { get; }

    /// <summary>Adaptive average pooling to 7×7.</summary>
    public AdaptiveAvgPool2d AvgPool { get; }

    /// <summary>The three linear layers.</summary>
    public Sequential Classifier { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Classifier.Forward(AvgPool.Forward(Features.Forward(input)).Flatten(1));
}
