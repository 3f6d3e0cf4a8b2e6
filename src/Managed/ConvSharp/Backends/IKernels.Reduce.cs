namespace ConvSharp.Backends;

internal partial interface IKernels
{
    /// <summary>On the (outer, n, inner) view of x: values[o, i] = max over j, indices[o, i] = its first j (as a float).</summary>
    void MaxAlong(long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice indices);

    /// <summary>dx[o, indices[o, i], i] += g[o, i]: the backward of <see cref="MaxAlong"/>.</summary>
    void IndexAddAlong(long outer, long n, long inner, BufferSlice g, BufferSlice indices, BufferSlice dx);
}
