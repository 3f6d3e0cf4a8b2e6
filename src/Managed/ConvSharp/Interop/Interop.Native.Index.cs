using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        // int32_t cs_gather_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k, const float* x, const float* index, float* y);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_gather_along_f32(long outer, long n, long inner, long k, float* x, float* index, float* y);

        // int32_t cs_scatter_add_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k, const float* g, const float* index, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_scatter_add_along_f32(long outer, long n, long inner, long k, float* g, float* index, float* dx);
    }
}
