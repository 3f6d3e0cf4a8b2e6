namespace ConvSharp.Backends.OpenCL;

internal sealed partial class OpenCLKernels
{
    public void GatherAlong(long outer, long n, long inner, long k, BufferSlice x, BufferSlice index, BufferSlice y)
    {
        Context.Run("cs_gather_along", outer * k * inner, outer, n, inner, k, x, index, y);
    }

    public void ScatterAddAlong(long outer, long n, long inner, long k, BufferSlice g, BufferSlice index, BufferSlice dx)
    {
        Context.Run("cs_scatter_add_along", outer * inner, outer, n, inner, k, g, index, dx);
    }
}
