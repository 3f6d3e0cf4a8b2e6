using BenchmarkDotNet.Attributes;

namespace ConvSharp.Benchmarks;

/// <summary>Pooling through ConvSharp's whole path (shape checks, pooled result tensors, IKernels, LibraryImport)
/// next to a naive C# nested loop for the 2x2 stride-2 max pool (the baseline). Shapes: an MNIST-sized layer
/// (64 x 32 x 28 x 28, 14-wide output rows) and an ImageNet-stem-sized one (16 x 64 x 112 x 112).
/// The peer (TorchSharp / libtorch) belongs in the same run; see docs/benchmarks.md.</summary>
public class PoolingBenchmarks
{
    private Tensor _x = null!, _xGrad = null!, _ones = null!;
    private float[] _data = null!, _naiveOut = null!;

    /// <summary>N x C x H x W.</summary>
    [Params("64x32x28x28", "16x64x112x112")]
    public string Shape { get; set; } = "";

    private int[] Dims => Shape.Split('x').Select(int.Parse).ToArray();

    [GlobalSetup]
    public void Setup()
    {
        int[] d = Dims;
        _x = Tensor.Rand(d, seed: 1);
        _xGrad = Tensor.Rand(d, seed: 1);
        _xGrad.RequiresGrad = true;
        _ones = Tensor.Ones(d[0], d[1], d[2] / 2, d[3] / 2);
        _data = _x.ToArray();
        _naiveOut = new float[d[0] * d[1] * (d[2] / 2) * (d[3] / 2)];
    }

    [Benchmark(Baseline = true, Description = "naive C# 2x2 max pool")]
    public float NaiveMaxPool2x2()
    {
        int[] d = Dims;
        int planes = d[0] * d[1], h = d[2], w = d[3], oh = h / 2, ow = w / 2;
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int at = (p * h + 2 * i) * w + 2 * j;
            float m = _data[at];
            if (_data[at + 1] > m) m = _data[at + 1];
            if (_data[at + w] > m) m = _data[at + w];
            if (_data[at + w + 1] > m) m = _data[at + w + 1];
            _naiveOut[(p * oh + i) * ow + j] = m;
        }
        return _naiveOut[0];
    }

    [Benchmark(Description = "MaxPool2d(2), inference")]
    public long MaxPool2x2()
    {
        using var noGrad = Autograd.NoGrad();
        using var y = _x.MaxPool2d(2);
        return y.Numel;
    }

    [Benchmark(Description = "MaxPool2d(2), forward + backward")]
    public long MaxPool2x2Training()
    {
        using var y = _xGrad.MaxPool2d(2);
        y.Backward(_ones);
        _xGrad.Grad!.AsSpan().Clear();
        return y.Numel;
    }

    [Benchmark(Description = "MaxPool2d(3, 2, 1), inference")]
    public long MaxPool3x3()
    {
        using var noGrad = Autograd.NoGrad();
        using var y = _x.MaxPool2d(3, 2, 1);
        return y.Numel;
    }

    [Benchmark(Description = "AvgPool2d(2)")]
    public long AvgPool2x2()
    {
        using var y = _x.AvgPool2d(2);
        return y.Numel;
    }

    [Benchmark(Description = "GlobalAvgPool2d")]
    public long GlobalAvgPool()
    {
        using var y = Tensor.GlobalAvgPool2d(_x);
        return y.Numel;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _xGrad.Grad?.Dispose();
        _x.Dispose(); _xGrad.Dispose(); _ones.Dispose();
    }
}
