using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Reliability;

/// <summary>A disposed tensor given to any op, as either operand, is an ObjectDisposedException naming
/// its shape; nothing reads returned (and maybe re-rented) storage.</summary>
public class DisposedTensorTests
{
    private static readonly (string Name, Action<Tensor, Tensor> Call)[] s_ops =
    [
        ("Add", (d, x) => _ = d + x), ("Add (right)", (d, x) => _ = x + d), ("Sub", (d, x) => _ = d - x), ("Mul", (d, x) => _ = x * d),
        ("Div", (d, x) => _ = d / x), ("Add scalar", (d, _) => _ = d + 1f), ("Maximum", (d, x) => Tensor.Maximum(x, d)), ("Minimum", (d, x) => Tensor.Minimum(d, x)),
        ("Pow tensor", (d, x) => Tensor.Pow(x, d)), ("Pow", (d, _) => d.Pow(2f)), ("Neg", (d, _) => d.Neg()), ("Exp", (d, _) => d.Exp()), ("Log", (d, _) => d.Log()),
        ("Sqrt", (d, _) => d.Sqrt()), ("Abs", (d, _) => d.Abs()), ("Clamp", (d, _) => d.Clamp(0f, 1f)), ("Relu", (d, _) => d.Relu()),
        ("LeakyRelu", (d, _) => d.LeakyRelu()), ("Elu", (d, _) => d.Elu()), ("Gelu", (d, _) => d.Gelu()), ("Sigmoid", (d, _) => d.Sigmoid()), ("Tanh", (d, _) => d.Tanh()),
        ("Softmax", (d, _) => d.Softmax(1)), ("LogSoftmax", (d, _) => d.LogSoftmax(1)), ("Sum", (d, _) => d.Sum()), ("Sum dim", (d, _) => d.Sum(1)),
        ("Mean", (d, _) => d.Mean()), ("Max", (d, _) => d.Max()), ("ArgMax", (d, _) => d.ArgMax(1)), ("Reshape", (d, _) => d.Reshape(-1)),
        ("View", (d, _) => d.View(2, -1)), ("Flatten", (d, _) => d.Flatten()), ("Squeeze", (d, _) => d.Squeeze(0)), ("Unsqueeze", (d, _) => d.Unsqueeze(0)),
        ("Permute", (d, _) => d.Permute(0, 2, 3, 1)), ("Transpose", (d, _) => d.Transpose(2, 3)), ("Slice", (d, _) => d.Slice(1, 0, 2)), ("Narrow", (d, _) => d.Narrow(1, 0, 2)),
        ("Cat", (d, x) => Tensor.Cat([x, d])), ("Stack", (d, x) => Tensor.Stack([d, x])), ("Pad", (d, _) => d.Pad(1, 1, 1, 1)),
        ("MatMul", (d, x) => x.Reshape(6, 16).MatMul(d.Reshape(16, 6))), ("Linear", (d, _) => Tensor.Linear(d.Reshape(6, 16), Tensor.Ones(5, 16))),
        ("Conv2d input", (d, _) => Tensor.Conv2d(d, Tensor.Ones(2, 3, 3, 3))), ("Conv2d weight", (d, x) => Tensor.Conv2d(x, d)),
        ("ConvTranspose2d", (d, _) => Tensor.ConvTranspose2d(d, Tensor.Ones(3, 2, 3, 3))), ("MaxPool2d", (d, _) => d.MaxPool2d(2)),
        ("AvgPool2d", (d, _) => d.AvgPool2d(2)), ("LPPool2d", (d, _) => d.LPPool2d(2f, 2)), ("AdaptiveAvgPool2d", (d, _) => d.AdaptiveAvgPool2d(1)),
        ("AdaptiveMaxPool2d", (d, _) => d.AdaptiveMaxPool2d(1)), ("GlobalAvgPool2d", (d, _) => Tensor.GlobalAvgPool2d(d)),
        ("Upsample", (d, _) => d.Upsample(2.0)), ("Dropout", (d, _) => d.Dropout(0.5f)), ("Dropout2d", (d, _) => d.Dropout2d(0.5f)),
        ("BatchNorm", (d, _) => Tensor.BatchNorm(d, null, null, training: true)),
        ("CrossEntropy input", (d, _) => Tensor.CrossEntropy(d.Reshape(2, 48), Tensor.Zeros(2))), ("CrossEntropy target", (d, x) => Tensor.CrossEntropy(x.Reshape(6, 16), d.Reshape(6, 16))),
        ("MseLoss", (d, x) => Tensor.MseLoss(d, x)), ("L1Loss", (d, x) => Tensor.L1Loss(x, d)), ("BinaryCrossEntropyWithLogits", (d, x) => Tensor.BinaryCrossEntropyWithLogits(d, x)),
        ("Detach", (d, _) => d.Detach()), ("ToArray", (d, _) => d.ToArray()), ("Item", (d, _) => d.Item()), ("To (same device)", (d, _) => d.To(Device.Cpu)),
        ("CopyFrom", (d, _) => d.CopyFrom(new float[96])), ("Backward", (d, _) => d.Backward()),
        ("Module.Forward", (d, _) => new Conv2d(3, 2, 3).Forward(d)), ("Sequential.Forward", (d, _) => new Sequential(new ReLU(), new Flatten()).Forward(d)),
    ];

    public static TheoryData<string> Ops() => [.. s_ops.Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_op_refuses_a_disposed_tensor(string op)
    {
        using var scope = Tensor.Scope();
        var disposed = Tensor.Rand([2, 3, 4, 4], seed: 1);
        disposed.Dispose();
        var live = Tensor.Rand([2, 3, 4, 4], seed: 2);
        var e = Assert.Throws<ObjectDisposedException>(() => s_ops.Single(o => o.Name == op).Call(disposed, live));
        Assert.Contains("This tensor of shape [2, 3, 4, 4] was disposed.", e.Message);
    }

    [Fact]
    public void An_optimizer_step_over_a_disposed_parameter_is_refused()
    {
        var layer = new Linear(2, 2);
        using var opt = new Sgd(layer.Parameters(), lr: 0.1f);
        using (Tensor.Scope()) layer.Forward(Tensor.Ones(1, 2)).Sum().Backward();  // the weight has a gradient to apply
        layer.Weight.Dispose();
        Assert.Throws<ObjectDisposedException>(() => opt.Step());
        Assert.Throws<ObjectDisposedException>(() => layer.Save(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
    }
}
