namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void MaxAlong(long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice indices)
    {
        CheckAlong(outer, n, inner, x, values, indices);
        Interop.Native.Check(Interop.Native.MaxAlong(outer, n, inner, Pointer(x), Pointer(values), Pointer(indices)), "cs_max_along_f32");
    }

    public void IndexAddAlong(long outer, long n, long inner, BufferSlice g, BufferSlice indices, BufferSlice dx)
    {
        CheckAlong(outer, n, inner, dx, g, indices);
        Interop.Native.Check(Interop.Native.IndexAddAlong(outer, n, inner, Pointer(g), Pointer(indices), Pointer(dx)), "cs_index_add_along_f32");
    }

    private static void CheckAlong(long outer, long n, long inner, BufferSlice full, BufferSlice reduced, BufferSlice indices)
    {
        Guard.Positive(outer); Guard.Positive(n); Guard.Positive(inner);
        CheckLength(full, outer * n * inner, nameof(full));
        CheckLength(reduced, outer * inner, nameof(reduced));
        CheckLength(indices, outer * inner, nameof(indices));
    }
}
