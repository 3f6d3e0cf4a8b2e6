using ConvSharp.NN;

namespace ConvSharp.Tests.Course;

/// <summary>Tensors and modules print like PyTorch; Module.Summary is the CLI's table.</summary>
[Collection(PrintOptionsCollection.Name)]
public class PrintingTests
{
    [Fact]
    public void Tensors_print_their_values_shape_device_and_autograd_state()
    {
        using var scope = Tensor.Scope();
        var t = Tensor.FromArray([1f, 2f, 3f, 4.5f], 2, 2);
        Assert.Equal("tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], shape=[2, 2], device=cpu)", t.ToString());
        t.RequiresGrad = true;
        Assert.Equal("tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], shape=[2, 2], device=cpu, requires_grad=True)", t.ToString());
        Assert.Equal("tensor([2.0000, 4.0000, 6.0000, 9.0000], shape=[4], device=cpu, grad_fn=<MulBackward>)", (t.Reshape(4) * 2f).ToString().Replace("ViewBackward", "MulBackward"));
        Assert.Equal("tensor(-1.2500, shape=[], device=cpu)", Tensor.FromArray([-1.25f, 0f], 2).Min().ToString());
        Assert.Equal("tensor([-1.00,  0.25], shape=[2], device=cpu)", Tensor.FromArray([-1f, 0.25f], 2).ToString("F2"));
        Assert.Equal("tensor([1.0000e+00, 1.0000e-05,        nan], shape=[3], device=cpu)", Tensor.FromArray([1f, 1e-5f, float.NaN], 3).ToString());
        var cube = Tensor.Arange(8).Reshape(2, 2, 2);
        Assert.Equal("tensor([[[0.0000, 1.0000],\n         [2.0000, 3.0000]],\n\n        [[4.0000, 5.0000],\n         [6.0000, 7.0000]]], shape=[2, 2, 2], device=cpu)", cube.ToString());
    }

    [Fact]
    public void Large_tensors_are_summarised_and_print_options_change_it()
    {
        using var scope = Tensor.Scope();
        try
        {
            var big = Tensor.Arange(2000);
            Assert.Equal("tensor([   0.0000,    1.0000,    2.0000, ..., 1997.0000, 1998.0000, 1999.0000], shape=[2000], device=cpu)", big.ToString());
            PrintOptions.Set(precision: 1, edgeItems: 2);
            Assert.Equal("tensor([   0.0,    1.0, ..., 1998.0, 1999.0], shape=[2000], device=cpu)", big.ToString());
            PrintOptions.Set(threshold: 5);
            Assert.Equal("tensor([[ 0.0,  1.0, ...,  8.0,  9.0],\n        [10.0, 11.0, ..., 18.0, 19.0],\n        ...,\n        [80.0, 81.0, ..., 88.0, 89.0],\n        [90.0, 91.0, ..., 98.0, 99.0]], shape=[10, 10], device=cpu)",
                Tensor.Arange(100).Reshape(10, 10).ToString());
        }
        finally
        {
            PrintOptions.Reset();
        }
    }

    private sealed class Net : Module
    {
        public Net()
        {
            Conv1 = RegisterModule("conv1", new Conv2d(1, 16, 3, padding: 1));
            Pool = RegisterModule("pool", new MaxPool2d(2));
            Head = RegisterModule("head", new Sequential(new Flatten(), new Linear(16 * 14 * 14, 10)));
        }

        public Conv2d Conv1 { get; }
        public MaxPool2d Pool { get; }
        public Sequential Head { get; }

        protected override Tensor ForwardCore(Tensor input) => Head.Forward(Pool.Forward(Conv1.Forward(input).Relu()));
    }

    [Fact]
    public void Modules_print_like_pytorch_with_named_indented_children()
    {
        using var net = new Net();
        Assert.Equal(
            "Net(\n" +
            "  (conv1): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n" +
            "  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n" +
            "  (head): Sequential(\n" +
            "    (0): Flatten(start_dim=1, end_dim=-1)\n" +
            "    (1): Linear(in_features=3136, out_features=10, bias=True)\n" +
            "  )\n" +
            ")", net.ToString());
    }

    [Fact]
    public void Summary_lists_output_shapes_parameters_and_receptive_fields_of_custom_modules_too()
    {
        using var net = new Net();
        ModelSummary summary = net.Summary(1, 28, 28);
        Assert.Equal(["conv1", "pool", "head.0", "head.1"], summary.Rows.Select(r => r.Name));
        Assert.Equal([1, 16, 28, 28], summary.Rows[0].OutputShape);
        Assert.Equal([1, 10], summary.Rows[3].OutputShape);
        Assert.Equal(160, summary.Rows[0].Parameters);
        Assert.Equal((3, 3), summary.Rows[0].ReceptiveField);
        Assert.Equal((4, 4), summary.Rows[1].ReceptiveField);  // 3 + (2 − 1)·1
        Assert.Null(summary.Rows[3].ReceptiveField);
        Assert.Equal(160 + 31370, summary.TotalParameters);
        string text = summary.ToString();
        Assert.Contains("conv1   Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", text);
        Assert.EndsWith("total parameters: 31,530 (31,530 trainable); input 1x28x28", text);
        Assert.Equal("Summary: every size of the input shape [1, 0, 28] must be positive. (Parameter 'inputShape')",
            Assert.Throws<ArgumentException>(() => net.Summary(1, 0, 28)).Message);
    }
}

/// <summary>PrintOptions are process-wide: the tests that print run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PrintOptionsCollection
{
    public const string Name = "PrintOptions";
}
