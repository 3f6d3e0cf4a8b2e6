using System.Diagnostics;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;
using static TorchSharp.torch;
using TorchNn = TorchSharp.torch.nn;

namespace ConvSharp.Benchmarks;

/// <summary>`dotnet run -c Release -- epoch [--epochs E] [--threads T] [--data DIR]`: trains the 29,066-parameter network on
/// the full Fashion-MNIST (Debian's dataset-fashion-mnist when installed, else the embedded subset; batch 16, Adam 1e-3) in ConvSharp and in TorchSharp, one after the other in this
/// process, on the same normalised pixels in the same shuffled order, and prints each epoch's wall time,
/// images/s and test accuracy. An epoch is too long for BenchmarkDotNet; run it on a quiet machine.</summary>
public static class EpochComparison
{
    private const int BatchSize = 16;
    private const float Mean = 0.2860f, Std = 0.3530f;

    public static int Run(string[] args)
    {
        int epochs = Option(args, "--epochs", 1), threads = Option(args, "--threads", 2);
        Networks.SetThreads(threads);
        int at = Array.IndexOf(args, "--data");
        string directory = at >= 0 && at + 1 < args.Length ? args[at + 1]
            : File.Exists(Path.Combine(FashionMnist.SystemDirectory, "train-images-idx3-ubyte.gz")) ? FashionMnist.SystemDirectory
            : FashionMnist.FindDirectory();
        var (trainX, trainY) = Load(directory, train: true);
        var (testX, testY) = Load(directory, train: false);
        Console.WriteLine($"Fashion-MNIST from {directory}: {trainY.Length:N0} train, {testY.Length:N0} test; " +
                          $"batch {BatchSize}, Adam 1e-3, {epochs} epoch(s), {threads} thread(s)");
        int[][] orders = Enumerable.Range(0, epochs).Select(e => Shuffled(trainY.Length, seed: e)).ToArray();

        var ours = TrainConvSharp(trainX, trainY, testX, testY, orders);
        var theirs = TrainTorch(trainX, trainY, testX, testY, orders);
        for (int e = 0; e < epochs; e++)
            Console.WriteLine($"epoch {e + 1}: ConvSharp {ours[e].Seconds:F1} s, {trainY.Length / ours[e].Seconds:N0} img/s, test {ours[e].Accuracy:P2} | " +
                              $"TorchSharp {theirs[e].Seconds:F1} s, {trainY.Length / theirs[e].Seconds:N0} img/s, test {theirs[e].Accuracy:P2} | " +
                              $"speed ratio {theirs[e].Seconds / ours[e].Seconds:F2}x");
        return 0;
    }

    private static (float[] X, int[] Y) Load(string directory, bool train)
    {
        ImageDataset data = FashionMnist.Load(directory, train);
        var x = new float[data.Count * 784];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<byte> pixels = data.PixelsOf(i);
            for (int j = 0; j < 784; j++) x[i * 784 + j] = (pixels[j] / 255f - Mean) / Std;
        }
        return (x, data.Labels.ToArray());
    }

    private static int[] Shuffled(int count, int seed)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static void Gather(float[] x, int[] y, int[] order, int start, int count, float[] batchX, float[] batchY)
    {
        for (int i = 0; i < count; i++)
        {
            Array.Copy(x, order[start + i] * 784, batchX, i * 784, 784);
            batchY[i] = y[order[start + i]];
        }
    }

    private static List<(double Seconds, double Accuracy)> TrainConvSharp(float[] trainX, int[] trainY, float[] testX, int[] testY, int[][] orders)
    {
        using Sequential model = Networks.ConvSharp("mnist-cnn");
        using var loss = new CrossEntropyLoss();
        using var adam = new Adam(model.Parameters(), lr: 1e-3f);
        var batchX = new float[BatchSize * 784];
        var batchY = new float[BatchSize];
        var results = new List<(double, double)>();
        foreach (int[] order in orders)
        {
            model.Train();
            var clock = Stopwatch.StartNew();
            for (int start = 0; start + BatchSize <= order.Length; start += BatchSize)
            {
                using var scope = Tensor.Scope();
                Gather(trainX, trainY, order, start, BatchSize, batchX, batchY);
                var l = loss.Forward(model.Forward(Tensor.FromArray(batchX, BatchSize, 1, 28, 28)), Tensor.FromArray(batchY, BatchSize));
                adam.ZeroGrad();
                l.Backward();
                adam.Step();
            }
            double seconds = clock.Elapsed.TotalSeconds;

            model.Eval();
            int correct = 0;
            using (Autograd.NoGrad())
                for (int start = 0; start < testY.Length; start += 500)
                {
                    using var scope = Tensor.Scope();
                    int n = Math.Min(500, testY.Length - start);
                    float[] predicted = model.Forward(Tensor.FromArray(testX[(start * 784)..((start + n) * 784)], n, 1, 28, 28)).ArgMax(1).ToArray();
                    for (int i = 0; i < n; i++) correct += (int)predicted[i] == testY[start + i] ? 1 : 0;
                }
            results.Add((seconds, (double)correct / testY.Length));
        }
        return results;
    }

    private static List<(double Seconds, double Accuracy)> TrainTorch(float[] trainX, int[] trainY, float[] testX, int[] testY, int[][] orders)
    {
        using var model = Networks.Torch("mnist-cnn");
        using var adam = optim.Adam(model.parameters(), lr: 1e-3);
        var batchX = new float[BatchSize * 784];
        var batchY = new float[BatchSize];
        var results = new List<(double, double)>();
        foreach (int[] order in orders)
        {
            model.train();
            var clock = Stopwatch.StartNew();
            for (int start = 0; start + BatchSize <= order.Length; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                Gather(trainX, trainY, order, start, BatchSize, batchX, batchY);
                var l = TorchNn.functional.cross_entropy(model.forward(tensor(batchX, [BatchSize, 1, 28, 28])),
                    tensor(batchY.Select(v => (long)v).ToArray()));
                adam.zero_grad();
                l.backward();
                adam.step();
            }
            double seconds = clock.Elapsed.TotalSeconds;

            model.eval();
            long correct = 0;
            using (no_grad())
                for (int start = 0; start < testY.Length; start += 500)
                {
                    using var scope = NewDisposeScope();
                    int n = Math.Min(500, testY.Length - start);
                    var predicted = model.forward(tensor(testX[(start * 784)..((start + n) * 784)], [n, 1, 28, 28])).argmax(1);
                    correct += predicted.eq(tensor(testY[start..(start + n)].Select(v => (long)v).ToArray())).sum().item<long>();
                }
            results.Add((seconds, (double)correct / testY.Length));
        }
        return results;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out int value) ? value : fallback;
    }
}
