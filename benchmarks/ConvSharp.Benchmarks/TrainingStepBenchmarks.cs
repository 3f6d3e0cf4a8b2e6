using BenchmarkDotNet.Attributes;
using ConvSharp.NN;
using ConvSharp.Optim;
using static TorchSharp.torch;
using TorchNn = TorchSharp.torch.nn;
using TTensor = TorchSharp.torch.Tensor;

namespace ConvSharp.Benchmarks;

/// <summary>One training step (forward, cross-entropy, zero-grad, backward, Adam 1e-3) on random data, ConvSharp
/// next to TorchSharp in the same process and thread count. Networks: the 29,066-parameter Fashion-MNIST
/// network (1×28×28), LeNet-5 and cifar-cnn (3×32×32). MemoryDiagnoser shows what a steady-state step allocates.</summary>
public class TrainingStepBenchmarks : IImageCounted
{
    private Sequential _model = null!;
    private CrossEntropyLoss _loss = null!;
    private Adam _adam = null!;
    private Tensor _images = null!, _labels = null!;
    private TorchNn.Module<TTensor, TTensor> _torchModel = null!;
    private TorchSharp.Modules.Adam _torchAdam = null!;
    private TTensor _torchImages = null!, _torchLabels = null!;

    [Params("mnist-cnn", "lenet5", "cifar-cnn")]
    public string Network { get; set; } = "";

    [Params(16, 64)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <inheritdoc />
    public static double Images(string method, IReadOnlyDictionary<string, object> parameters) => (int)parameters[nameof(Batch)];

    [GlobalSetup]
    public void Setup()
    {
        Networks.SetThreads(Threads);
        int[] shape = [Batch, .. Networks.InputShape[Network]];
        _model = Networks.ConvSharp(Network);
        _loss = new CrossEntropyLoss();
        _adam = new Adam(_model.Parameters(), lr: 1e-3f);
        _images = Tensor.Rand(shape, seed: 1).MoveToOuterScope();
        var rng = new Random(2);
        float[] labels = Enumerable.Range(0, Batch).Select(_ => (float)rng.Next(10)).ToArray();
        _labels = Tensor.FromArray(labels, Batch).MoveToOuterScope();

        _torchModel = Networks.Torch(Network);
        _torchAdam = optim.Adam(_torchModel.parameters(), lr: 1e-3);
        _torchImages = tensor(_images.ToArray(), shape.Select(d => (long)d).ToArray());
        _torchLabels = tensor(labels.Select(l => (long)l).ToArray());
    }

    [Benchmark(Description = "ConvSharp train step")]
    public float ConvSharpStep()
    {
        using var scope = Tensor.Scope();
        var loss = _loss.Forward(_model.Forward(_images), _labels);
        _adam.ZeroGrad();
        loss.Backward();
        _adam.Step();
        return loss.Item();
    }

    [Benchmark(Description = "TorchSharp train step")]
    public float TorchStep()
    {
        using var scope = NewDisposeScope();
        var loss = TorchNn.functional.cross_entropy(_torchModel.forward(_torchImages), _torchLabels);
        _torchAdam.zero_grad();
        loss.backward();
        _torchAdam.step();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _adam.Dispose(); _model.Dispose(); _images.Dispose(); _labels.Dispose();
        _torchAdam.Dispose(); _torchModel.Dispose(); _torchImages.Dispose(); _torchLabels.Dispose();
    }
}

/// <summary>Inference of the 29,066-parameter network (eval mode, no gradient) at batch 1 (the latency a
/// service embedding the model feels) and 256, ConvSharp next to TorchSharp.</summary>
public class InferenceBenchmarks : IImageCounted
{
    private Sequential _model = null!;
    private Tensor _images = null!;
    private TorchNn.Module<TTensor, TTensor> _torchModel = null!;
    private TTensor _torchImages = null!;

    [Params(1, 256)]
    public int Batch { get; set; }

    /// <inheritdoc />
    public static double Images(string method, IReadOnlyDictionary<string, object> parameters) => (int)parameters[nameof(Batch)];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Networks.SetThreads(Threads);
        _model = Networks.ConvSharp("mnist-cnn");
        _model.Eval();
        _images = Tensor.Rand([Batch, 1, 28, 28], seed: 1).MoveToOuterScope();
        _torchModel = Networks.Torch("mnist-cnn");
        _torchModel.eval();
        _torchImages = tensor(_images.ToArray(), [Batch, 1, 28, 28]);
    }

    [Benchmark(Description = "ConvSharp inference")]
    public int ConvSharpInference()
    {
        using var scope = Tensor.Scope();
        using (Autograd.NoGrad()) return (int)_model.Forward(_images).ArgMax(1).Numel;
    }

    [Benchmark(Description = "TorchSharp inference")]
    public long TorchInference()
    {
        using var scope = NewDisposeScope();
        using (no_grad()) return _torchModel.forward(_torchImages).argmax(1).numel();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose(); _images.Dispose();
        _torchModel.Dispose(); _torchImages.Dispose();
    }
}
