namespace ConvSharp.Backends;

// Gathering along one dimension (native/include/cs_index.h on the CPU, index.cl on OpenCL): Gather,
// IndexSelect and Flip. Indices are whole numbers stored as floats (tensors are float32).
internal partial interface IKernels
{
    /// <summary>y[o, j, i] = x[o, index[o, j, i], i] on the (outer, n, inner) view of x and the (outer, k, inner)
    /// view of index and y. The op checks every index lies in [0, n) before calling.</summary>
    void GatherAlong(long outer, long n, long inner, long k, BufferSlice x, BufferSlice index, BufferSlice y);

    /// <summary>dx[o, index[o, j, i], i] += g[o, j, i]: the backward of <see cref="GatherAlong"/> (repeated indices add up).</summary>
    void ScatterAddAlong(long outer, long n, long inner, long k, BufferSlice g, BufferSlice index, BufferSlice dx);
}

/// <summary>The slice-length checks of the gather kernels, shared by every backend.</summary>
internal static class IndexChecks
{
    public static void Along(long outer, long n, long inner, long k, BufferSlice full, BufferSlice index, BufferSlice gathered)
    {
        Guard.Positive(outer); Guard.Positive(n); Guard.Positive(inner); Guard.Positive(k);
        KernelChecks.Length(full, outer * n * inner, nameof(full));
        KernelChecks.Length(index, outer * k * inner, nameof(index));
        KernelChecks.Length(gathered, outer * k * inner, nameof(gathered));
    }
}
