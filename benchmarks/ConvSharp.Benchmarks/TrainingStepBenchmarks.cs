using BenchmarkDotNet.Attributes;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Benchmarks;

/// <summary>One training step of the 29,066-parameter Fashion-MNIST network of DESIGN.md: forward,
/// cross-entropy, zero-grad, backward, Adam update.
/// Batch 16, random data, steady state (MemoryDiagnoser shows what a step allocates).</summary>
public class TrainingStepBenchmarks
{
    private Sequential _model = null!;
    private CrossEntropyLoss _loss = null!;
    private Adam _adam = null!;
    private Tensor _images = null!, _labels = null!;

    [Params(1, 16)]
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
        _adam = new Adam(_model.Parameters(), lr: 1e-3f);
        _images = Tensor.Rand([Batch, 1, 28, 28], seed: 1).MoveToOuterScope();
        var rng = new Random(2);
        _labels = Tensor.FromArray(Enumerable.Range(0, Batch).Select(_ => (float)rng.Next(10)).ToArray(), Batch);
    }

    [Benchmark(Description = "train step (fwd + CE + bwd + Adam), 29,066-param CNN")]
    public float Step()
    {
        using var scope = Tensor.Scope();
        var loss = _loss.Forward(_model.Forward(_images), _labels);
        _adam.ZeroGrad();
        loss.Backward();
        _adam.Step();
        return loss.Item();
    }

    [Benchmark(Description = "inference (no grad, eval), 29,066-param CNN")]
    public float Inference()
    {
        using var scope = Tensor.Scope();
        using (Autograd.NoGrad()) return _model.Forward(_images).Numel;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _adam.Dispose();
        _model.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
