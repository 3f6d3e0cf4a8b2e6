using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;
using TTensor = TorchSharp.torch.Tensor;

namespace ConvSharp.Benchmarks;

/// <summary>One Conv2d layer, forward and forward + backward (input and weight gradients), ConvSharp next to
/// TorchSharp (libtorch 2.10, oneDNN) in the same process, same thread count. Shapes from issue 6:
/// "N C K HxW" (3×3, padding 1) and the 768×1024 stride-2 5×5 stem; the GFLOP/s column counts
/// 2·N·K·C·R·S·H'·W' per GEMM (one forward, three with backward).</summary>
public class ConvLayerBenchmarks : IFlopCounted
{
    private Tensor _x = null!, _w = null!, _b = null!, _gy = null!;
    private TTensor _tx = null!, _tw = null!, _tb = null!, _tgy = null!;

    /// <summary>N C K H W [kernel stride padding].</summary>
    [Params("16 1 16 28 28", "16 16 32 14 14", "16 32 64 7 7", "16 3 32 32 32", "16 32 32 32 32",
            "16 32 64 16 16", "16 64 64 16 16", "32 64 64 56 56", "8 256 256 14 14", "1 3 16 768 1024 5 2 1")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    private record struct Layer(int N, int C, int K, int H, int W, int Kernel, int Stride, int Padding)
    {
        public int OH => (H + 2 * Padding - Kernel) / Stride + 1;
        public int OW => (W + 2 * Padding - Kernel) / Stride + 1;
        public double ForwardFlops => 2.0 * N * K * C * Kernel * Kernel * OH * OW;
    }

    private static Layer Parse(string shape)
    {
        int[] v = shape.Split(' ').Select(int.Parse).ToArray();
        return v.Length == 5 ? new Layer(v[0], v[1], v[2], v[3], v[4], 3, 1, 1) : new Layer(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    /// <inheritdoc />
    public static double Flops(string method, IReadOnlyDictionary<string, object> parameters)
    {
        double forward = Parse((string)parameters[nameof(Shape)]).ForwardFlops;
        return method.Contains("Backward") ? 3 * forward : forward;
    }

    [GlobalSetup]
    public void Setup()
    {
        Networks.SetThreads(Threads);
        Layer l = Parse(Shape);
        float bound = 1f / MathF.Sqrt(l.C * l.Kernel * l.Kernel);
        _x = Tensor.Rand([l.N, l.C, l.H, l.W], seed: 1).MoveToOuterScope();
        _w = ((Tensor.Rand([l.K, l.C, l.Kernel, l.Kernel], seed: 2) * 2f - 1f) * bound).MoveToOuterScope();
        _b = ((Tensor.Rand([l.K], seed: 3) * 2f - 1f) * bound).MoveToOuterScope();
        _gy = Tensor.Rand([l.N, l.K, l.OH, l.OW], seed: 4).MoveToOuterScope();
        _x.RequiresGrad = _w.RequiresGrad = _b.RequiresGrad = true;

        _tx = Torch(_x).requires_grad_();
        _tw = Torch(_w).requires_grad_();
        _tb = Torch(_b).requires_grad_();
        _tgy = Torch(_gy);
    }

    private static TTensor Torch(Tensor t) =>
        tensor(t.ToArray(), t.Shape.Select(d => (long)d).ToArray());

    private Layer Geometry => Parse(Shape);

    [Benchmark(Description = "ConvSharp forward")]
    public long ConvSharpForward()
    {
        using var noGrad = Autograd.NoGrad();
        Layer l = Geometry;
        using var y = Tensor.Conv2d(_x, _w, _b, l.Stride, l.Padding);
        return y.Numel;
    }

    [Benchmark(Description = "TorchSharp forward")]
    public long TorchForward()
    {
        using var noGrad = no_grad();
        Layer l = Geometry;
        using var y = nn.functional.conv2d(_tx, _tw, _tb, strides: [l.Stride, l.Stride], padding: [l.Padding, l.Padding]);
        return y.numel();
    }

    [Benchmark(Description = "ConvSharp forward + backward")]
    public long ConvSharpBackward()
    {
        Layer l = Geometry;
        using var y = Tensor.Conv2d(_x, _w, _b, l.Stride, l.Padding);
        y.Backward(_gy);
        _x.Grad!.Dispose(); _w.Grad!.Dispose(); _b.Grad!.Dispose();
        _x.Grad = _w.Grad = _b.Grad = null;
        return y.Numel;
    }

    [Benchmark(Description = "TorchSharp forward + backward")]
    public long TorchBackward()
    {
        Layer l = Geometry;
        using var y = nn.functional.conv2d(_tx, _tw, _tb, strides: [l.Stride, l.Stride], padding: [l.Padding, l.Padding]);
        y.backward([_tgy]);
        _tx.grad!.Dispose(); _tw.grad!.Dispose(); _tb.grad!.Dispose();
        _tx.grad = _tw.grad = _tb.grad = null;
        return y.numel();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose(); _w.Dispose(); _b.Dispose(); _gy.Dispose();
        _tx.Dispose(); _tw.Dispose(); _tb.Dispose(); _tgy.Dispose();
    }
}
