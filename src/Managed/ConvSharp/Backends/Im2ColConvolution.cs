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
        var l = new Layout(geometry, outChannels, workers);
        if (bias is { } b)
            k.Elementwise(BinaryOp.CopyA, [l.N, outChannels, (int)l.Plane], new(y, [outChannels * l.Plane, l.Plane, 1L]), new(b, [0L, 1L, 0L]), default);
        ForEachImageGroup(k, l, (columns, _, bi, gi) =>
        {
            k.Im2ColImage(l.Input(x, bi, gi), l.Group, columns, l.Plane, 0);
            k.Gemm(false, false, l.Kg, (int)l.Plane, (int)l.Rows, 1f, l.Weight(w, gi), (int)l.Rows, columns, (int)l.Plane,
                bias is null ? 0f : 1f, l.Output(y, bi, gi), (int)l.Plane);
        });
    }

    /// <summary>dx += the input gradient, image by image: col = W_gᵀ·dy_g, then col2im.</summary>
    public static void BackwardData(IColumnKernels k, in ConvGeometry geometry, int outChannels, int workers,
        BufferSlice w, BufferSlice dy, BufferSlice dx)
    {
        var l = new Layout(geometry, outChannels, workers);
        ForEachImageGroup(k, l, (columns, _, bi, gi) =>
            ScatterImage(k, l.Weight(w, gi), l.Output(dy, bi, gi), l.Kg, l.Group, columns, l.Input(dx, bi, gi)));
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
        var l = new Layout(geometry, outChannels, workers);
        Partials partials = Partials.For(k, dw, l.Workers);
        try
        {
            ForEachImageGroup(k, l, (columns, worker, bi, gi) =>
            {
                k.Im2ColImage(l.Input(x, bi, gi), l.Group, columns, l.Plane, 0);
                k.Gemm(false, true, l.Kg, (int)l.Rows, (int)l.Plane, 1f, l.Output(dy, bi, gi), (int)l.Plane,
                    columns, (int)l.Plane, 1f, l.Weight(partials.Of(worker), gi), (int)l.Rows);
            });
            partials.AddInto(k);
        }
        finally { partials.Release(); }
    }

    /// <summary>Runs body(columns, worker, image, group) for every image and group, images split over the workers, each
    /// worker with its own [R, P] column scratch.</summary>
    private static void ForEachImageGroup(IColumnKernels k, Layout l, Action<BufferSlice, int, int, int> body)
    {
        DeviceBuffer col = k.Allocate(l.ColLength * l.Workers, zero: false);
        try
        {
            k.ParallelFor(l.N, l.Workers, (worker, start, end) =>
            {
                var mine = new BufferSlice(col, worker * l.ColLength, l.ColLength);
                for (int bi = start; bi < end; bi++)
                    for (int gi = 0; gi < l.Groups; gi++) body(mine, worker, bi, gi);
            });
        }
        finally { col.Release(); }
    }

    /// <summary>The per-group sizes of one convolution and the slices of image b, group g in its NCHW tensors.</summary>
    private readonly struct Layout
    {
        public Layout(in ConvGeometry geometry, int outChannels, int workers)
        {
            Group = geometry.PerGroup();
            (N, Groups, K) = (geometry.N, geometry.Groups, outChannels);
            Kg = outChannels / Groups;
            Plane = (long)Group.OH * Group.OW;
            Rows = Group.ColumnRows;
            ImageIn = Group.C * (long)Group.H * Group.W;
            ColLength = Rows * Plane;
            Workers = Math.Clamp(Math.Min(workers, N), 1, N);
        }

        public ConvGeometry Group { get; }
        public int N { get; }
        public int Groups { get; }
        public int K { get; }
        public int Kg { get; }
        public long Plane { get; }
        public long Rows { get; }
        public long ImageIn { get; }
        public long ColLength { get; }
        public int Workers { get; }

        public BufferSlice Input(BufferSlice x, int b, int g) => x.Slice(((long)b * Groups + g) * ImageIn, ImageIn);
        public BufferSlice Output(BufferSlice y, int b, int g) => y.Slice(((long)b * K + g * Kg) * Plane, Kg * Plane);
        public BufferSlice Weight(BufferSlice w, int g) => w.Slice(g * Kg * Rows, Kg * Rows);
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
