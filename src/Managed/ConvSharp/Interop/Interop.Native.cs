using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    /// <summary>Entry points of libconvsharp_native.so (native/include/convsharp_native.h).</summary>
    internal static unsafe partial class Native
    {
        internal const int AbiVersion = 3;

        /// <summary>Mirrors cs_conv_geometry.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ConvGeometryNative
        {
            public int N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW;
        }

        // int64_t cs_conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation);
        [LibraryImport(Libraries.Native)]
        internal static partial long cs_conv_out_size(long input, long kernel, long stride, long pad, long dilation);

        // int32_t cs_im2col_f32(const float* x, const cs_conv_geometry* g, float* col);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_im2col_f32(float* x, ConvGeometryNative* g, float* col);

        // int32_t cs_im2col_image_f32(const float* x, const cs_conv_geometry* g, float* col, int64_t ld_col, int64_t col_offset);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_im2col_image_f32(float* x, ConvGeometryNative* g, float* col, long ldCol, long colOffset);

        // int32_t cs_col2im_f32(const float* col, const cs_conv_geometry* g, float* x);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_col2im_f32(float* col, ConvGeometryNative* g, float* x);

        // int32_t cs_col2im_image_f32(const float* col, int64_t ld_col, int64_t col_offset, const cs_conv_geometry* g, float* x);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_col2im_image_f32(float* col, long ldCol, long colOffset, ConvGeometryNative* g, float* x);

        // int64_t cs_conv_direct_scratch(const cs_conv_geometry* g, int64_t k, int64_t parts);
        [LibraryImport(Libraries.Native)]
        internal static partial long cs_conv_direct_scratch(ConvGeometryNative* g, long k, long parts);

        // int32_t cs_conv_direct_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* w, const float* bias, float* y, float* scratch, int64_t part, int64_t parts);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_conv_direct_f32(ConvGeometryNative* g, long k, float* x, float* w, float* bias, float* y, float* scratch, long part, long parts);

        // int32_t cs_conv_direct_grad_weight_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* dy, float* dw, float* scratch, int64_t part, int64_t parts);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_conv_direct_grad_weight_f32(ConvGeometryNative* g, long k, float* x, float* dy, float* dw, float* scratch, long part, long parts);

        // int32_t cs_conv_direct_grad_input_f32(const cs_conv_geometry* g, int64_t k, const float* w, const float* dy, float* dx, float* scratch);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_conv_direct_grad_input_f32(ConvGeometryNative* g, long k, float* w, float* dy, float* dx, float* scratch);

        // const char* cs_kernel_isa(void);
        [LibraryImport(Libraries.Native)]
        internal static partial byte* cs_kernel_isa();

        /// <summary>Turns a cs_* status code into an exception. A failure here means the managed
        /// checks in front of the call missed something, so it is a bug, not bad user input.</summary>
        /// <summary>Throws when a native call returned a failure status. The call's text names the entry point (every
        /// [LibraryImport] method is named exactly like its export, so the name is written once).</summary>
        internal static void Check(int status, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(status))] string call = "")
        {
            if (status == 0) return;
            string entryPoint = EntryPointOf(call);
            string what = status switch
            {
                -1 => "a null pointer",
                -2 => "a size, stride, padding or dilation out of range",
                -3 => "a kernel that does not fit in the padded input",
                _ => $"status {status}",
            };
            throw new InvalidOperationException(
                $"Native call {entryPoint} refused its arguments ({what}); the managed checks should have caught this first.");
        }

        /// <summary>"cs_im2col_f32" from "Interop.Native.cs_im2col_f32(x, &amp;g, col)".</summary>
        private static string EntryPointOf(string call)
        {
            int open = call.IndexOf('(');
            string callee = open < 0 ? call : call[..open];
            return callee[(callee.LastIndexOf('.') + 1)..].Trim();
        }
    }
}
