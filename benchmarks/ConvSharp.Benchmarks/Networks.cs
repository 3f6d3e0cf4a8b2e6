using ConvSharp.NN;
using static TorchSharp.torch;
using TorchNn = TorchSharp.torch.nn;
using TTensor = TorchSharp.torch.Tensor;

namespace ConvSharp.Benchmarks;

/// <summary>The networks the benchmarks train, built twice from one description: once in ConvSharp, once
/// in TorchSharp (the peer), layer for layer the same, with PyTorch's default initialisation in both.</summary>
public static class Networks
{
    /// <summary>The networks by name, with the input shape (C, H, W) each expects.</summary>
    public static readonly IReadOnlyDictionary<string, int[]> InputShape = new Dictionary<string, int[]>
    {
        ["mnist-cnn"] = [1, 28, 28],  // the 29,066-parameter Fashion-MNIST network of DESIGN.md
        ["lenet5"] = [3, 32, 32],
        ["cifar-cnn"] = [3, 32, 32],
    };

    /// <summary>The ConvSharp network <paramref name="name"/>.</summary>
    public static Sequential ConvSharp(string name, int classes = 10) => name switch
    {
        "mnist-cnn" => new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, classes)),
        "lenet5" => new Sequential(
            new Conv2d(3, 6, 5), new Tanh(), new AvgPool2d(2),
            new Conv2d(6, 16, 5), new Tanh(), new AvgPool2d(2),
            new Conv2d(16, 120, 5), new Tanh(),
            new Flatten(), new Linear(120, 84), new Tanh(), new Linear(84, classes)),
        "cifar-cnn" => new Sequential(
            new Conv2d(3, 32, 3, padding: 1), new ReLU(),
            new Conv2d(32, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(),
            new Conv2d(64, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 8 * 8, classes)),
        _ => throw new ArgumentException($"Unknown network '{name}'.", nameof(name)),
    };

    /// <summary>The same network <paramref name="name"/> in TorchSharp.</summary>
    public static TorchNn.Module<TTensor, TTensor> Torch(string name, int classes = 10) => name switch
    {
        "mnist-cnn" => TorchNn.Sequential(
            TorchNn.Conv2d(1, 16, 3, padding: 1), TorchNn.ReLU(), TorchNn.MaxPool2d(2),
            TorchNn.Conv2d(16, 32, 3, padding: 1), TorchNn.ReLU(), TorchNn.MaxPool2d(2),
            TorchNn.Conv2d(32, 64, 3, padding: 1), TorchNn.ReLU(), TorchNn.MaxPool2d(2),
            TorchNn.Flatten(), TorchNn.Linear(64 * 3 * 3, classes)),
        "lenet5" => TorchNn.Sequential(
            TorchNn.Conv2d(3, 6, 5), TorchNn.Tanh(), TorchNn.AvgPool2d(2),
            TorchNn.Conv2d(6, 16, 5), TorchNn.Tanh(), TorchNn.AvgPool2d(2),
            TorchNn.Conv2d(16, 120, 5), TorchNn.Tanh(),
            TorchNn.Flatten(), TorchNn.Linear(120, 84), TorchNn.Tanh(), TorchNn.Linear(84, classes)),
        "cifar-cnn" => TorchNn.Sequential(
            TorchNn.Conv2d(3, 32, 3, padding: 1), TorchNn.ReLU(),
            TorchNn.Conv2d(32, 32, 3, padding: 1), TorchNn.ReLU(), TorchNn.MaxPool2d(2),
            TorchNn.Conv2d(32, 64, 3, padding: 1), TorchNn.ReLU(),
            TorchNn.Conv2d(64, 64, 3, padding: 1), TorchNn.ReLU(), TorchNn.MaxPool2d(2),
            TorchNn.Flatten(), TorchNn.Linear(64 * 8 * 8, classes)),
        _ => throw new ArgumentException($"Unknown network '{name}'.", nameof(name)),
    };

    /// <summary>Both libraries use <paramref name="threads"/> threads: OpenBLAS inside ConvSharp, libtorch's intra-op pool.</summary>
    public static void SetThreads(int threads)
    {
        Blas.NumThreads = threads;
        set_num_threads(threads);
    }
}
