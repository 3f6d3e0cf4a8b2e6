namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void GatherAlong(long outer, long n, long inner, long k, BufferSlice x, BufferSlice index, BufferSlice y)
    {
        Interop.Native.Check(Interop.Native.cs_gather_along_f32(outer, n, inner, k, Pointer(x), Pointer(index), Pointer(y)));
    }

    public void ScatterAddAlong(long outer, long n, long inner, long k, BufferSlice g, BufferSlice index, BufferSlice dx)
    {
        Interop.Native.Check(Interop.Native.cs_scatter_add_along_f32(outer, n, inner, k, Pointer(g), Pointer(index), Pointer(dx)));
    }
}
