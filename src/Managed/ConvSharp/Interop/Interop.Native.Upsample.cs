using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        // int32_t cs_upsample_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
        //                         float scale_h, float scale_w, int32_t align_corners, const float* x, float* y);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_upsample_f32(int mode, long planes, long h, long w, long oh, long ow,
            float scaleH, float scaleW, int alignCorners, float* x, float* y);

        // int32_t cs_upsample_backward_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
        //                                  float scale_h, float scale_w, int32_t align_corners, const float* dy, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_upsample_backward_f32(int mode, long planes, long h, long w, long oh, long ow,
            float scaleH, float scaleW, int alignCorners, float* dy, float* dx);
    }
}
