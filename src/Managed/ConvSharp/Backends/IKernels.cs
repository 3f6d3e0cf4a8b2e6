namespace ConvSharp.Backends;

/// <summary>The closed set of primitives every op is written against (30 members); a backend implements this and nothing else.</summary>
/// <remarks>It grows by enum values (<see cref="BinaryOp"/>, <see cref="UnaryOp"/>, <see cref="ReduceOp"/>, <see cref="PoolKind"/>,
/// <see cref="LossKind"/>, <see cref="OptimKind"/>), not by methods. Ops say what to compute; a backend decides how (threads, tiles,
/// launches, direct vs im2col convolution) inside each call. Argument sizes are checked once, by <see cref="CheckedKernels"/>, which
/// wraps every backend; backends assume valid slices. Every backward ADDS into its gradient slices; a null gradient slice is skipped.</remarks>
internal partial interface IKernels
{
    /// <summary>The device these kernels run on.</summary>
    Device Device { get; }

    /// <summary>New storage of <paramref name="length"/> floats, zero-filled when <paramref name="zero"/>.</summary>
    DeviceBuffer Allocate(long length, bool zero);

    /// <summary>Host → device. When <paramref name="pinnedOwner"/> is given, <paramref name="source"/> is pinned host storage
    /// of that buffer and the copy may finish after the call returns (the backend holds a reference to the owner until
    /// it has); else the source may be reused as soon as the call returns.</summary>
    void Upload(ReadOnlySpan<float> source, BufferSlice destination, DeviceBuffer? pinnedOwner = null);

    /// <summary>Device → host (blocks until the device has written the values).</summary>
    void Download(BufferSlice source, Span<float> destination);

    /// <summary>Sets every element of each of <paramref name="destinations"/> to <paramref name="value"/>: one pass over many
    /// buffers (zero-grad, the intermediate gradients of a backward pass), where a device backend launches once per few
    /// slices instead of once per slice. The one-slice form is <see cref="KernelCalls.Fill"/>.</summary>
    void Fill(ReadOnlySpan<BufferSlice> destinations, float value);

    /// <summary>Waits until every kernel enqueued so far has finished (a no-op where kernels run synchronously).</summary>
    void Synchronize();

    /// <summary>Row-major C = alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n, C m×n.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc);

    /// <summary>Batched im2col (PyTorch's unfold, one group): input N×C×H×W into a [C·KH·KW, N·OH·OW] column matrix.</summary>
    void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns);

    /// <summary>The adjoint of <see cref="Im2Col"/> (PyTorch's fold); adds into <paramref name="input"/>.</summary>
    void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input);

    /// <summary>output[i] = (accumulate ? output[i] : 0) + alpha·(a[i] op b[i]) over <paramref name="shape"/>,
    /// each operand addressed through its own strides. Broadcasting, permutes, slices, concatenation
    /// and sums to a shape are all this one kernel. <paramref name="b"/> is unused by <see cref="BinaryOp.CopyA"/>.</summary>
    void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false);

    /// <summary>y = f(x) element by element (contiguous, same length; y may be x).</summary>
    void Unary(UnaryOp op, BufferSlice x, BufferSlice y, float alpha = 0f, float beta = 0f);

    /// <summary>dx += dy·f'(x), where y = f(x) from the forward pass.</summary>
    void UnaryBackward(UnaryOp op, BufferSlice x, BufferSlice y, BufferSlice dy, BufferSlice dx, float alpha = 0f, float beta = 0f);

    /// <summary>On the (outer, n, inner) view of x, reduces the middle axis into values[outer, inner]: see <see cref="ReduceOp"/>.
    /// <paramref name="indices"/> (for <see cref="ReduceOp.Max"/>) receives the first index of each maximum, as a float.</summary>
    void Reduce(ReduceOp op, long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice? indices);

    /// <summary>y[o, j, i] = x[o, index[o, j, i], i] on the (outer, n, inner) view of x and the (outer, k, inner) view of index
    /// and y: Gather, IndexSelect, Flip. Indices are whole numbers stored as floats; the op checks they lie in [0, n).</summary>
    void GatherAlong(long outer, long n, long inner, long k, BufferSlice x, BufferSlice index, BufferSlice y);

    /// <summary>dx[o, index[o, j, i], i] += g[o, j, i]: the backward of <see cref="GatherAlong"/> and of a reduction that
    /// picked one element (k = 1: max); repeated indices add up.</summary>
    void ScatterAddAlong(long outer, long n, long inner, long k, BufferSlice g, BufferSlice index, BufferSlice dx);
}
