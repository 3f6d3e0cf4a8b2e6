using ConvSharp.NN;

namespace ConvSharp.Tests.Models;

/// <summary>The Models constructors against torchvision: parameter counts and state_dict keys (counted from
/// torchvision's definitions: resnet18 has 122 state_dict entries, mobilenet_v2 314, vgg11_bn 62), forward and
/// backward at CIFAR and ImageNet sizes, and the architecture string that travels with the weights.</summary>
public class ModelsTests
{
    [Fact]
    public void Parameter_counts_equal_torchvisions_for_1000_classes()
    {
        using (var r = ConvSharp.Models.ResNet18()) Assert.Equal(11_689_512, r.ParameterCount());
        using (var m = ConvSharp.Models.MobileNetV2()) Assert.Equal(3_504_872, m.ParameterCount());
        using (var v = ConvSharp.Models.Vgg11Bn()) Assert.Equal(132_868_840, v.ParameterCount());
        using (var c = ConvSharp.Models.MnistCnn()) Assert.Equal(29_066, c.ParameterCount());
        using (var l = ConvSharp.Models.LeNet5()) Assert.Equal(61_706, l.ParameterCount());
    }

    [Fact]
    public void State_dict_keys_follow_torchvision()
    {
        using var r = ConvSharp.Models.ResNet18(10);
        string[] keys = r.StateDict().Select(t => t.Name).ToArray();
        Assert.Equal(122, keys.Length);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight"], keys[..7]);
        Assert.Contains("layer2.0.downsample.0.weight", keys);
        Assert.Contains("layer4.1.bn2.running_var", keys);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", keys);  // same shape in layer1: no projection
        Assert.Equal(["fc.weight", "fc.bias"], keys[^2..]);
        Assert.Equal([10, 512], r.Fc.Weight.Shape);

        using var m = ConvSharp.Models.MobileNetV2();
        string[] mk = m.StateDict().Select(t => t.Name).ToArray();
        Assert.Equal(314, mk.Length);
        Assert.Contains("features.1.conv.0.0.weight", mk);  // t = 1: depthwise first
        Assert.Contains("features.1.conv.1.weight", mk);
        Assert.Contains("features.2.conv.0.0.weight", mk);  // t = 6: expansion first
        Assert.Contains("features.2.conv.3.running_mean", mk);
        Assert.Contains("features.18.1.weight", mk);
        Assert.Equal(["classifier.1.weight", "classifier.1.bias"], mk[^2..]);
        Assert.Equal([144, 1, 3, 3], m.StateDict().First(t => t.Name == "features.3.conv.1.0.weight").Tensor.Shape);  // depthwise

        using var v = ConvSharp.Models.Vgg11Bn(numClasses: 7);
        string[] vk = v.StateDict().Select(t => t.Name).ToArray();
        Assert.Equal(62, vk.Length);
        Assert.Equal(["features.0.weight", "features.0.bias", "features.1.weight"], vk[..3]);
        Assert.Contains("features.26.running_var", vk);  // the eighth batch norm
        Assert.Equal(["classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias", "classifier.6.weight", "classifier.6.bias"], vk[^6..]);
    }

    public static TheoryData<string, int, int> Sizes => new()
    {
        { "ResNet18", 32, 2 }, { "MobileNetV2", 32, 2 }, { "Vgg11Bn", 32, 2 },
        { "ResNet18", 224, 1 }, { "MobileNetV2", 224, 1 }, { "Vgg11Bn", 224, 1 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_and_backward_run_at_cifar_and_imagenet_sizes(string name, int size, int batch)
    {
        using var model = ConvSharp.Models.Create($"{name}(numClasses=10)", new Generator(1));
        using var scope = Tensor.Scope();
        var rng = new Random(size);
        var x = Tensor.FromArray(Enumerable.Range(0, batch * 3 * size * size).Select(_ => (float)rng.NextDouble()).ToArray(), batch, 3, size, size);
        var y = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => (float)(i % 10)).ToArray(), batch);
        var logits = model.Forward(x);
        Assert.Equal([batch, 10], logits.Shape);
        new CrossEntropyLoss().Forward(logits, y).Backward();
        bool anyNonZero = false;
        foreach (var (n, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name}: {n} has no gradient");
            // A plain loop: VGG's first linear layer alone has 102 million gradient values.
            foreach (float g in p.Grad!.AsSpan())
            {
                if (!float.IsFinite(g)) Assert.Fail($"{name}: {n} has a non-finite gradient ({g})");
                anyNonZero |= g != 0;
            }
        }
        Assert.True(anyNonZero, $"{name}: every gradient is zero");
    }

    [Fact]
    public void BasicBlock_adds_its_input_back()
    {
        // With the second convolution zeroed, the block's residual branch is bn2(0) = β = 0, so out = ReLU(x).
        using var block = new BasicBlock(4, 4, generator: new Generator(3));
        block.Eval();
        block.Conv2.Weight.CopyFrom(new float[block.Conv2.Weight.Numel]);
        using var scope = Tensor.Scope();
        var rng = new Random(2);
        float[] values = Enumerable.Range(0, 2 * 4 * 5 * 5).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] y;
        using (Autograd.NoGrad()) y = block.Forward(Tensor.FromArray(values, 2, 4, 5, 5)).ToArray();
        Assert.Equal(values.Select(v => Math.Max(v, 0f)).ToArray(), y);
        Assert.Null(block.Downsample);
        using var strided = new BasicBlock(4, 8, stride: 2);
        Assert.NotNull(strided.Downsample);
    }

    [Fact]
    public void The_architecture_travels_with_the_weights()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.safetensors");
        using var model = ConvSharp.Models.GapCnn(3, 5, pooling: Global.Mean, generator: new Generator(4));
        Assert.Equal("GapCnn(inChannels=3, numClasses=5, pooling=Mean)", model.Architecture);
        model.Save(path, new ModelInfo { Input = [3, 20, 20], Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f], Classes = ["a", "b", "c", "d", "e"] });

        ModelInfo info = ModelInfo.Read(path);
        Assert.Equal([3, 20, 20], info.Input!);
        Assert.Equal([0.25f, 0.25f, 0.25f], info.Std!);
        Assert.Equal(["a", "b", "c", "d", "e"], info.Classes);
        using var rebuilt = ConvSharp.Models.Create(info.Architecture!);
        rebuilt.Load(path);
        Assert.IsType<GlobalAvgPool2d>(((Sequential)rebuilt)[8]);
        Assert.Equal(model.StateDict().Select(t => t.Tensor.ToArray()), rebuilt.StateDict().Select(t => t.Tensor.ToArray()));

        Assert.Equal("Unknown architecture 'ResNet50'; the known ones are MnistCnn (mnist-cnn), GapCnn (gap-cnn), LeNet5 (lenet5), CifarCnn (cifar-cnn), ResNet18 (resnet18), Vgg11Bn (vgg11-bn), MobileNetV2 (mobilenet-v2). (Parameter 'architecture')",
            Assert.Throws<ArgumentException>(() => ConvSharp.Models.Create("ResNet50")).Message);
        Assert.StartsWith("Architecture 'MnistCnn(depth=3)': unknown argument 'depth'",
            Assert.Throws<ArgumentException>(() => ConvSharp.Models.Create("MnistCnn(depth=3)")).Message);
        Assert.StartsWith("Architecture 'GapCnn(pooling=Median)': pooling=Median is not one of Max, Mean.",
            Assert.Throws<ArgumentException>(() => ConvSharp.Models.Create("GapCnn(pooling=Median)")).Message);
        Assert.StartsWith("ModelInfo.Std must be positive and finite, but is [0].",
            Assert.Throws<ArgumentException>(() => model.Save(path, new ModelInfo { Std = [0f] })).Message);
        Assert.StartsWith("MnistCnn needs inputs of at least 8x8, but got 4x28.",
            Assert.Throws<ArgumentOutOfRangeException>(() => ConvSharp.Models.MnistCnn(height: 4)).Message);
    }
}
