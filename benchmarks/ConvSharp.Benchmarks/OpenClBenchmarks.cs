using BenchmarkDotNet.Attributes;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Benchmarks;

/// <summary>The same work on the CPU backend and on the OpenCL backend (Device.OpenCL(): the first GPU, else
/// PoCL on the CPU), side by side through the Device column: two convolution layers of the 29,066-parameter
/// network, forward and forward + backward, and one whole training step of it. Batch 16, random data.
/// Every OpenCL measurement ends with Device.Synchronize(), so it times the kernels, not their enqueueing.
/// Gradients accumulate into the same tensors from one invocation to the next, as in a training loop.
/// Letters: N batch, C → K channels, H×W input, 3×3 kernels, padding 1.</summary>
public class OpenClBenchmarks
{
    private Device _device = null!;
    private Tensor _x1 = null!, _w1 = null!, _b1 = null!, _x2 = null!, _w2 = null!, _b2 = null!;
    private Sequential _model = null!;
    private CrossEntropyLoss _loss = null!;
    private Adam _adam = null!;
    private Tensor _images = null!, _labels = null!;

    [Params("cpu", "opencl")]
    public string Device { get; set; } = "cpu";

    [GlobalSetup]
    public void Setup()
    {
        _device = Device == "opencl" ? ConvSharp.Device.OpenCL() : ConvSharp.Device.Cpu;
        if (_device.OpenCLInfo is { } info) Console.WriteLine($"// OpenCL device: {info}");
        Tensor On(Tensor t)
        {
            var moved = t.To(_device);
            if (!ReferenceEquals(moved, t)) t.Dispose();
            return moved.MoveToOuterScope();
        }
        _x1 = On(Tensor.Rand([16, 1, 28, 28], seed: 1));
        _w1 = On(Tensor.Rand([16, 1, 3, 3], seed: 2));
        _b1 = On(Tensor.Rand([16], seed: 3));
        _x2 = On(Tensor.Rand([16, 16, 14, 14], seed: 4));
        _w2 = On(Tensor.Rand([32, 16, 3, 3], seed: 5));
        _b2 = On(Tensor.Rand([32], seed: 6));
        foreach (var t in new[] { _w1, _b1, _w2, _b2 }) t.RequiresGrad = true;

        _model = new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10));
        _model.To(_device);
        _loss = new CrossEntropyLoss();
        _adam = new Adam(_model.Parameters(), lr: 1e-3f);
        _images = On(Tensor.Rand([16, 1, 28, 28], seed: 7));
        var rng = new Random(8);
        _labels = On(Tensor.FromArray(Enumerable.Range(0, 16).Select(_ => (float)rng.Next(10)).ToArray(), 16));
    }

    [Benchmark(Description = "conv 1→16, 28×28, forward")]
    public void Conv1Forward()
    {
        using var scope = Tensor.Scope();
        using (Autograd.NoGrad()) Tensor.Conv2d(_x1, _w1, _b1, padding: 1);
        _device.Synchronize();
    }

    [Benchmark(Description = "conv 1→16, 28×28, forward + backward")]
    public void Conv1ForwardBackward()
    {
        using var scope = Tensor.Scope();
        Tensor.Conv2d(_x1, _w1, _b1, padding: 1).Sum().Backward();
        _device.Synchronize();
    }

    [Benchmark(Description = "conv 16→32, 14×14, forward")]
    public void Conv2Forward()
    {
        using var scope = Tensor.Scope();
        using (Autograd.NoGrad()) Tensor.Conv2d(_x2, _w2, _b2, padding: 1);
        _device.Synchronize();
    }

    [Benchmark(Description = "conv 16→32, 14×14, forward + backward")]
    public void Conv2ForwardBackward()
    {
        using var scope = Tensor.Scope();
        Tensor.Conv2d(_x2, _w2, _b2, padding: 1).Sum().Backward();
        _device.Synchronize();
    }

    [Benchmark(Description = "train step (fwd + CE + bwd + Adam), 29,066-param CNN, batch 16")]
    public float TrainStep()
    {
        using var scope = Tensor.Scope();
        var loss = _loss.Forward(_model.Forward(_images), _labels);
        _adam.ZeroGrad();
        loss.Backward();
        _adam.Step();
        return loss.Item();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _adam.Dispose();
        _model.Dispose();
        foreach (var t in new[] { _x1, _w1, _b1, _x2, _w2, _b2, _images, _labels }) t.Dispose();
    }
}
