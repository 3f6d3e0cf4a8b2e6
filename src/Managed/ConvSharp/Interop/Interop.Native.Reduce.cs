using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        // int32_t cs_max_along_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* values, float* indices);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_max_along_f32(long outer, long n, long inner, float* x, float* values, float* indices);
    }
}
