using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        // int32_t cs_warp_f32(const float* src, int32_t c, int32_t h, int32_t w, float* dst, int32_t oh, int32_t ow,
        //                     const double* m, int32_t sampling, int32_t border, float fill);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_warp_f32(float* src, int c, int h, int w, float* dst, int oh, int ow,
            double* m, int sampling, int border, float fill);

        // int32_t cs_resize_f32(const float* src, int32_t c, int32_t h, int32_t w, float* dst, int32_t oh, int32_t ow, int32_t sampling);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_resize_f32(float* src, int c, int h, int w, float* dst, int oh, int ow, int sampling);

        // int32_t cs_u8_to_f32(const uint8_t* src, int64_t n, float* dst, float scale);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_u8_to_f32(byte* src, long n, float* dst, float scale);

        // int32_t cs_adjust_color_f32(float* x, int32_t c, int32_t h, int32_t w, float brightness, float contrast,
        //                             int32_t contrast_first, float lo, float hi);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adjust_color_f32(float* x, int c, int h, int w, float brightness, float contrast,
            int contrastFirst, float lo, float hi);
    }
}
