namespace ConvSharp.Backends;

/// <summary>What <see cref="Im2ColConvolution"/> needs from a backend: its GEMM, per-image im2col/col2im, element-wise
/// sums, storage and its way of running independent images side by side. Backend-internal, not part of
/// <see cref="IKernels"/>: ops never see it.</summary>
internal interface IColumnKernels
{
    DeviceBuffer Allocate(long length, bool zero);

    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc);

    /// <summary>im2col of one image's (one group's) C·H·W values (geometry.N ignored) into columns
    /// [columnOffset, columnOffset + OH·OW) of a column matrix whose rows are <paramref name="ldColumns"/> long.</summary>
    void Im2ColImage(BufferSlice image, in ConvGeometry geometry, BufferSlice columns, long ldColumns, long columnOffset);

    /// <summary>The adjoint of <see cref="Im2ColImage"/>; adds into <paramref name="image"/>.</summary>
    void Col2ImImage(BufferSlice columns, long ldColumns, long columnOffset, in ConvGeometry geometry, BufferSlice image);

    void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false);

    /// <summary>Runs body(worker, start, end) over [0, count) in at most <paramref name="workers"/> contiguous ranges,
    /// concurrently where the backend can; kernels called from the body run single-threaded.</summary>
    void ParallelFor(int count, int workers, Action<int, int, int> body);
}

// Convolution as im2col + GEMM, image by image and group by group. Letters: N batch, C input channels, H×W input,
// K output channels, G groups (Cg = C/G, Kg = K/G), KH×KW kernel, OH×OW output, P = OH·OW, R = Cg·KH·KW.
// Per image and group, im2col writes an [R, P] column matrix into a per-worker scratch that stays in cache, and one
// GEMM W_g[Kg, R] × col[R, P] writes that image's NCHW output directly (bias pre-filled, beta = 1): no reordering
// pass. The backward recomputes the columns per image rather than keeping the batch's (for N=32 64→64 56×56 that
// would be 230 MB): dW_g += g_b,g·colᵀ (per-worker partial sums, added at the end), dcol = W_gᵀ·g_b,g then col2im
// into dX. Measured against one GEMM over the whole batch's columns, which needs two reordering passes, this was
// as fast or faster at every shape tried (docs/benchmarks.md). The CPU runs it where its direct kernels do not
// apply (grouped layers, C·KH·KW > 1024); OpenCL runs it for every layer until it has kernels of its own.
internal static class Im2ColConvolution
{
    public static void Forward(IColumnKernels k, in ConvGeometry geometry, int outChannels, int workers,
        BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y)
    {
        ConvGeometry g = geometry.PerGroup();
        int n = geometry.N, groups = geometry.Groups, kg = outChannels / groups;
        long plane = (long)g.OH * g.OW, rows = g.ColumnRows, imageIn = g.C * (long)g.H * g.W, colLength = rows * plane;
        workers = Math.Clamp(Math.Min(workers, n), 1, n);
        if (bias is { } b)
            k.Elementwise(BinaryOp.CopyA, [n, outChannels, (int)plane], new(y, [outChannels * plane, plane, 1L]), new(b, [0L, 1L, 0L]), default);
        DeviceBuffer col = k.Allocate(colLength * workers, zero: false);
        try
        {
            k.ParallelFor(n, workers, (worker, start, end) =>
            {
                var mine = new BufferSlice(col, worker * colLength, colLength);
                for (int bi = start; bi < end; bi++)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        k.Im2ColImage(x.Slice(((long)bi * groups + gi) * imageIn, imageIn), g, mine, plane, 0);
                        k.Gemm(false, false, kg, (int)plane, (int)rows, 1f, w.Slice(gi * kg * rows, kg * rows), (int)rows, mine, (int)plane,
                            bias is null ? 0f : 1f, y.Slice(((long)bi * outChannels + gi * kg) * plane, kg * plane), (int)plane);
                    }
            });
        }
        finally { col.Release(); }
    }

    /// <summary>dx += the input gradient, image by image: col = W_gᵀ·dy_g, then col2im.</summary>
    public static void BackwardData(IColumnKernels k, in ConvGeometry geometry, int outChannels, int workers,
        BufferSlice w, BufferSlice dy, BufferSlice dx)
    {
        ConvGeometry g = geometry.PerGroup();
        int n = geometry.N, groups = geometry.Groups, kg = outChannels / groups;
        long plane = (long)g.OH * g.OW, rows = g.ColumnRows, imageIn = g.C * (long)g.H * g.W, colLength = rows * plane;
        workers = Math.Clamp(Math.Min(workers, n), 1, n);
        DeviceBuffer col = k.Allocate(colLength * workers, zero: false);
        try
        {
            k.ParallelFor(n, workers, (worker, start, end) =>
            {
                var mine = new BufferSlice(col, worker * colLength, colLength);
                for (int bi = start; bi < end; bi++)
                    for (int gi = 0; gi < groups; gi++)
                        ScatterImage(k, w.Slice(gi * kg * rows, kg * rows), dy.Slice(((long)bi * outChannels + gi * kg) * plane, kg * plane), kg, g,
                            mine, dx.Slice(((long)bi * groups + gi) * imageIn, imageIn));
            });
        }
        finally { col.Release(); }
    }

    /// <summary>dX of one image (and group) += col2im(Wᵀ·g): w is [K, R], g [K, P], columns an [R, P] scratch. One group.</summary>
    public static void ScatterImage(IColumnKernels k, BufferSlice w, BufferSlice g, int outChannels, in ConvGeometry geometry,
        BufferSlice columns, BufferSlice dxImage)
    {
        int rows = (int)geometry.ColumnRows, plane = geometry.OH * geometry.OW;
        k.Gemm(true, false, rows, plane, outChannels, 1f, w, rows, g, plane, 0f, columns, plane);
        k.Col2ImImage(columns, plane, 0, geometry, dxImage);
    }

    /// <summary>dw += Σ over images of dy_g·colᵀ (per-worker partials, summed at the end).</summary>
    public static void BackwardFilter(IColumnKernels k, in ConvGeometry geometry, int outChannels, int workers,
        BufferSlice x, BufferSlice dy, BufferSlice dw)
    {
        ConvGeometry g = geometry.PerGroup();
        int n = geometry.N, groups = geometry.Groups, kg = outChannels / groups;
        long plane = (long)g.OH * g.OW, rows = g.ColumnRows, imageIn = g.C * (long)g.H * g.W, colLength = rows * plane;
        workers = Math.Clamp(Math.Min(workers, n), 1, n);
        DeviceBuffer col = k.Allocate(colLength * workers, zero: false);
        Partials partials = Partials.For(k, dw, workers);
        try
        {
            k.ParallelFor(n, workers, (worker, start, end) =>
            {
                var mine = new BufferSlice(col, worker * colLength, colLength);
                BufferSlice dwMine = partials.Of(worker);
                for (int bi = start; bi < end; bi++)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        k.Im2ColImage(x.Slice(((long)bi * groups + gi) * imageIn, imageIn), g, mine, plane, 0);
                        k.Gemm(false, true, kg, (int)rows, (int)plane, 1f, dy.Slice(((long)bi * outChannels + gi * kg) * plane, kg * plane), (int)plane,
                            mine, (int)plane, 1f, dwMine.Slice(gi * kg * rows, kg * rows), (int)rows);
                    }
            });
            partials.AddInto(k);
        }
        finally
        {
            col.Release();
            partials.Release();
        }
    }

    /// <summary>dB[K] += Σ over images and positions of dy[N, K, P]: one strided reduction.</summary>
    public static void BiasGradient(IColumnKernels k, int n, int outChannels, long plane, BufferSlice dy, BufferSlice db) =>
        k.Elementwise(BinaryOp.CopyA, [n, outChannels, checked((int)plane)], new(db, [0L, 1L, 0L]),
            new(dy, [outChannels * plane, plane, 1L]), default, 1f, accumulate: true);
}

/// <summary>Per-worker weight-gradient accumulators: worker 0 adds into dw itself, workers 1.. into zeroed partials that
/// <see cref="AddInto"/> sums into dw, so the result does not depend on which worker ran which images.</summary>
internal readonly struct Partials
{
    private readonly BufferSlice _dw;
    private readonly DeviceBuffer? _extra;
    private readonly int _workers;

    private Partials(BufferSlice dw, DeviceBuffer? extra, int workers) => (_dw, _extra, _workers) = (dw, extra, workers);

    public static Partials For(IColumnKernels k, BufferSlice dw, int workers) =>
        new(dw, workers > 1 ? k.Allocate((workers - 1) * dw.Length, zero: true) : null, workers);

    public BufferSlice Of(int worker) => worker == 0 ? _dw : new BufferSlice(_extra!, (worker - 1) * _dw.Length, _dw.Length);

    public void AddInto(IColumnKernels k)
    {
        if (_extra is null) return;
        k.Elementwise(BinaryOp.CopyA, [_workers - 1, checked((int)_dw.Length)], new(_dw, [0L, 1L]),
            new(new BufferSlice(_extra, 0, (_workers - 1) * _dw.Length), [_dw.Length, 1L]), default, 1f, accumulate: true);
    }

    public void Release() => _extra?.Release();
}
