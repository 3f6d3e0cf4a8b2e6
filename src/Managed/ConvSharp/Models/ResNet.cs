namespace ConvSharp.NN;

/// <summary>torchvision's <c>BasicBlock</c>: two 3×3 convolutions with batch norm, and the residual add of the
/// block's input (through a 1×1 convolution and batch norm, "downsample", when the shape changes). A module that is
/// not a Sequential: its forward adds two paths, so it registers its children and writes ForwardCore itself.</summary>
public sealed class BasicBlock : Module
{
    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels with the first convolution's <paramref name="stride"/>.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(planes));
        Relu = RegisterModule("relu", new ReLU());
        Conv2 = RegisterModule("conv2", new Conv2d(planes, planes, 3, padding: 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(planes));
        if (stride != 1 || inPlanes != planes)
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inPlanes, planes, 1, stride: stride, bias: false, generator: generator), new BatchNorm2d(planes)));
    }

    /// <summary>The first 3×3 convolution (it carries the block's stride).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after <see cref="Conv1"/>.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>The ReLU used after each batch norm and after the add.</summary>
    public ReLU Relu { get; }

    /// <summary>The second 3×3 convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after <see cref="Conv2"/>.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>The 1×1 convolution + batch norm that brings the input to the output's shape, or null when the shapes already match.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        Tensor y = Relu.Forward(Bn1.Forward(Conv1.Forward(input)));
        y = Bn2.Forward(Conv2.Forward(y));
        Tensor identity = Downsample is null ? input : Downsample.Forward(input);
        return Relu.Forward(y + identity);
    }
}

/// <summary>torchvision's <c>ResNet</c> with <see cref="BasicBlock"/>s: a 7×7 stride-2 stem with batch norm, ReLU and
/// 3×3 max pooling, four stages ("layer1".."layer4", 64 to 512 channels, stages 2–4 halving the size), adaptive
/// average pooling to 1×1 and a linear layer "fc". The state_dict names are torchvision's, so its weights load by name.</summary>
public sealed class ResNet : Module
{
    /// <summary>A ResNet with <paramref name="layers"/>[i] blocks in stage i ([2, 2, 2, 2] is ResNet-18).</summary>
    public ResNet(int[] layers, int numClasses = 1000, int inChannels = 3, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length != 4 || layers.Any(n => n < 1))
            throw new ArgumentException($"ResNet needs four stages of at least one block, but got [{string.Join(", ", layers)}].", nameof(layers));
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        Relu = RegisterModule("relu", new ReLU());
        MaxPool = RegisterModule("maxpool", new MaxPool2d(3, stride: 2, padding: 1));
        int inPlanes = 64;
        var stages = new Sequential[4];
        for (int s = 0; s < 4; s++)
        {
            int planes = 64 << s;
            var stage = new Sequential();
            for (int b = 0; b < layers[s]; b++)
            {
                stage.Append(new BasicBlock(inPlanes, planes, b == 0 && s > 0 ? 2 : 1, generator));
                inPlanes = planes;
            }
            stages[s] = RegisterModule($"layer{s + 1}", stage);
        }
        Layers = stages;
        AvgPool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1));
        Fc = RegisterModule("fc", new Linear(512, numClasses, generator: generator));
    }

    /// <summary>The stem's 7×7 stride-2 convolution.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>The stem's batch norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>The stem's ReLU.</summary>
    public ReLU Relu { get; }

    /// <summary>The stem's 3×3 stride-2 max pooling.</summary>
    public MaxPool2d MaxPool { get; }

    /// <summary>The four stages, layer1 to layer4.</summary>
    public IReadOnlyList<Sequential> Layers { get; }

    /// <summary>Adaptive average pooling to 1×1.</summary>
    public AdaptiveAvgPool2d AvgPool { get; }

    /// <summary>The classifier.</summary>
    public Linear Fc { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        Tensor x = MaxPool.Forward(Relu.Forward(Bn1.Forward(Conv1.Forward(input))));
        foreach (Sequential stage in Layers) x = stage.Forward(x);
        return Fc.Forward(AvgPool.Forward(x).Flatten(1));
    }
}
