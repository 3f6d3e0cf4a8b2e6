namespace ConvSharp.Backends.Cpu;

/// <summary>The CPU backend: libconvsharp_native for every kernel, OpenBLAS for GEMM. It decides how work is split over
/// cores (<see cref="ParallelFor"/>, <see cref="Workers"/>): the op layer never does. Slices arrive checked
/// (<see cref="CheckedKernels"/>).</summary>
internal sealed unsafe partial class CpuKernels(Device device) : IKernels, IColumnKernels, IPerKindKernels
{
    public Device Device { get; } = device;

    public DeviceBuffer Allocate(long length, bool zero)
    {
        // Large zeroed buffers (the gradients of big activations) are cleared on every worker.
        var buffer = new CpuBuffer(Device, length, zero && length < MinParallelElements);
        if (zero && length >= MinParallelElements) Fill(new BufferSlice(buffer, 0, length), 0f);
        return buffer;
    }

    public void Upload(ReadOnlySpan<float> source, BufferSlice destination, DeviceBuffer? pinnedOwner = null) => source.CopyTo(Span(destination));

    public void Download(BufferSlice source, Span<float> destination) => Span(source).CopyTo(destination);

    public void Synchronize() { }

    public void Fill(ReadOnlySpan<BufferSlice> destinations, float value)
    {
        foreach (BufferSlice d in destinations) Fill(d, value);
    }

    public void Fill(BufferSlice destination, float value)
    {
        if (destination.Length < MinParallelElements)
            Span(destination).Fill(value);
        else
            FillInChunks(Pointer(destination), destination.Length, value);
    }

    /// <summary>From this many multiply-adds on, a GEMM outside a parallel section may use OpenBLAS's own threads
    /// (a 2-thread GEMM then takes ≥ 0.3 ms, enough to pay for waking them). Below it, it runs on one OpenBLAS
    /// thread: a woken OpenBLAS pool keeps spinning after the call and competed with the worker team's spinning
    /// helper for the cores during the next conv sections (cifar-cnn's Linear layers at batch 64, ~3 M
    /// multiply-adds, left 12 ms of OpenBLAS CPU time per step; docs/benchmarks.md, issue 16).</summary>
    internal const double OpenBlasThreadedMacs = 64e6;

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc)
    {
        bool small = (double)m * n * k < OpenBlasThreadedMacs;
        if (small) EnterSection();
        try
        {
            Sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        finally
        {
            if (small) ExitSection();
        }
    }

    private void Sgemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc)
    {
        Interop.OpenBlas.cblas_sgemm(Interop.OpenBlas.RowMajor,
            transposeA ? Interop.OpenBlas.Trans : Interop.OpenBlas.NoTrans,
            transposeB ? Interop.OpenBlas.Trans : Interop.OpenBlas.NoTrans,
            m, n, k, alpha, Pointer(a), lda, Pointer(b), ldb, beta, Pointer(c), ldc);
    }

    public void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_im2col_f32(Pointer(input), &g, Pointer(columns)));
    }

    public void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_col2im_f32(Pointer(columns), &g, Pointer(input)));
    }

    public void Im2ColImage(BufferSlice image, in ConvGeometry geometry, BufferSlice columns, long ldColumns, long columnOffset)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_im2col_image_f32(Pointer(image), &g, Pointer(columns), ldColumns, columnOffset));
    }

    public void Col2ImImage(BufferSlice columns, long ldColumns, long columnOffset, in ConvGeometry geometry, BufferSlice image)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_col2im_image_f32(Pointer(columns), ldColumns, columnOffset, &g, Pointer(image)));
    }

    public void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false)
    {
        bool useB = op != BinaryOp.CopyA;
        // Copies with at least one slot, so a 0-dimensional (scalar) operation still passes non-null arrays.
        int rank = Math.Max(1, shape.Length);
        long* dims = stackalloc long[rank], so = stackalloc long[rank], sa = stackalloc long[rank], sb = stackalloc long[rank];
        for (int d = 0; d < shape.Length; d++)
        {
            dims[d] = shape[d];
            so[d] = output.Strides[d];
            sa[d] = a.Strides[d];
            sb[d] = useB ? b.Strides[d] : 0;
        }
        Interop.Native.Check(Interop.Native.cs_elementwise_f32((int)op, shape.Length, dims, Pointer(output.Slice), so,
            Pointer(a.Slice), sa, useB ? Pointer(b.Slice) : null, useB ? sb : null, alpha, accumulate ? 1 : 0));
    }

    public void Unary(UnaryOp op, BufferSlice x, BufferSlice y, float alpha = 0f, float beta = 0f)
    {
        if (x.Length < MinParallelElements)
            Interop.Native.Check(Interop.Native.cs_unary_f32((int)op, x.Length, Pointer(x), Pointer(y), alpha, beta));
        else
            UnaryInChunks(op, Pointer(x), Pointer(y), x.Length, alpha, beta);
    }

    // The parallel paths live in their own methods: a closure's captures are allocated at the start of the method
    // that declares them, and per-sample transforms call the small paths in allocation-free loops.
    private void UnaryInChunks(UnaryOp op, float* x, float* y, long length, float alpha, float beta) =>
        InChunks(length, (start, count) =>
            Interop.Native.Check(Interop.Native.cs_unary_f32((int)op, count, x + start, y + start, alpha, beta)));

    private void UnaryBackwardInChunks(UnaryOp op, float* x, float* y, float* dy, float* dx, long length, float alpha, float beta) =>
        InChunks(length, (start, count) =>
            Interop.Native.Check(Interop.Native.cs_unary_backward_f32((int)op, count, x + start, y + start, dy + start, dx + start, alpha, beta)));

    private void FillInChunks(float* destination, long length, float value) =>
        InChunks(length, (start, count) => new Span<float>(destination + start, checked((int)count)).Fill(value));

    public void UnaryBackward(UnaryOp op, BufferSlice x, BufferSlice y, BufferSlice dy, BufferSlice dx, float alpha = 0f, float beta = 0f)
    {
        if (x.Length < MinParallelElements)
            Interop.Native.Check(Interop.Native.cs_unary_backward_f32((int)op, x.Length, Pointer(x), Pointer(y), Pointer(dy), Pointer(dx), alpha, beta));
        else
            UnaryBackwardInChunks(op, Pointer(x), Pointer(y), Pointer(dy), Pointer(dx), x.Length, alpha, beta);
    }

    /// <summary>Below this many floats an element-wise pass runs on one core: a large activation (64×32×32×32 floats,
    /// 8 MB) streams from memory faster on two cores, a small one is done before a second core would start.</summary>
    private const long MinParallelElements = 1 << 18;

    /// <summary>Runs body(start, count) over [0, length) in one chunk per worker (whole cache lines each), or in
    /// one piece when the pass is small. For element-wise maps only: each element's result does not depend on the split.</summary>
    private void InChunks(long length, Action<long, long> body) =>
        InParts((length + 15) / 16, length, (first, count) => body(first * 16, Math.Min(count * 16, length - first * 16)));

    /// <summary>Runs body(first, count) over [0, units) independent units (pooling planes) in one share per worker
    /// when the pass touches at least <see cref="MinParallelElements"/> floats, else in one piece.</summary>
    private void InParts(long units, long floats, Action<long, long> body)
    {
        int parts = floats < MinParallelElements ? 1 : (int)Math.Min(Workers, units);
        if (parts <= 1)
        {
            body(0, units);
            return;
        }
        ParallelFor(parts, parts, (part, _, _) =>
        {
            long first = units * part / parts, end = units * (part + 1) / parts;
            body(first, end - first);
        });
    }

    private CpuBuffer Buffer(BufferSlice slice)
    {
        if (slice.Buffer is not CpuBuffer buffer || !ReferenceEquals(buffer.Device, Device))
            throw new ArgumentException($"A buffer on {slice.Buffer.Device} was passed to the kernels of {Device}.");
        if (slice.Offset < 0 || slice.Length < 0 || slice.Offset + slice.Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(slice), $"[{slice.Offset}, {slice.Offset + slice.Length}) is outside a buffer of {buffer.Length} floats.");
        return buffer;
    }

    private float* Pointer(BufferSlice slice) => Buffer(slice).Pointer + slice.Offset;

    private Span<float> Span(BufferSlice slice) => new(Pointer(slice), checked((int)slice.Length));

}
