using ConvSharp.NN;

namespace ConvSharp.Tests.NN;

/// <summary>The pooling modules: PyTorch's repr, the same values as the ops they wrap, checks at construction,
/// and fractional pooling reproducible from a seeded generator.</summary>
public class PoolingModuleTests
{
    [Fact]
    public void Modules_print_like_PyTorch()
    {
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("MaxPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0), dilation=2, ceil_mode=True)",
            new MaxPool2d((3, 2), 1, (1, 0), 2, ceilMode: true).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).ToString());
        Assert.Equal("LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)", new LPPool2d(2, 3).ToString());
        Assert.Equal("LPPool2d(norm_type=1.5, kernel_size=(2, 3), stride=(1, 2), ceil_mode=True)",
            new LPPool2d(1.5f, (2, 3), (1, 2), ceilMode: true).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).ToString());
        Assert.Equal("AdaptiveMaxPool2d(output_size=(5, 7))", new AdaptiveMaxPool2d((5, 7)).ToString());
        Assert.Equal("FractionalMaxPool2d(kernel_size=3, output_size=(13, 12))", new FractionalMaxPool2d(3, outputSize: (13, 12)).ToString());
        Assert.Equal("FractionalMaxPool2d(kernel_size=2, output_ratio=(0.5, 0.75))", new FractionalMaxPool2d(2, outputRatio: (0.5, 0.75)).ToString());
        Assert.Equal("GlobalAvgPool2d(keepdim=False)", new GlobalAvgPool2d().ToString());
        Assert.Equal("GlobalMaxPool2d(keepdim=True)", new GlobalMaxPool2d(keepDim: true).ToString());
    }

    [Fact]
    public void Modules_compute_what_the_ops_compute_and_have_no_parameters()
    {
        using var x = Tensor.Randn([2, 3, 11, 10], seed: 1);
        (Module Module, Func<Tensor, Tensor> Op)[] cases =
        [
            (new MaxPool2d(3, 2, 1, ceilMode: true), t => t.MaxPool2d(3, 2, 1, ceilMode: true)),
            (new AvgPool2d((3, 2), (2, 1), (1, 0), countIncludePad: false), t => t.AvgPool2d((3, 2), (2, 1), (1, 0), countIncludePad: false)),
            (new LPPool2d(3, 2), t => t.LPPool2d(3, 2)),
            (new AdaptiveAvgPool2d((3, 4)), t => t.AdaptiveAvgPool2d((3, 4))),
            (new AdaptiveMaxPool2d(5), t => t.AdaptiveMaxPool2d(5)),
            (new GlobalAvgPool2d(), t => Tensor.GlobalAvgPool2d(t)),
            (new GlobalMaxPool2d(keepDim: true), t => Tensor.GlobalMaxPool2d(t, keepDim: true)),
        ];
        foreach (var (module, op) in cases)
        {
            using var a = module.Forward(x);
            using var b = op(x);
            Assert.Equal(b.Shape, a.Shape);
            Assert.Equal(b.ToArray(), a.ToArray());
            Assert.Equal(0, module.ParameterCount());
        }
    }

    [Fact]
    public void A_pooling_stack_gives_PyTorch_shapes()
    {
        // Like the tour's network: three 2x2 pools take 28 to 14, 7, 3; a global pool ends at [N, C].
        var model = new Sequential(new MaxPool2d(2), new AvgPool2d(2, ceilMode: true), new MaxPool2d(2), new GlobalAvgPool2d());
        using var x = Tensor.Randn([4, 16, 28, 28], seed: 2);
        var shapes = new List<int[]>();
        foreach (Module m in model.Children()) m.RegisterForwardHook((_, _, y) => shapes.Add(y.Shape));
        using var y = model.Forward(x);
        Assert.Equal([[4, 16, 14, 14], [4, 16, 7, 7], [4, 16, 3, 3], [4, 16]], shapes);
        Assert.Equal([4, 16], y.Shape);
    }

    [Fact]
    public void Fractional_pooling_is_reproducible_from_a_seed_and_draws_new_regions_each_forward()
    {
        using var x = Tensor.Randn([2, 3, 15, 15], seed: 3);
        var a = new FractionalMaxPool2d(2, outputSize: 7, generator: new Generator(5));
        var b = new FractionalMaxPool2d(2, outputSize: 7, generator: new Generator(5));
        using var a1 = a.Forward(x);
        using var a2 = a.Forward(x);
        using var b1 = b.Forward(x);
        using var b2 = b.Forward(x);
        Assert.Equal(a1.ToArray(), b1.ToArray());
        Assert.Equal(a2.ToArray(), b2.ToArray());
        Assert.NotEqual(a1.ToArray(), a2.ToArray());

        var ratio = new FractionalMaxPool2d(3, outputRatio: (0.5, 0.7));
        using var r = ratio.Forward(x);
        Assert.Equal([2, 3, 7, 10], r.Shape);  // ⌊15·0.5⌋, ⌊15·0.7⌋
    }

    [Fact]
    public void Modules_check_their_arguments_when_built()
    {
        Assert.Equal("MaxPool2d: padding must be at most half of the kernel size, but got padding 2 for kernel size 3. (Parameter 'padding')",
            Assert.Throws<ArgumentException>(() => new MaxPool2d(3, padding: 2)).Message);
        Assert.Equal("MaxPool2d: kernel size must be at least 1, but got (2, 0). (Parameter 'kernelSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d((2, 0))).Message);
        Assert.Equal("AvgPool2d: stride must be at least 1, but got -1. (Parameter 'stride')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool2d(2, -1)).Message);
        Assert.Equal("AvgPool2d: divisor override must not be 0. (Parameter 'divisorOverride')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool2d(2, divisorOverride: 0)).Message);
        Assert.Equal("LPPool2d: norm type must be a positive, finite number, but got -1. (Parameter 'normType')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new LPPool2d(-1, 2)).Message);
        Assert.Equal("AdaptiveAvgPool2d: output size must be at least 1, but got 0. (Parameter 'outputSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAvgPool2d(0)).Message);
        Assert.Equal("AdaptiveMaxPool2d: output size must be at least 1, but got (3, 0). (Parameter 'outputSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveMaxPool2d((3, 0))).Message);
        Assert.Equal("FractionalMaxPool2d needs either an output size or an output ratio, not neither. (Parameter 'outputSize')",
            Assert.Throws<ArgumentException>(() => new FractionalMaxPool2d(2)).Message);
        Assert.Equal("FractionalMaxPool2d needs either an output size or an output ratio, not both. (Parameter 'outputSize')",
            Assert.Throws<ArgumentException>(() => new FractionalMaxPool2d(2, 3, (0.5, 0.5))).Message);
        Assert.Equal("FractionalMaxPool2d: output ratio must lie in (0, 1), but got (0.5, 1). (Parameter 'outputRatio')",
            Assert.Throws<ArgumentOutOfRangeException>(() => new FractionalMaxPool2d(2, outputRatio: (0.5, 1.0))).Message);

        using var small = Tensor.Zeros(1, 1, 3, 3);
        Assert.Equal("FractionalMaxPool2d: output ratio (0.2, 0.5) of an input 3x3 gives an output of 0x1; each side must be at least 1. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => new FractionalMaxPool2d(1, outputRatio: (0.2, 0.5)).Forward(small)).Message);
    }
}
