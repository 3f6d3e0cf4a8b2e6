#:project ../src/Managed/ConvSharp/ConvSharp.csproj
// A denoiser trained by the library's Trainer on (noisy, clean) pairs of Fashion-MNIST images: an image-to-image task
// batched by a DataLoader over a TensorDataset of two tensors, the same random crop and flip applied to both
// (PairedTransform), MSE loss, the kept epoch chosen by validation loss, PSNR before and after.
// Run: dotnet run samples/denoiser.cs -- [training images, default 640]
using ConvSharp;
using ConvSharp.Data;
using ConvSharp.Metrics;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

int count = args.Length > 0 ? int.Parse(args[0]) : 640;
// From the repository root the embedded subset is found; elsewhere the installed dataset (dataset-fashion-mnist).
string folder = Directory.Exists("data/fashion-mnist") ? "data/fashion-mnist" : FashionMnist.FindDirectory();
using var loaderForImages = new DataLoader(FashionMnist.Load(folder, train: true, transform: new ToTensor()), batchSize: count + 64);
var (clean, _) = loaderForImages.First();                                   // [count + 64, 1, 28, 28] in [0, 1]
using var noise = Tensor.Rand(clean.Shape, seed: 0);
using var noisy = clean + (noise - 0.5f) * 0.6f;

var pairs = new PairedTransform(new RandomCrop(28, padding: 2), new RandomHorizontalFlip());
var train = new TensorDataset([noisy.Narrow(0, 0, count), clean.Narrow(0, 0, count)], pairedTransform: pairs);
var val = new TensorDataset(noisy.Narrow(0, count, 64), clean.Narrow(0, count, 64));

using var model = new Sequential(
    new Conv2d(1, 16, 3, padding: 1), new ReLU(), new Conv2d(16, 16, 3, padding: 1), new ReLU(), new Conv2d(16, 1, 3, padding: 1));
using var opt = new Adam(model.Parameters(), lr: 2e-3f);
using var trainLoader = new DataLoader(train, batchSize: 16, shuffle: true);
using var valLoader = new DataLoader(val, batchSize: 64);
var result = new Trainer().Fit(model, new MSELoss(), opt, trainLoader, valLoader, epochs: 3);

var (noisyVal, cleanVal) = valLoader.First();                              // foreach (var (noisy, clean) in loader) works the same
using (Autograd.NoGrad())
    Console.WriteLine($"validation PSNR: noisy {Metric.Psnr(noisyVal, cleanVal):F2} dB, denoised {Metric.Psnr(model.Forward(noisyVal), cleanVal):F2} dB " +
        $"(kept epoch {result.BestEpoch}, validation MSE {result.Best!.ValLoss:F4})");
using (Autograd.NoGrad())
    if (Metric.Psnr(model.Forward(noisyVal), cleanVal) <= Metric.Psnr(noisyVal, cleanVal))
    {
        Console.Error.WriteLine("the denoiser did not improve on the noisy images");
        return 1;
    }
return 0;
