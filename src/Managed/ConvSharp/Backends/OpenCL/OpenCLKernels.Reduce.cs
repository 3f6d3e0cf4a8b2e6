using static ConvSharp.Backends.KernelChecks;

namespace ConvSharp.Backends.OpenCL;

internal sealed partial class OpenCLKernels
{
    public void MaxAlong(long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice indices)
    {
        Along(outer, n, inner, x, values, indices);
        Context.Run("cs_max_along", outer * inner, outer, n, inner, x, values, indices);
    }

    public void IndexAddAlong(long outer, long n, long inner, BufferSlice g, BufferSlice indices, BufferSlice dx)
    {
        Along(outer, n, inner, dx, g, indices);
        Context.Run("cs_index_add_along", outer * inner, outer, n, inner, g, indices, dx);
    }
}
