using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    // Pooling entry points (native/include/cs_pooling.h). Argmax indices are int32 offsets inside an input plane.
    internal static unsafe partial class Native
    {
        /// <summary>Mirrors cs_pool_geometry.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PoolGeometryNative
        {
            public int N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, CeilMode, OH, OW;
        }

        // int64_t cs_pool_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int32_t ceil_mode);
        [LibraryImport(Libraries.Native)]
        internal static partial long cs_pool_out_size(long input, long kernel, long stride, long pad, long dilation, int ceilMode);

        // int32_t cs_max_pool2d_f32(const float* x, const cs_pool_geometry* g, float* y, int32_t* indices);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_max_pool2d_f32(float* x, PoolGeometryNative* g, float* y, int* indices);

        // int32_t cs_max_pool2d_backward_f32(const float* dy, const int32_t* indices, int64_t planes,
        //                                    int64_t in_plane, int64_t out_plane, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_max_pool2d_backward_f32(float* dy, int* indices, long planes, long inPlane, long outPlane, float* dx);

        // int32_t cs_avg_pool2d_f32(const float* x, const cs_pool_geometry* g, int32_t count_include_pad,
        //                           int32_t divisor_override, float* y);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_avg_pool2d_f32(float* x, PoolGeometryNative* g, int countIncludePad, int divisorOverride, float* y);

        // int32_t cs_avg_pool2d_backward_f32(const float* dy, const cs_pool_geometry* g, int32_t count_include_pad,
        //                                    int32_t divisor_override, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_avg_pool2d_backward_f32(float* dy, PoolGeometryNative* g, int countIncludePad, int divisorOverride, float* dx);

        // int32_t cs_lp_pool2d_f32(const float* x, const cs_pool_geometry* g, float p, float* y);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_lp_pool2d_f32(float* x, PoolGeometryNative* g, float p, float* y);

        // int32_t cs_lp_pool2d_backward_f32(const float* x, const float* dy, const cs_pool_geometry* g, float p, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_lp_pool2d_backward_f32(float* x, float* dy, PoolGeometryNative* g, float p, float* dx);

        // int32_t cs_adaptive_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
        //                                    int32_t oh, int32_t ow, float* y, int32_t* indices);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adaptive_max_pool2d_f32(float* x, long planes, int h, int w, int oh, int ow, float* y, int* indices);

        // int32_t cs_adaptive_avg_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
        //                                    int32_t oh, int32_t ow, float* y);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adaptive_avg_pool2d_f32(float* x, long planes, int h, int w, int oh, int ow, float* y);

        // int32_t cs_adaptive_avg_pool2d_backward_f32(const float* dy, int64_t planes, int32_t h, int32_t w,
        //                                             int32_t oh, int32_t ow, float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adaptive_avg_pool2d_backward_f32(float* dy, long planes, int h, int w, int oh, int ow, float* dx);

        // int32_t cs_fractional_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
        //                                      int32_t kh, int32_t kw, int32_t oh, int32_t ow,
        //                                      const float* samples, float* y, int32_t* indices);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_fractional_max_pool2d_f32(float* x, long planes, int h, int w, int kh, int kw, int oh, int ow,
            float* samples, float* y, int* indices);
    }
}
