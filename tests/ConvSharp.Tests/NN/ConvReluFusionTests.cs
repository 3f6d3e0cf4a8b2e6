using ConvSharp.NN;

namespace ConvSharp.Tests.NN;

/// <summary>Sequential runs a Conv2d directly followed by ReLU as one op (the ReLU in the convolution's epilogue, the
/// backward masking its gradient by the fused output): the same forward values and gradients as the two ops run one
/// after the other, in training and in eval mode; a hook on either layer keeps them apart.</summary>
public class ConvReluFusionTests
{
    internal static Sequential Net(int seed) => new(
        new Conv2d(3, 8, 3, stride: 2, padding: 1, generator: new Generator(seed)), new ReLU(),
        new Conv2d(8, 6, 3, padding: 1, groups: 2, generator: new Generator(seed + 1)), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(6 * 4 * 4, 5, generator: new Generator(seed + 2)));

    /// <summary>The same network's layers run one by one through Module.Forward (no fusion).</summary>
    internal static Tensor Unfused(Sequential net, Tensor x)
    {
        foreach (Module m in net.Children()) x = m.Forward(x);
        return x;
    }

    internal static (float[] Output, float[][] Grads, float[] InputGrad) Run(Sequential net, Tensor x, bool fused)
    {
        foreach (var p in net.Parameters()) p.Grad = null;
        x.Grad = null;
        Tensor y = fused ? net.Forward(x) : Unfused(net, x);
        y.Pow(2f).Sum().Backward();
        return (y.ToArray(), net.Parameters().Select(p => p.Grad!.ToArray()).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void A_fused_conv_and_relu_give_the_two_ops_values_and_gradients_bit_for_bit_on_the_cpu()
    {
        using var net = Net(1);
        using var scope = Tensor.Scope();
        var x = Tensor.Rand([2, 3, 16, 16], seed: 3) - 0.5f;
        x.RequiresGrad = true;
        var fused = Run(net, x, fused: true);
        var twoOps = Run(net, x, fused: false);
        Assert.Contains(fused.Output, v => v != 0f);
        Assert.Equal(twoOps.Output, fused.Output);
        Assert.Equal(twoOps.InputGrad, fused.InputGrad);
        for (int i = 0; i < fused.Grads.Length; i++) Assert.Equal(twoOps.Grads[i], fused.Grads[i]);
        Assert.Contains(fused.InputGrad, v => v != 0f);
    }

    [Fact]
    public void In_eval_mode_the_fused_forward_equals_the_two_ops()
    {
        using var net = Net(5);
        net.Eval();
        using var scope = Tensor.Scope();
        using var noGrad = Autograd.NoGrad();
        var x = Tensor.Rand([3, 3, 16, 16], seed: 4) - 0.5f;
        Assert.Equal(Unfused(net, x).ToArray(), net.Forward(x).ToArray());
    }

    [Fact]
    public void The_fused_op_records_one_node_and_a_hook_on_the_convolution_keeps_the_two_ops_apart()
    {
        using var net = Net(7);
        using var scope = Tensor.Scope();
        var x = Tensor.Rand([1, 3, 16, 16], seed: 5) - 0.5f;
        Tensor first = new Sequential(net[0], net[1]).Forward(x);
        Assert.Equal("Conv2dReLUBackward", first.GradFn!.Name);
        Tensor? seen = null;
        using var hook = net[0].RegisterForwardHook((_, _, output) => seen = output);
        Tensor separate = new Sequential(net[0], net[1]).Forward(x);
        Assert.NotNull(seen);
        Assert.Contains(seen!.ToArray(), v => v < 0f);   // the hook saw the convolution's own output, negatives included
        Assert.Equal("ReluBackward", separate.GradFn!.Name);
        Assert.Equal(first.ToArray(), separate.ToArray());
    }
}
