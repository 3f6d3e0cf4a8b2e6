#:package ConvSharp@0.1.0
// The shortest way to try ConvSharp: a .NET 10 file-based app that restores the ConvSharp package (from the local feed
// until it is on a public one; README, Install) and trains the 29,066-parameter network for one epoch on Fashion-MNIST:
//   dotnet run train.cs -- [training images, default 6000]
// It reads data/fashion-mnist below the current folder (the checkout's embedded 6,000-image subset), else the
// installed dataset (Debian's dataset-fashion-mnist). Exits with 1 when the test accuracy stays near chance.
using ConvSharp;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;

if (args.Length > 0 && !int.TryParse(args[0], out _)) { Console.Error.WriteLine($"train.cs: the number of training images must be a whole number, got '{args[0]}'"); return 2; }
int count = args.Length > 0 ? int.Parse(args[0]) : 6000;
var transform = new Compose(new ToTensor(), new Normalize(0.286f, 0.353f));
string? folder = Directory.Exists("data/fashion-mnist") ? "data/fashion-mnist" : null;
var train = folder is null ? FashionMnist.Load(train: true, transform: transform) : FashionMnist.Load(folder, train: true, transform: transform);
var test = folder is null ? FashionMnist.Load(train: false, transform: transform) : FashionMnist.Load(folder, train: false, transform: transform);
if (count < 1) { Console.Error.WriteLine($"train.cs: the number of training images must be at least 1, got {count}"); return 2; }
Dataset subset = count < train.Count ? train.Split(count, train.Count - count, seed: 0).First : train;

using var model = Models.MnistCnn();
using var opt = new Adam(model.Parameters(), lr: 2e-3f);
var lossFn = new CrossEntropyLoss();
using var loader = new DataLoader(subset, batchSize: 32, shuffle: true, seed: 0);
var watch = System.Diagnostics.Stopwatch.StartNew();
foreach (var (images, labels) in loader)
{
    using var scope = Tensor.Scope();
    var loss = lossFn.Forward(model.Forward(images), labels);
    opt.ZeroGrad();
    loss.Backward();
    opt.Step();
}

model.Eval();
int correct = 0;
using (Autograd.NoGrad())
using (var testLoader = new DataLoader(test, batchSize: 250))
    foreach (var (images, labels) in testLoader)
    {
        using var scope = Tensor.Scope();
        float[] predicted = model.Forward(images).ArgMax(1).ToArray(), truth = labels.ToArray();
        correct += predicted.Zip(truth).Count(p => p.First == p.Second);
    }
double accuracy = (double)correct / test.Count;
Console.WriteLine($"{model.ParameterCount():N0} parameters, {subset.Count} images, 1 epoch in {watch.Elapsed.TotalSeconds:F1} s " +
                  $"(kernels {NativeKernels.Isa}, OpenBLAS {Blas.CoreName}): test accuracy {accuracy:P1} on {test.Count} images");
return accuracy > 0.3 ? 0 : 1;
