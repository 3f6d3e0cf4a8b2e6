namespace ConvSharp.Backends;

/// <summary>The closed set of primitives every op is written against. A backend implements this and
/// nothing else; ops never know which backend runs them. Every method checks that the slices it is
/// given hold what the call reads and writes before any native code runs.</summary>
internal partial interface IKernels
{
    /// <summary>The device these kernels run on.</summary>
    Device Device { get; }

    /// <summary>New storage of <paramref name="length"/> floats, zero-filled when <paramref name="zero"/>.</summary>
    DeviceBuffer Allocate(long length, bool zero);

    /// <summary>Host → device.</summary>
    void Upload(ReadOnlySpan<float> source, BufferSlice destination);

    /// <summary>Device → host.</summary>
    void Download(BufferSlice source, Span<float> destination);

    /// <summary>Sets every element of <paramref name="destination"/> to <paramref name="value"/>.</summary>
    void Fill(BufferSlice destination, float value);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    void Copy(BufferSlice source, BufferSlice destination);

    /// <summary>Row-major C = alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n, C m×n.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc);

    /// <summary>Batched im2col: input N×C×H×W into a [C·KH·KW, N·OH·OW] column matrix.</summary>
    void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns);

    /// <summary>The adjoint of <see cref="Im2Col"/>; adds into <paramref name="input"/>.</summary>
    void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input);

    /// <summary>im2col of one image (its C·H·W values; geometry.N is ignored) into columns
    /// [columnOffset, columnOffset + OH·OW) of a column matrix whose rows are <paramref name="ldColumns"/> long.
    /// Grouped convolution uses it for one group's channels of one image.</summary>
    void Im2ColImage(BufferSlice image, in ConvGeometry geometry, BufferSlice columns, long ldColumns, long columnOffset);

    /// <summary>The adjoint of <see cref="Im2ColImage"/>; adds into <paramref name="image"/>.</summary>
    void Col2ImImage(BufferSlice columns, long ldColumns, long columnOffset, in ConvGeometry geometry, BufferSlice image);

    /// <summary>How many workers <see cref="ParallelFor"/> runs at once: the CPU's thread setting
    /// (<see cref="Blas.NumThreads"/>); 1 on a device that parallelizes inside each kernel.</summary>
    int Workers { get; }

    /// <summary>Splits [0, <paramref name="count"/>) into <paramref name="workers"/> contiguous ranges (at most
    /// <see cref="Workers"/>, at least 1) and runs body(worker, start, end) for each, concurrently where the
    /// backend can; kernels called from the body run single-threaded (also with one worker), so each worker
    /// owns one core and results do not depend on the thread setting.
    /// Ops use it for independent images, with per-worker scratch sized by the same worker count.</summary>
    void ParallelFor(int count, int workers, Action<int, int, int> body);

    /// <summary>Whether this backend computes a one-group convolution with this geometry and
    /// <paramref name="outChannels"/> better directly (<see cref="ConvDirect"/> and its gradients) than as
    /// im2col + GEMM. Backends without direct kernels return false.</summary>
    bool PrefersDirectConv(in ConvGeometry geometry, int outChannels);

    /// <summary>y[N, K, OH, OW] = x ⋆ w (+ bias) without a column matrix (one group; only where
    /// <see cref="PrefersDirectConv"/> said so), for share <paramref name="part"/> of <paramref name="parts"/>
    /// even shares of the work (images, or bands of output rows when there are fewer images than parts): a
    /// caller runs the parts on different workers.</summary>
    void ConvDirect(BufferSlice x, BufferSlice w, BufferSlice? bias, in ConvGeometry geometry, int outChannels, BufferSlice y, int part, int parts);

    /// <summary>dw[K, C, KH, KW] += share <paramref name="part"/> of <paramref name="parts"/> of the weight gradient of
    /// <see cref="ConvDirect"/> for output gradient dy (each part into its own accumulator).</summary>
    void ConvDirectGradWeight(BufferSlice x, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dw, int part, int parts);

    /// <summary>dx[N, C, H, W] += the input gradient of <see cref="ConvDirect"/> for output gradient dy (stride 1 and
    /// <see cref="ConvGeometry.GathersInputGradient"/> only).</summary>
    void ConvDirectGradInput(BufferSlice w, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dx);

    /// <summary>output[i] = (accumulate ? output[i] : 0) + alpha·(a[i] op b[i]) over <paramref name="shape"/>,
    /// each operand addressed through its own strides. Broadcasting, permutes, slices, concatenation
    /// and sums to a shape are all this one kernel. <paramref name="b"/> is unused by <see cref="BinaryOp.CopyA"/>.</summary>
    void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false);

    /// <summary>y = f(x) element by element (contiguous, same length; y may be x).</summary>
    void Unary(UnaryOp op, BufferSlice x, BufferSlice y, float alpha = 0f, float beta = 0f);

    /// <summary>dx += dy·f'(x), where y = f(x) from the forward pass.</summary>
    void UnaryBackward(UnaryOp op, BufferSlice x, BufferSlice y, BufferSlice dy, BufferSlice dx, float alpha = 0f, float beta = 0f);
}
