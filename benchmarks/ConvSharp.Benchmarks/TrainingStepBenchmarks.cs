using BenchmarkDotNet.Attributes;
using ConvSharp.NN;

namespace ConvSharp.Benchmarks;

/// <summary>One training step of the 29,066-parameter Fashion-MNIST network of DESIGN.md: forward,
/// cross-entropy, zero-grad, backward (the optimizer update lands with the Optim namespace).
/// Batch 16, random data, steady state (MemoryDiagnoser shows what a step allocates).</summary>
public class TrainingStepBenchmarks
{
    private Sequential _model = null!;
    private CrossEntropyLoss _loss = null!;
    private Tensor _images = null!, _labels = null!;

    [Params(16)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10));
        _loss = new CrossEntropyLoss();
        _images = Tensor.Rand([Batch, 1, 28, 28], seed: 1).MoveToOuterScope();
        var rng = new Random(2);
        _labels = Tensor.FromArray(Enumerable.Range(0, Batch).Select(_ => (float)rng.Next(10)).ToArray(), Batch);
    }

    [Benchmark(Description = "forward + CE + backward, 29,066-param CNN")]
    public float Step()
    {
        using var scope = Tensor.Scope();
        var loss = _loss.Forward(_model.Forward(_images), _labels);
        _model.ZeroGrad();
        loss.Backward();
        return loss.Item();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
