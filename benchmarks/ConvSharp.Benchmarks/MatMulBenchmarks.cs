using BenchmarkDotNet.Attributes;

namespace ConvSharp.Benchmarks;

/// <summary>MatMul through ConvSharp's whole path (shape checks, pooled result tensor, IKernels,
/// LibraryImport) against cblas_sgemm called directly on the same pinned memory: the difference is
/// the wrapper's overhead. M = N = K.</summary>
public unsafe class MatMulBenchmarks
{
    private Tensor _a = null!, _b = null!, _c = null!;
    private float* _pa, _pb, _pc;

    [Params(8, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.Rand([Size, Size], seed: 1);
        _b = Tensor.Rand([Size, Size], seed: 2);
        _c = Tensor.Zeros(Size, Size);
        _pa = Pointer(_a); _pb = Pointer(_b); _pc = Pointer(_c);
    }

    private static float* Pointer(Tensor t)
    {
        fixed (float* p = t.AsSpan()) return p;  // pooled arrays are pinned: the address stays valid
    }

    [Benchmark(Baseline = true, Description = "cblas_sgemm direct")]
    public void DirectSgemm() =>
        Interop.OpenBlas.cblas_sgemm(Interop.OpenBlas.RowMajor, Interop.OpenBlas.NoTrans, Interop.OpenBlas.NoTrans,
            Size, Size, Size, 1f, _pa, Size, _pb, Size, 0f, _pc, Size);

    [Benchmark(Description = "Tensor.MatMul")]
    public float MatMul()
    {
        using var c = _a.MatMul(_b);
        return c.Numel;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose(); _b.Dispose(); _c.Dispose();
    }
}
