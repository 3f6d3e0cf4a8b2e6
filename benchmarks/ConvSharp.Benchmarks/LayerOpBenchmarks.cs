using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;
using TTensor = TorchSharp.torch.Tensor;

namespace ConvSharp.Benchmarks;

/// <summary>MaxPool2d(2) and ReLU, forward + backward on 16×32×28×28 (the first block of the Fashion-MNIST
/// network at batch 16), ConvSharp next to TorchSharp in the same process and thread count.</summary>
public class LayerOpBenchmarks
{
    private Tensor _x = null!, _gPool = null!, _gRelu = null!;
    private TTensor _tx = null!, _tgPool = null!, _tgRelu = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Networks.SetThreads(Threads);
        _x = (Tensor.Rand([16, 32, 28, 28], seed: 1) - 0.5f).MoveToOuterScope();
        _x.RequiresGrad = true;
        _gPool = Tensor.Rand([16, 32, 14, 14], seed: 2).MoveToOuterScope();
        _gRelu = Tensor.Rand([16, 32, 28, 28], seed: 3).MoveToOuterScope();
        _tx = tensor(_x.ToArray(), [16, 32, 28, 28]).requires_grad_();
        _tgPool = tensor(_gPool.ToArray(), [16, 32, 14, 14]);
        _tgRelu = tensor(_gRelu.ToArray(), [16, 32, 28, 28]);
    }

    [Benchmark(Description = "ConvSharp MaxPool2d(2) fwd + bwd")]
    public long ConvSharpMaxPool()
    {
        using var y = _x.MaxPool2d(2);
        y.Backward(_gPool);
        ClearGrad();
        return y.Numel;
    }

    [Benchmark(Description = "TorchSharp MaxPool2d(2) fwd + bwd")]
    public long TorchMaxPool()
    {
        using var y = nn.functional.max_pool2d(_tx, 2);
        y.backward([_tgPool]);
        ClearTorchGrad();
        return y.numel();
    }

    [Benchmark(Description = "ConvSharp ReLU fwd + bwd")]
    public long ConvSharpRelu()
    {
        using var y = _x.Relu();
        y.Backward(_gRelu);
        ClearGrad();
        return y.Numel;
    }

    [Benchmark(Description = "TorchSharp ReLU fwd + bwd")]
    public long TorchRelu()
    {
        using var y = nn.functional.relu(_tx);
        y.backward([_tgRelu]);
        ClearTorchGrad();
        return y.numel();
    }

    private void ClearGrad()
    {
        _x.Grad!.Dispose();
        _x.Grad = null;
    }

    private void ClearTorchGrad()
    {
        _tx.grad!.Dispose();
        _tx.grad = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose(); _gPool.Dispose(); _gRelu.Dispose();
        _tx.Dispose(); _tgPool.Dispose(); _tgRelu.Dispose();
    }
}
