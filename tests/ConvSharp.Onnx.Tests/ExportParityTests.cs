using ConvSharp.NN;
using Xunit.Abstractions;

namespace ConvSharp.Onnx.Tests;

/// <summary>Every supported op and every reference network: exported by ConvSharp, run by ONNX Runtime on random
/// inputs (at the traced batch and at another one: the batch is dynamic), equal to ConvSharp's evaluation forward
/// within 1e-5 relative to the output's scale.</summary>
public sealed class ExportParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static Lambda F(Func<Tensor, Tensor> f) => new((_, x) => f(x));

    private static Lambda WithParam(int[] shape, Func<Tensor, Tensor, Tensor> f) =>
        new Lambda((m, x) => f(x, m.NamedParameters().First().Parameter)).Also(m => m.Param("w", shape, 7, 0.5f));

    internal static readonly Dictionary<string, (Func<Module> Build, int[] Shape)> Cases = new()
    {
        ["Conv groups dilation stride"] = (() => new Conv2d(4, 8, 3, stride: 2, padding: 2, dilation: 2, groups: 2, generator: new Generator(1)), [2, 4, 11, 9]),
        ["Conv asymmetric pads (same, even kernel)"] = (() => new Conv2d(3, 5, 4, "same", generator: new Generator(2)), [2, 3, 8, 7]),
        ["Conv depthwise no bias"] = (() => new Conv2d(6, 6, 3, padding: 1, groups: 6, bias: false, generator: new Generator(3)), [2, 6, 7, 7]),
        ["ConvTranspose"] = (() => new ConvTranspose2d(4, 3, 3, stride: 2, padding: 1, outputPadding: 1, generator: new Generator(4)), [2, 4, 5, 6]),
        ["ConvTranspose groups"] = (() => new ConvTranspose2d(4, 6, 2, stride: 2, groups: 2, generator: new Generator(5)), [2, 4, 3, 3]),
        ["Gemm (Linear, 2-D)"] = (() => new Linear(12, 5, generator: new Generator(6)), [3, 12]),
        ["MatMul (Linear on 3-D)"] = (() => new Linear(12, 5, generator: new Generator(7)), [2, 4, 12]),
        ["MatMul (functional)"] = (() => WithParam([6, 4], (x, w) => x.MatMul(w)), [2, 3, 6]),
        ["Add broadcast"] = (() => WithParam([3, 1, 1], (x, w) => x + w), [2, 3, 4, 5]),
        ["Sub broadcast"] = (() => WithParam([5], (x, w) => x - w), [2, 3, 4, 5]),
        ["Mul broadcast"] = (() => WithParam([1, 4, 1], (x, w) => x * w), [2, 3, 4, 5]),
        ["Div broadcast"] = (() => WithParam([3, 1, 1], (x, w) => x / (w.Abs() + 0.5f)), [2, 3, 4, 5]),
        ["Pow tensor"] = (() => WithParam([5], (x, w) => Tensor.Pow(x.Abs() + 0.5f, w)), [2, 3, 5]),
        ["Relu"] = (() => new ReLU(), [2, 3, 4, 4]),
        ["LeakyRelu"] = (() => new LeakyReLU(0.2f), [2, 3, 4, 4]),
        ["Elu"] = (() => new ELU(0.7f), [2, 3, 4, 4]),
        ["Gelu"] = (() => new GELU(), [2, 3, 4, 4]),
        ["Sigmoid"] = (() => new Sigmoid(), [2, 3, 4, 4]),
        ["Tanh"] = (() => new Tanh(), [2, 3, 4, 4]),
        ["Softmax"] = (() => new Softmax(1), [2, 7, 3]),
        ["LogSoftmax"] = (() => new LogSoftmax(-1), [2, 3, 7]),
        ["MaxPool pad dilation"] = (() => new MaxPool2d(3, stride: 2, padding: 1, dilation: 1), [2, 3, 9, 8]),
        ["MaxPool ceil mode"] = (() => new MaxPool2d(3, stride: 2, ceilMode: true), [2, 3, 8, 8]),
        ["AveragePool count_include_pad"] = (() => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: true), [2, 3, 9, 8]),
        ["AveragePool exclude pad"] = (() => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false), [2, 3, 9, 8]),
        ["GlobalAveragePool"] = (() => new GlobalAvgPool2d(), [2, 3, 5, 6]),
        ["GlobalMaxPool keepdim"] = (() => new GlobalMaxPool2d(keepDim: true), [2, 3, 5, 6]),
        ["AdaptiveAvgPool exact"] = (() => new AdaptiveAvgPool2d((2, 3)), [2, 3, 8, 9]),
        ["AdaptiveMaxPool exact"] = (() => new AdaptiveMaxPool2d(2), [2, 3, 8, 6]),
        ["BatchNormalization eval"] = (() => { var m = new Sequential(new BatchNorm2d(3)); Models.WarmBatchNorm(m, [4, 3, 5, 5]); return m; }, [2, 3, 5, 5]),
        ["BatchNorm1d eval"] = (() => { var m = new Sequential(new BatchNorm1d(6)); Models.WarmBatchNorm(m, [8, 6]); return m; }, [3, 6]),
        ["Dropout eval"] = (() => new Sequential(new Dropout(0.5f), new Dropout2d(0.3f), new ReLU()), [2, 3, 4, 4]),
        ["Flatten"] = (() => new Flatten(), [2, 3, 4, 5]),
        ["Reshape"] = (() => F(x => x.Reshape(x.Size(0), 4, -1)), [2, 3, 4, 5]),
        ["Transpose"] = (() => F(x => x.Permute(0, 2, 3, 1)), [2, 3, 4, 5]),
        ["Concat"] = (() => F(x => Tensor.Cat([x, x.Relu(), x.Neg()], 1)), [2, 3, 4, 5]),
        ["Pad"] = (() => F(x => x.Pad(1, 2, 0, 3, 0.5f)), [2, 3, 4, 5]),
        ["Resize nearest 2x"] = (() => new Upsample(2.0), [2, 3, 4, 5]),
        ["Resize nearest size 5x7 to 8x10"] = (() => new Upsample((8, 10)), [2, 3, 5, 7]),
        ["Resize bilinear"] = (() => new Upsample(2.0, "bilinear"), [2, 3, 4, 5]),
        ["Resize bilinear align_corners"] = (() => new Upsample((7, 9), "bilinear", alignCorners: true), [2, 3, 4, 5]),
        ["Clip"] = (() => F(x => x.Clamp(-0.5f, 0.7f)), [2, 3, 4]),
        ["Exp"] = (() => F(x => x.Exp()), [2, 3, 4]),
        ["Log"] = (() => F(x => (x.Abs() + 0.1f).Log()), [2, 3, 4]),
        ["Sqrt"] = (() => F(x => (x.Abs() + 0.1f).Sqrt()), [2, 3, 4]),
        ["Pow scalar"] = (() => F(x => (x.Abs() + 0.1f).Pow(1.7f)), [2, 3, 4]),
        ["Abs Neg"] = (() => F(x => x.Abs().Neg()), [2, 3, 4]),
        ["Scalar arithmetic"] = (() => F(x => (2f - x * 3f) / 4f + 1f), [2, 3, 4]),
        ["Maximum Minimum"] = (() => F(x => Tensor.Minimum(Tensor.Maximum(x, x.Neg() * 0.5f), x.Exp())), [2, 3, 4]),
        ["ReduceSum"] = (() => F(x => x.Sum([2, 3], keepDim: true)), [2, 3, 4, 5]),
        ["ReduceMean"] = (() => F(x => x.Mean(1)), [2, 3, 4, 5]),
        ["ReduceMax"] = (() => F(x => x.Max(-1).Values), [2, 3, 4, 5]),
        ["Slice"] = (() => F(x => x.Slice(1, 1, 2)), [2, 3, 4, 5]),
        ["Residual add in a custom Forward"] = (() => new Lambda((m, x) => m.Child("conv").Forward(x).Relu() + x,
            ("conv", new Conv2d(3, 3, 3, padding: 1, generator: new Generator(8)))), [2, 3, 6, 6]),
    };

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Op_exported_runs_in_onnx_runtime_like_ConvSharp(string name)
    {
        var (build, shape) = Cases[name];
        using Module model = build();
        double worst = CheckAgainstOrt(model, shape);
        output.WriteLine($"{name}: worst relative error {worst:E2}");
    }

    public static IEnumerable<object[]> NetworkNames() => new[] { "mnist-cnn", "lenet5", "cifar-cnn", "resnet-block", "mobilenet-block" }.Select(n => new object[] { n });

    internal static (Module Model, int[] Shape) Network(string name) => name switch
    {
        "mnist-cnn" => (Models.MnistCnn(), [2, 1, 28, 28]),
        "lenet5" => (Models.LeNet5(), [2, 1, 28, 28]),
        "cifar-cnn" => (Models.CifarCnn(), [2, 3, 32, 32]),
        "resnet-block" => (Models.ResNetBlock(), [2, 3, 16, 16]),
        _ => (Models.MobileNetBlock(), [2, 3, 16, 16]),
    };

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Network_exported_runs_in_onnx_runtime_like_ConvSharp(string name)
    {
        var (model, shape) = Network(name);
        using (model)
        {
            if (name == "mnist-cnn") Assert.Equal(29066, model.ParameterCount());
            double worst = CheckAgainstOrt(model, shape);
            output.WriteLine($"{name}: worst relative error {worst:E2}");
        }
    }

    /// <summary>Exports at the case's batch, then runs ONNX Runtime at that batch and at batch + 1.</summary>
    internal static double CheckAgainstOrt(Module model, int[] shape)
    {
        string dir = OnnxKit.TempFolder();
        try
        {
            string path = Path.Combine(dir, "model.onnx");
            model.Eval();
            Onnx.Export(model, path, shape);
            double worst = 0;
            foreach (int batch in new[] { shape[0], shape[0] + 1 })
            {
                int[] s = [batch, .. shape[1..]];
                using var x = Tensor.Randn(s, 42 + batch);
                float[] data = x.ToArray();
                float[] expected = OnnxKit.EvalForward(model, x);
                var (actual, _) = OnnxKit.RunOrt(path, data, s);
                double error = OnnxKit.RelativeError(actual, expected);
                Assert.True(error <= Tolerance, $"batch {batch}: relative error {error:E2} > {Tolerance:E0}");
                worst = Math.Max(worst, error);
            }
            return worst;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

internal static class ModuleExtensions
{
    internal static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
