namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Every op, forward and backward, through the public API on OpenCL against the same op on the CPU:
/// the same random inputs, the same random upstream gradient, outputs and input gradients within 1e-4
/// relative (OpenCLTest.AssertClose). Ops/ has no backend-specific code, so this checks the kernels as the
/// ops drive them (broadcast strides, reductions, scratch layouts).</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class OpParityTests
{
    /// <summary>One input: its shape, the range its random values come from, and whether it gets a gradient.</summary>
    private readonly record struct In(int[] Shape, float Low = -1f, float High = 1f, bool Grad = true, float[]? Values = null);

    private static In I(int[] shape, float low = -1f, float high = 1f, bool Grad = true, float[]? Values = null) => new(shape, low, high, Grad, Values);

    private static void Check(string name, Func<Tensor[], Tensor> op, params In[] inputs)
    {
        var rng = new Random(name.Aggregate(17, (h, c) => h * 31 + c));  // stable across runs (string.GetHashCode is not)
        float[][] values = inputs.Select(i => i.Values ?? OpenCLTest.Random(rng, i.Shape.Aggregate(1, (a, b) => a * b), i.Low, i.High)).ToArray();
        var (cpuOut, cpuGrads, w) = Run(Device.Cpu, op, inputs, values, null);
        var (oclOut, oclGrads, _) = Run(OpenCLTest.Device, op, inputs, values, w);
        OpenCLTest.AssertClose(cpuOut, oclOut, 1e-4, $"{name} forward");
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Grad) OpenCLTest.AssertClose(cpuGrads[i]!, oclGrads[i]!, 1e-4, $"{name} gradient {i}");
    }

    private static (float[] Output, float[]?[] Grads, float[] Upstream) Run(Device device, Func<Tensor[], Tensor> op, In[] inputs, float[][] values, float[]? upstream)
    {
        using var scope = Tensor.Scope();
        var tensors = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            tensors[i] = Tensor.FromArray(values[i], inputs[i].Shape).To(device);
            tensors[i].RequiresGrad = inputs[i].Grad;
        }
        Tensor output = op(tensors);
        Assert.Same(device, output.Device);
        upstream ??= OpenCLTest.Random(new Random(7), output.Numel);
        if (output.RequiresGrad) output.Backward(Tensor.FromArray(upstream, output.Shape).To(device));
        var grads = tensors.Select((t, i) => inputs[i].Grad ? t.Grad!.ToArray() : null).ToArray();
        return (output.ToArray(), grads, upstream);
    }

    [OpenCLFact]
    public void Binary_ops_with_broadcasting()
    {
        Check("Add", t => Tensor.Add(t[0], t[1]), I([2, 3, 4]), I([3, 1]));
        Check("Sub", t => Tensor.Sub(t[0], t[1]), I([4]), I([2, 3, 4]));
        Check("Mul", t => Tensor.Mul(t[0], t[1]), I([2, 1, 4]), I([1, 3, 1]));
        Check("Div", t => Tensor.Div(t[0], t[1]), I([2, 3, 4]), I([2, 3, 4], 0.5f, 2f));
        Check("Pow", t => Tensor.Pow(t[0], t[1]), I([3, 4], 0.2f, 2f), I([4], -1f, 2f));
        Check("Maximum", t => Tensor.Maximum(t[0], t[1]), I([3, 4]), I([3, 4]));
        Check("Minimum", t => Tensor.Minimum(t[0], t[1]), I([3, 4]), I([1, 4]));
    }

    [OpenCLFact]
    public void Unary_ops_and_activations()
    {
        Check("Neg", t => t[0].Neg(), I([5, 7]));
        Check("Exp", t => t[0].Exp(), I([5, 7]));
        Check("Log", t => t[0].Log(), I([5, 7], 0.1f, 3f));
        Check("Sqrt", t => t[0].Sqrt(), I([5, 7], 0.1f, 3f));
        Check("Abs", t => t[0].Abs(), I([5, 7]));
        Check("PowScalar", t => t[0].Pow(3f), I([5, 7]));
        Check("Clamp", t => t[0].Clamp(-0.5f, 0.3f), I([5, 7]));
        Check("Relu", t => t[0].Relu(), I([5, 7]));
        Check("LeakyRelu", t => t[0].LeakyRelu(0.1f), I([5, 7]));
        Check("Elu", t => t[0].Elu(0.8f), I([5, 7]));
        Check("Gelu", t => t[0].Gelu(), I([5, 7]));
        Check("Sigmoid", t => t[0].Sigmoid(), I([5, 7], -4f, 4f));
        Check("Tanh", t => t[0].Tanh(), I([5, 7], -3f, 3f));
    }

    [OpenCLFact]
    public void Reductions_softmax_and_shape_ops()
    {
        Check("Sum", t => t[0].Sum(), I([4, 5, 6]));
        Check("SumDims", t => t[0].Sum([0, 2], keepDim: true), I([4, 5, 6]));
        Check("Mean", t => t[0].Mean(1), I([4, 5, 6]));
        Check("Max", t => t[0].Max(), I([4, 5, 6]));
        Check("Softmax", t => t[0].Softmax(1), I([3, 6, 4], -3f, 3f));
        Check("LogSoftmax", t => t[0].LogSoftmax(-1), I([3, 6, 4], -3f, 3f));
        Check("Permute", t => t[0].Permute(2, 0, 1) * t[1], I([3, 4, 5]), I([5, 3, 4]));
        Check("Transpose", t => t[0].Transpose(0, 1).MatMul(t[1]), I([6, 3]), I([6, 4]));
        Check("Narrow", t => t[0].Narrow(1, 2, 3), I([3, 7, 2]));
        Check("Slice", t => t[0].Slice(1, 1, 7, 2), I([3, 7, 2]));
        Check("Cat", t => Tensor.Cat([t[0], t[1]], 1), I([2, 3, 4]), I([2, 5, 4]));
        Check("Stack", t => Tensor.Stack([t[0], t[1]], 0), I([3, 4]), I([3, 4]));
        Check("Pad", t => t[0].Pad(1, 2, 0, 1, 0.5f), I([2, 3, 4, 5]));
        Check("Flatten", t => t[0].Flatten(1) * 2f, I([2, 3, 4]));
    }

    [OpenCLFact]
    public void MatMul_linear_and_convolutions()
    {
        Check("MatMul", t => t[0].MatMul(t[1]), I([37, 53]), I([53, 41]));
        Check("Linear", t => Tensor.Linear(t[0], t[1], t[2]), I([16, 576]), I([10, 576]), I([10]));
        Check("Conv2d", t => Tensor.Conv2d(t[0], t[1], t[2], padding: 1), I([2, 3, 9, 9]), I([8, 3, 3, 3]), I([8]));
        Check("Conv2dStrided", t => Tensor.Conv2d(t[0], t[1], t[2], stride: 2, padding: (1, 2), dilation: (2, 1)), I([2, 4, 11, 10]), I([6, 4, 3, 3]), I([6]));
        Check("Conv2dGroups", t => Tensor.Conv2d(t[0], t[1], null, stride: 1, padding: 0, groups: 2), I([2, 4, 7, 7]), I([6, 2, 3, 3]));
        Check("ConvTranspose2d", t => Tensor.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 1, outputPadding: 1), I([2, 4, 5, 5]), I([4, 3, 3, 3]), I([3]));
    }

    [OpenCLFact]
    public void Pools()
    {
        Check("MaxPool2d", t => t[0].MaxPool2d(2), I([2, 3, 8, 8]));
        Check("MaxPool2dPadded", t => t[0].MaxPool2d(3, 2, 1, ceilMode: true), I([2, 3, 9, 8]));
        Check("AvgPool2d", t => t[0].AvgPool2d(3, 2, 1), I([2, 3, 9, 8]));
        Check("LPPool2d", t => t[0].LPPool2d(2f, 2), I([2, 3, 8, 8], 0.1f, 1f));
        Check("AdaptiveAvgPool2d", t => t[0].AdaptiveAvgPool2d((3, 2)), I([2, 3, 7, 9]));
        Check("AdaptiveMaxPool2d", t => t[0].AdaptiveMaxPool2d((3, 2)), I([2, 3, 7, 9]));
        Check("GlobalAvgPool2d", t => Tensor.GlobalAvgPool2d(t[0]), I([2, 3, 7, 9]));
        Check("GlobalMaxPool2d", t => Tensor.GlobalMaxPool2d(t[0]), I([2, 3, 7, 9]));
        Check("FractionalMaxPool2d", t => t[0].FractionalMaxPool2d(2, (5, 4), t[1]), I([2, 3, 11, 9]), I([2, 3, 2], 0f, 0.99f, Grad: false));
    }

    [OpenCLFact]
    public void Normalization_dropout_and_upsampling()
    {
        Check("BatchNormTrain", t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true), I([4, 3, 5, 5], -1f, 3f), I([3]), I([3]));
        Check("BatchNormEval", t => Tensor.BatchNorm(t[0], t[1], t[2], t[3], t[4], training: false),
            I([4, 3, 5, 5]), I([3], Grad: false), I([3], 0.5f, 2f, Grad: false), I([3]), I([3]));
        Check("Dropout", t => t[0].Dropout(0.3f, training: true, generator: new Generator(5)), I([4, 50]));
        Check("Dropout2d", t => t[0].Dropout2d(0.5f, training: true, generator: new Generator(6)), I([4, 6, 3, 3]));
        Check("UpsampleNearest", t => t[0].Upsample(2.0), I([2, 3, 4, 5]));
        Check("UpsampleBilinear", t => t[0].Upsample(1.5, "bilinear", alignCorners: true), I([2, 3, 4, 5]));
        Check("UpsampleBilinearSize", t => t[0].Upsample((7, 3), "bilinear"), I([2, 3, 4, 5]));
    }

    [OpenCLFact]
    public void Losses()
    {
        float[] labels = [3, 0, 9, 1, 1, 5, 7, 2];
        Check("CrossEntropy", t => Tensor.CrossEntropy(t[0], t[1]), I([8, 10], -3f, 3f), I([8], Grad: false, Values: labels));
        Check("CrossEntropySmoothed", t => Tensor.CrossEntropy(t[0], t[1], t[2], ignoreIndex: 1, labelSmoothing: 0.1f),
            I([8, 10], -3f, 3f), I([8], Grad: false, Values: labels), I([10], 0.5f, 2f, Grad: false));
        Check("CrossEntropySpatial", t => Tensor.CrossEntropy(t[0], t[1], reduction: Reduction.Sum),
            I([2, 4, 3, 3]), I([2, 3, 3], Grad: false, Values: [0, 1, 2, 3, 0, 1, 2, 3, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3]));
        Check("NllLoss", t => Tensor.NllLoss(t[0].LogSoftmax(1), t[1]), I([8, 10]), I([8], Grad: false, Values: labels));
        Check("MseLoss", t => Tensor.MseLoss(t[0], t[1]), I([6, 7]), I([6, 7]));
        Check("BinaryCrossEntropy", t => Tensor.BinaryCrossEntropy(t[0], t[1]), I([6, 7], 0.05f, 0.95f), I([6, 7], 0f, 1f));
        Check("BinaryCrossEntropyWithLogits", t => Tensor.BinaryCrossEntropyWithLogits(t[0], t[1], posWeight: t[2]),
            I([6, 7], -4f, 4f), I([6, 7], 0f, 1f), I([7], 0.5f, 2f));
    }
}
