using ConvSharp.NN;

namespace ConvSharp.Onnx.Tests;

/// <summary>The networks the tests export: the CLI presets rebuilt here (the 29,066-parameter network, LeNet-5,
/// cifar-cnn), a ResNet-style residual block and a MobileNet-style depthwise-separable block.</summary>
internal static class Models
{
    internal static Sequential MnistCnn(long seed = 1)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Conv2d(1, 16, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10, generator: g));
    }

    internal static Sequential LeNet5(long seed = 2)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Conv2d(1, 6, 5, padding: 2, generator: g), new Tanh(), new AvgPool2d(2),
            new Conv2d(6, 16, 5, generator: g), new Tanh(), new AvgPool2d(2),
            new Conv2d(16, 120, 5, generator: g), new Tanh(),
            new Flatten(), new Linear(120, 84, generator: g), new Tanh(), new Linear(84, 10, generator: g));
    }

    internal static Sequential CifarCnn(long seed = 3)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Conv2d(3, 32, 3, padding: 1, generator: g), new ReLU(),
            new Conv2d(32, 32, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1, generator: g), new ReLU(),
            new Conv2d(64, 64, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 8 * 8, 10, generator: g));
    }

    /// <summary>conv-BN-ReLU-conv-BN, plus a 1×1 strided projection of the input, added, ReLU; then global pooling and
    /// a classifier. Batch-norm statistics are trained first so that evaluation mode is not the identity.</summary>
    internal static Module ResNetBlock(long seed = 4)
    {
        var g = new Generator(seed);
        var block = new Lambda((m, x) =>
        {
            Tensor main = m.Child("bn2").Forward(m.Child("conv2").Forward(m.Child("bn1").Forward(m.Child("conv1").Forward(x)).Relu()));
            Tensor shortcut = m.Child("down").Forward(x);
            return (main + shortcut).Relu();
        },
        ("conv1", new Conv2d(8, 16, 3, stride: 2, padding: 1, bias: false, generator: g)), ("bn1", new BatchNorm2d(16)),
        ("conv2", new Conv2d(16, 16, 3, padding: 1, bias: false, generator: g)), ("bn2", new BatchNorm2d(16)),
        ("down", new Sequential(new Conv2d(8, 16, 1, stride: 2, bias: false, generator: g), new BatchNorm2d(16))));
        var model = new Sequential(new Conv2d(3, 8, 3, padding: 1, generator: g), new BatchNorm2d(8), new ReLU(), block,
            new GlobalAvgPool2d(), new Linear(16, 10, generator: g));
        WarmBatchNorm(model, [4, 3, 16, 16]);
        return model;
    }

    /// <summary>Depthwise 3×3 (groups = channels) - BN - ReLU6-like clamp, pointwise 1×1 - BN - ReLU, concatenated
    /// with the block's input, adaptive pooling to 1×1, flatten, linear.</summary>
    internal static Module MobileNetBlock(long seed = 5)
    {
        var g = new Generator(seed);
        var block = new Lambda((m, x) =>
        {
            Tensor dw = m.Child("bn_dw").Forward(m.Child("dw").Forward(x)).Clamp(0f, 6f);
            Tensor pw = m.Child("bn_pw").Forward(m.Child("pw").Forward(dw)).Relu();
            return Tensor.Cat([x, pw], 1);
        },
        ("dw", new Conv2d(8, 8, 3, padding: 1, groups: 8, bias: false, generator: g)), ("bn_dw", new BatchNorm2d(8)),
        ("pw", new Conv2d(8, 16, 1, bias: false, generator: g)), ("bn_pw", new BatchNorm2d(16)));
        var model = new Sequential(new Conv2d(3, 8, 3, stride: 2, padding: 1, generator: g), block,
            new AdaptiveAvgPool2d(1), new Flatten(), new Linear(24, 10, generator: g));
        WarmBatchNorm(model, [4, 3, 16, 16]);
        return model;
    }

    /// <summary>A few training-mode forwards so the running statistics move away from (0, 1).</summary>
    internal static void WarmBatchNorm(Module model, int[] shape)
    {
        model.Train();
        for (int i = 0; i < 3; i++)
        {
            using var scope = Tensor.Scope();
            using var noGrad = Autograd.NoGrad();
            using var x = Tensor.Randn(shape, 100 + i);
            model.Forward(x * 2f + 0.5f);
        }
        model.Eval();
    }
}
