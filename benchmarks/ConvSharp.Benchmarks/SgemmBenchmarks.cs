using BenchmarkDotNet.Attributes;

namespace ConvSharp.Benchmarks;

/// <summary>The machine's ceiling for GEMM-bound layers: OpenBLAS's cblas_sgemm called directly (row-major,
/// no transposes) at M = N = K, with 1 and 2 threads. Conv layers' GFLOP/s are read against this.</summary>
public unsafe class SgemmBenchmarks : IFlopCounted
{
    private Tensor _a = null!, _b = null!, _c = null!;
    private float* _pa, _pb, _pc;

    [Params(1024, 2048)]
    public int Size { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <inheritdoc />
    public static double Flops(string method, IReadOnlyDictionary<string, object> parameters) =>
        2.0 * Math.Pow((int)parameters[nameof(Size)], 3);

    [GlobalSetup]
    public void Setup()
    {
        Blas.NumThreads = Threads;
        _a = Tensor.Rand([Size, Size], seed: 1);
        _b = Tensor.Rand([Size, Size], seed: 2);
        _c = Tensor.Zeros(Size, Size);
        fixed (float* p = _a.AsSpan()) _pa = p;  // pooled arrays are pinned: the addresses stay valid
        fixed (float* p = _b.AsSpan()) _pb = p;
        fixed (float* p = _c.AsSpan()) _pc = p;
    }

    [Benchmark(Description = "OpenBLAS sgemm")]
    public void Sgemm() =>
        Interop.OpenBlas.cblas_sgemm(Interop.OpenBlas.RowMajor, Interop.OpenBlas.NoTrans, Interop.OpenBlas.NoTrans,
            Size, Size, Size, 1f, _pa, Size, _pb, Size, 0f, _pc, Size);

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose(); _b.Dispose(); _c.Dispose();
    }
}
