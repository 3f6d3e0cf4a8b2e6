using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Reliability;

/// <summary>Every bad argument of the public API is refused at once with an exception of the
/// ArgumentException family whose ParamName is the parameter and whose message shows the offending
/// value; a disposed tensor given to any op is an ObjectDisposedException. docs/reliability.md lists
/// each case by the name it has here.</summary>
public class ValidationTests
{
    private static Parameter[] Params() => [.. new Linear(2, 2, generator: new Generator(1)).Parameters()];

    private static Sgd Optimizer() => new(Params(), lr: 0.1f);

    /// <summary>(case name, the call, exception type, parameter name, text the message must contain).</summary>
    private static readonly (string Name, Action Call, Type Type, string Param, string Value)[] s_cases =
    [
        // Optimizers: learning rates and hyper-parameters
        ("Sgd lr NaN", () => new Sgd(Params(), lr: float.NaN), typeof(ArgumentOutOfRangeException), "lr", "NaN"),
        ("Sgd lr negative", () => new Sgd(Params(), lr: -0.1f), typeof(ArgumentOutOfRangeException), "lr", "-0.1"),
        ("Sgd lr infinite", () => new Sgd(Params(), lr: float.PositiveInfinity), typeof(ArgumentOutOfRangeException), "lr", "Infinity"),
        ("Sgd momentum negative", () => new Sgd(Params(), momentum: -0.5f), typeof(ArgumentOutOfRangeException), "momentum", "-0.5"),
        ("Sgd weightDecay NaN", () => new Sgd(Params(), weightDecay: float.NaN), typeof(ArgumentOutOfRangeException), "weightDecay", "NaN"),
        ("Sgd parameters null", () => new Sgd((IEnumerable<Parameter>)null!), typeof(ArgumentNullException), "parameters", ""),
        ("Sgd parameters empty", () => new Sgd(Array.Empty<Parameter>()), typeof(ArgumentException), "groups", "empty"),
        ("Adam lr NaN", () => new Adam(Params(), lr: float.NaN), typeof(ArgumentOutOfRangeException), "lr", "NaN"),
        ("Adam lr negative", () => new Adam(Params(), lr: -1f), typeof(ArgumentOutOfRangeException), "lr", "-1"),
        ("Adam beta1 = 1", () => new Adam(Params(), betas: (1f, 0.999f)), typeof(ArgumentOutOfRangeException), "beta1", "1"),
        ("Adam beta2 negative", () => new Adam(Params(), betas: (0.9f, -0.1f)), typeof(ArgumentOutOfRangeException), "beta2", "-0.1"),
        ("Adam eps negative", () => new Adam(Params(), eps: -1e-8f), typeof(ArgumentOutOfRangeException), "eps", "-1E-08"),
        ("Adam weightDecay negative", () => new Adam(Params(), weightDecay: -0.01f), typeof(ArgumentOutOfRangeException), "weightDecay", "-0.01"),
        ("AdamW lr NaN", () => new AdamW(Params(), lr: float.NaN), typeof(ArgumentOutOfRangeException), "lr", "NaN"),
        ("AdamW weightDecay NaN", () => new AdamW(Params(), weightDecay: float.NaN), typeof(ArgumentOutOfRangeException), "weightDecay", "NaN"),
        ("Adamax lr negative", () => new Adamax(Params(), lr: -2e-3f), typeof(ArgumentOutOfRangeException), "lr", "-0.002"),
        ("Adamax eps NaN", () => new Adamax(Params(), eps: float.NaN), typeof(ArgumentOutOfRangeException), "eps", "NaN"),
        ("RmsProp lr NaN", () => new RmsProp(Params(), lr: float.NaN), typeof(ArgumentOutOfRangeException), "lr", "NaN"),
        ("RmsProp alpha negative", () => new RmsProp(Params(), alpha: -0.5f), typeof(ArgumentOutOfRangeException), "alpha", "-0.5"),
        ("RmsProp eps negative", () => new RmsProp(Params(), eps: -1f), typeof(ArgumentOutOfRangeException), "eps", "-1"),
        ("ParameterGroup lr NaN", () => new ParameterGroup(Params(), lr: float.NaN), typeof(ArgumentOutOfRangeException), "lr", "NaN"),
        ("ParameterGroup.Lr set negative", () => Optimizer().ParamGroups[0].Lr = -1f, typeof(ArgumentOutOfRangeException), "lr", "-1"),
        // Schedulers
        ("StepLR optimizer null", () => new StepLR(null!, 1), typeof(ArgumentNullException), "optimizer", ""),
        ("StepLR stepSize 0", () => new StepLR(Optimizer(), 0), typeof(ArgumentOutOfRangeException), "stepSize", "0"),
        ("StepLR gamma NaN", () => new StepLR(Optimizer(), 1, gamma: float.NaN), typeof(ArgumentOutOfRangeException), "gamma", "NaN"),
        ("StepLR gamma negative", () => new StepLR(Optimizer(), 1, gamma: -0.5f), typeof(ArgumentOutOfRangeException), "gamma", "-0.5"),
        ("MultiStepLR milestones null", () => new MultiStepLR(Optimizer(), null!), typeof(ArgumentNullException), "milestones", ""),
        ("MultiStepLR gamma NaN", () => new MultiStepLR(Optimizer(), [2], gamma: float.NaN), typeof(ArgumentOutOfRangeException), "gamma", "NaN"),
        ("ExponentialLR gamma NaN", () => new ExponentialLR(Optimizer(), float.NaN), typeof(ArgumentOutOfRangeException), "gamma", "NaN"),
        ("ExponentialLR gamma negative", () => new ExponentialLR(Optimizer(), -0.9f), typeof(ArgumentOutOfRangeException), "gamma", "-0.9"),
        ("CosineAnnealingLR tMax 0", () => new CosineAnnealingLR(Optimizer(), 0), typeof(ArgumentOutOfRangeException), "tMax", "0"),
        ("CosineAnnealingLR etaMin NaN", () => new CosineAnnealingLR(Optimizer(), 10, etaMin: float.NaN), typeof(ArgumentOutOfRangeException), "etaMin", "NaN"),
        ("CosineAnnealingLR etaMin negative", () => new CosineAnnealingLR(Optimizer(), 10, etaMin: -1f), typeof(ArgumentOutOfRangeException), "etaMin", "-1"),
        ("LinearLR startFactor 0", () => new LinearLR(Optimizer(), startFactor: 0f), typeof(ArgumentOutOfRangeException), "startFactor", "0"),
        ("LinearLR endFactor NaN", () => new LinearLR(Optimizer(), endFactor: float.NaN), typeof(ArgumentOutOfRangeException), "endFactor", "NaN"),
        ("LinearLR totalIters 0", () => new LinearLR(Optimizer(), totalIters: 0), typeof(ArgumentOutOfRangeException), "totalIters", "0"),
        ("ReduceLROnPlateau factor 1", () => new ReduceLROnPlateau(Optimizer(), factor: 1f), typeof(ArgumentOutOfRangeException), "factor", "1"),
        ("ReduceLROnPlateau factor NaN", () => new ReduceLROnPlateau(Optimizer(), factor: float.NaN), typeof(ArgumentOutOfRangeException), "factor", "NaN"),
        ("ReduceLROnPlateau patience negative", () => new ReduceLROnPlateau(Optimizer(), patience: -1), typeof(ArgumentOutOfRangeException), "patience", "-1"),
        ("ReduceLROnPlateau threshold NaN", () => new ReduceLROnPlateau(Optimizer(), threshold: float.NaN), typeof(ArgumentOutOfRangeException), "threshold", "NaN"),
        ("ReduceLROnPlateau minLr negative", () => new ReduceLROnPlateau(Optimizer(), minLr: -1e-3f), typeof(ArgumentOutOfRangeException), "minLr", "-0.001"),
        // Gradient clipping
        ("ClipGrad.Norm maxNorm NaN", () => ClipGrad.Norm(Params(), float.NaN), typeof(ArgumentOutOfRangeException), "maxNorm", "NaN"),
        ("ClipGrad.Norm maxNorm negative", () => ClipGrad.Norm(Params(), -1f), typeof(ArgumentOutOfRangeException), "maxNorm", "-1"),
        ("ClipGrad.Norm parameters null", () => ClipGrad.Norm(null!, 1f), typeof(ArgumentNullException), "parameters", ""),
        ("ClipGrad.Value clipValue NaN", () => ClipGrad.Value(Params(), float.NaN), typeof(ArgumentOutOfRangeException), "clipValue", "NaN"),
        ("ClipGrad.Value clipValue negative", () => ClipGrad.Value(Params(), -0.5f), typeof(ArgumentOutOfRangeException), "clipValue", "-0.5"),
        // Layer constructors
        ("Linear inFeatures 0", () => new Linear(0, 3), typeof(ArgumentOutOfRangeException), "inFeatures", "0"),
        ("Linear outFeatures negative", () => new Linear(3, -2), typeof(ArgumentOutOfRangeException), "outFeatures", "-2"),
        ("Conv2d inChannels 0", () => new Conv2d(0, 4, 3), typeof(ArgumentOutOfRangeException), "inChannels", "0"),
        ("Conv2d outChannels negative", () => new Conv2d(1, -4, 3), typeof(ArgumentOutOfRangeException), "outChannels", "-4"),
        ("Conv2d kernelSize 0", () => new Conv2d(1, 4, 0), typeof(ArgumentOutOfRangeException), "kernelSize.Height", "0"),
        ("Conv2d stride 0", () => new Conv2d(1, 4, 3, stride: 0), typeof(ArgumentOutOfRangeException), "stride.Height", "0"),
        ("Conv2d padding negative", () => new Conv2d(1, 4, 3, padding: -1), typeof(ArgumentOutOfRangeException), "padding.Height", "-1"),
        ("Conv2d dilation 0", () => new Conv2d(1, 4, 3, dilation: (1, 0)), typeof(ArgumentOutOfRangeException), "dilation.Width", "0"),
        ("Conv2d groups 0", () => new Conv2d(2, 4, 3, groups: 0), typeof(ArgumentOutOfRangeException), "groups", "0"),
        ("Conv2d groups not dividing", () => new Conv2d(3, 4, 3, groups: 2), typeof(ArgumentException), "groups", "2"),
        ("Conv2d padding name unknown", () => new Conv2d(1, 4, 3, "full"), typeof(ArgumentException), "padding", "full"),
        ("ConvTranspose2d inChannels 0", () => new ConvTranspose2d(0, 2, 3), typeof(ArgumentOutOfRangeException), "inChannels", "0"),
        ("ConvTranspose2d kernelSize negative", () => new ConvTranspose2d(1, 2, -3), typeof(ArgumentOutOfRangeException), "kernelSize.Height", "-3"),
        ("ConvTranspose2d outputPadding negative", () => new ConvTranspose2d(1, 2, 3, stride: 2, outputPadding: -1), typeof(ArgumentOutOfRangeException), "outputPadding.Height", "-1"),
        ("MaxPool2d kernelSize 0", () => new MaxPool2d(0), typeof(ArgumentOutOfRangeException), "kernelSize", "0"),
        ("MaxPool2d stride 0", () => new MaxPool2d(2, stride: 0), typeof(ArgumentOutOfRangeException), "stride", "0"),
        ("MaxPool2d padding over half the kernel", () => new MaxPool2d(2, padding: 2), typeof(ArgumentException), "padding", "2"),
        ("AvgPool2d kernelSize negative", () => new AvgPool2d(-2), typeof(ArgumentOutOfRangeException), "kernelSize", "-2"),
        ("AvgPool2d divisorOverride 0", () => new AvgPool2d(2, divisorOverride: 0), typeof(ArgumentOutOfRangeException), "divisorOverride", "0"),
        ("LPPool2d normType NaN", () => new LPPool2d(float.NaN, 2), typeof(ArgumentOutOfRangeException), "normType", "NaN"),
        ("LPPool2d normType 0", () => new LPPool2d(0f, 2), typeof(ArgumentOutOfRangeException), "normType", "0"),
        ("AdaptiveAvgPool2d outputSize 0", () => new AdaptiveAvgPool2d(0), typeof(ArgumentOutOfRangeException), "outputSize", "0"),
        ("AdaptiveMaxPool2d outputSize negative", () => new AdaptiveMaxPool2d((2, -1)), typeof(ArgumentOutOfRangeException), "outputSize", "-1"),
        ("BatchNorm2d numFeatures 0", () => new BatchNorm2d(0), typeof(ArgumentOutOfRangeException), "numFeatures", "0"),
        ("BatchNorm2d eps negative", () => new BatchNorm2d(3, eps: -1e-5f), typeof(ArgumentOutOfRangeException), "eps", "-1E-05"),
        ("BatchNorm2d momentum NaN", () => new BatchNorm2d(3, momentum: float.NaN), typeof(ArgumentOutOfRangeException), "momentum", "NaN"),
        ("BatchNorm1d numFeatures negative", () => new BatchNorm1d(-3), typeof(ArgumentOutOfRangeException), "numFeatures", "-3"),
        ("Dropout p negative", () => new Dropout(-0.1f), typeof(ArgumentOutOfRangeException), "p", "-0.1"),
        ("Dropout p above 1", () => new Dropout(1.5f), typeof(ArgumentOutOfRangeException), "p", "1.5"),
        ("Dropout p NaN", () => new Dropout(float.NaN), typeof(ArgumentOutOfRangeException), "p", "NaN"),
        ("Dropout2d p NaN", () => new Dropout2d(float.NaN), typeof(ArgumentOutOfRangeException), "p", "NaN"),
        ("LeakyReLU negativeSlope NaN", () => new LeakyReLU(float.NaN), typeof(ArgumentOutOfRangeException), "negativeSlope", "NaN"),
        ("ELU alpha NaN", () => new ELU(float.NaN), typeof(ArgumentOutOfRangeException), "alpha", "NaN"),
        ("Upsample size 0", () => new Upsample((0, 4)), typeof(ArgumentOutOfRangeException), "size", "0"),
        ("Upsample scaleFactor 0", () => new Upsample(0.0), typeof(ArgumentOutOfRangeException), "scaleFactor", "0"),
        ("Upsample scaleFactor NaN", () => new Upsample(double.NaN), typeof(ArgumentOutOfRangeException), "scaleFactor", "NaN"),
        ("Upsample mode unknown", () => new Upsample(2.0, mode: "cubic"), typeof(ArgumentException), "mode", "cubic"),
        ("Sequential null module", () => new Sequential(new ReLU(), null!), typeof(ArgumentNullException), "modules", ""),
        ("Module.Forward null input", () => new ReLU().Forward(null!), typeof(ArgumentNullException), "input", ""),
        ("Module.Save null path", () => new Linear(2, 2).Save(null!), typeof(ArgumentNullException), "path", ""),
        ("Module.Load null path", () => new Linear(2, 2).Load(null!), typeof(ArgumentNullException), "path", ""),
        ("CrossEntropyLoss labelSmoothing negative", () => new CrossEntropyLoss(labelSmoothing: -0.1f), typeof(ArgumentOutOfRangeException), "labelSmoothing", "-0.1"),
        ("CrossEntropyLoss labelSmoothing NaN", () => new CrossEntropyLoss(labelSmoothing: float.NaN), typeof(ArgumentOutOfRangeException), "labelSmoothing", "NaN"),
        // Tensor factories and ops
        ("Tensor.Full shape null", () => Tensor.Full(null!, 1f), typeof(ArgumentNullException), "shape", ""),
        ("Tensor.Randn dimension negative", () => Tensor.Randn([2, -3], seed: 0), typeof(ArgumentException), "shape", "-3"),
        ("Tensor.Cat empty", () => Tensor.Cat([]), typeof(ArgumentException), "tensors", "at least one tensor"),
        ("Tensor.Cat null", () => Tensor.Cat(null!), typeof(ArgumentNullException), "tensors", ""),
        ("Tensor.Stack null element", () => Tensor.Stack([Tensor.Zeros(2), null!]), typeof(ArgumentNullException), "tensors", ""),
        ("Tensor + null", () => { _ = Tensor.Zeros(2) + (Tensor)null!; }, typeof(ArgumentNullException), "b", ""),
        ("MatMul null", () => Tensor.Zeros(2, 2).MatMul(null!), typeof(ArgumentNullException), "other", ""),
        ("Softmax dim out of range", () => Tensor.Zeros(2, 3).Softmax(2), typeof(ArgumentOutOfRangeException), "dim", "2"),
        ("Sum dim out of range", () => Tensor.Zeros(2, 3).Sum(-3), typeof(ArgumentOutOfRangeException), "dims", "-3"),
        ("Narrow beyond the end", () => Tensor.Zeros(4, 3).Narrow(0, 3, 2), typeof(ArgumentOutOfRangeException), "start", "[3, 5)"),
        ("Transpose dim out of range", () => Tensor.Zeros(2, 3).Transpose(0, 5), typeof(ArgumentOutOfRangeException), "dim", "5"),
        ("Clamp min above max", () => Tensor.Zeros(2).Clamp(1f, 0f), typeof(ArgumentException), "min", "1"),
        ("Clamp min NaN", () => Tensor.Zeros(2).Clamp(float.NaN, 1f), typeof(ArgumentException), "min", "NaN"),
        ("Pad negative", () => Tensor.Zeros(1, 1, 2, 2).Pad(-1, 0, 0, 0), typeof(ArgumentOutOfRangeException), "left", "-1"),
        ("Blas.NumThreads 0", () => Blas.NumThreads = 0, typeof(ArgumentOutOfRangeException), "value", "0"),
        // Data
        ("DataLoader batchSize 0", () => new DataLoader(new TensorDataset(Tensor.Zeros(4, 1, 2, 2), Tensor.Zeros(4)), batchSize: 0), typeof(ArgumentOutOfRangeException), "batchSize", "0"),
        ("DataLoader dataset null", () => new DataLoader(null!), typeof(ArgumentNullException), "dataset", ""),
        ("TensorDataset counts differ", () => new TensorDataset(Tensor.Zeros(4, 1, 2, 2), Tensor.Zeros(3)), typeof(ArgumentException), "labels", "3"),
        ("Subset index out of range", () => new Subset(new TensorDataset(Tensor.Zeros(4, 1, 2, 2), Tensor.Zeros(4)), [0, 4]), typeof(ArgumentOutOfRangeException), "indices", "4"),
        ("Normalize std 0", () => new Normalize(0.5f, 0f), typeof(ArgumentException), "std", "0"),
        ("Normalize std NaN", () => new Normalize(0.5f, float.NaN), typeof(ArgumentException), "std", "NaN"),
        ("Resize size 0", () => new Resize(0), typeof(ArgumentOutOfRangeException), "size", "0"),
        ("CenterCrop size negative", () => new CenterCrop(-4), typeof(ArgumentOutOfRangeException), "size", "-4"),
        ("RandomCrop padding negative", () => new RandomCrop(4, padding: -1), typeof(ArgumentOutOfRangeException), "padding", "-1"),
        ("RandomHorizontalFlip p above 1", () => new RandomHorizontalFlip(1.5f), typeof(ArgumentOutOfRangeException), "p", "1.5"),
        ("RandomRotation degrees NaN", () => new RandomRotation(float.NaN), typeof(ArgumentOutOfRangeException), "degrees", "NaN"),
        ("ColorJitter brightness negative", () => new ColorJitter(brightness: -0.2f), typeof(ArgumentOutOfRangeException), "brightness", "-0.2"),
        ("RandomPerspective distortionScale above 1", () => new RandomPerspective(distortionScale: 2f), typeof(ArgumentOutOfRangeException), "distortionScale", "2"),
    ];

    public static TheoryData<string> Cases() => [.. s_cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_bad_argument_is_refused_naming_the_parameter_and_value(string name)
    {
        var (_, call, type, param, value) = s_cases.Single(c => c.Name == name);
        Exception? e = Record.Exception(call);
        Assert.NotNull(e);
        Assert.IsType(type, e);
        Assert.Equal(param, ((ArgumentException)e).ParamName);
        Assert.Contains(value, e.Message);
    }
}
