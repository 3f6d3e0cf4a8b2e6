namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void MaxAlong(long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice indices)
    {
        KernelChecks.Along(outer, n, inner, x, values, indices);
        Interop.Native.Check(Interop.Native.MaxAlong(outer, n, inner, Pointer(x), Pointer(values), Pointer(indices)), "cs_max_along_f32");
    }

    public void IndexAddAlong(long outer, long n, long inner, BufferSlice g, BufferSlice indices, BufferSlice dx)
    {
        KernelChecks.Along(outer, n, inner, dx, g, indices);
        Interop.Native.Check(Interop.Native.IndexAddAlong(outer, n, inner, Pointer(g), Pointer(indices), Pointer(dx)), "cs_index_add_along_f32");
    }

}
