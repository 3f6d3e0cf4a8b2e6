#:project ../src/Managed/ConvSharp/ConvSharp.csproj
// A denoiser trained by the library's Trainer on (noisy, clean) pairs of Fashion-MNIST images: an image-to-image task,
// MSE loss, the kept epoch chosen by validation loss, PSNR before and after.
// Run: dotnet run samples/denoiser.cs -- [batches per epoch, default 40]
using ConvSharp;
using ConvSharp.Data;
using ConvSharp.Metrics;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

int batches = args.Length > 0 ? int.Parse(args[0]) : 40;
// From the repository root the embedded subset is found; elsewhere the installed dataset (dataset-fashion-mnist).
string folder = Directory.Exists("data/fashion-mnist") ? "data/fashion-mnist" : FashionMnist.FindDirectory();
var images = FashionMnist.Load(folder, train: true);
var rng = new Random(0);
(Tensor Noisy, Tensor Clean) Batch(int start, int n)
{
    var clean = new float[n * 784];
    for (int i = 0; i < n; i++) images[(start + i) % images.Count].Image.ToArray().CopyTo(clean, i * 784);
    float[] noisy = clean.Select(v => v + (float)(rng.NextDouble() - 0.5) * 0.6f).ToArray();
    return (Tensor.FromArray(noisy, n, 1, 28, 28), Tensor.FromArray(clean, n, 1, 28, 28));
}
var train = new PairBatches(Enumerable.Range(0, batches).Select(b => Batch(b * 16, 16)).ToArray());
var val = new PairBatches([Batch(50_000 % images.Count, 64)]);

using var model = new Sequential(
    new Conv2d(1, 16, 3, padding: 1), new ReLU(), new Conv2d(16, 16, 3, padding: 1), new ReLU(), new Conv2d(16, 1, 3, padding: 1));
using var opt = new Adam(model.Parameters(), lr: 2e-3f);
var result = new Trainer().Fit(model, new MSELoss(), opt, train, val, epochs: 3);

var (noisyVal, cleanVal) = val.Batches().First();
using (Autograd.NoGrad())
    Console.WriteLine($"validation PSNR: noisy {Metric.Psnr(noisyVal, cleanVal):F2} dB, denoised {Metric.Psnr(model.Forward(noisyVal), cleanVal):F2} dB " +
        $"(kept epoch {result.BestEpoch}, validation MSE {result.Best!.ValLoss:F4})");

/// <summary>Fixed (noisy, clean) batches: the IDataLoader an image-to-image task hands the trainer.</summary>
sealed class PairBatches((Tensor Noisy, Tensor Clean)[] batches) : IDataLoader
{
    public int BatchCount => batches.Length;
    public int Epoch { get; set; }
    public IEnumerable<(Tensor Input, Tensor Target)> Batches() => batches.Select(b => (b.Noisy, b.Clean));
}
