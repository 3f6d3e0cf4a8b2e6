using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        internal const int MaxDims = 8;

        // int32_t cs_elementwise_f32(int32_t op, int32_t ndim, const int64_t* shape, float* out, const int64_t* out_strides,
        //                            const float* a, const int64_t* a_strides, const float* b, const int64_t* b_strides,
        //                            float alpha, int32_t accumulate);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_elementwise_f32(int op, int ndim, long* shape, float* output, long* outStrides,
            float* a, long* aStrides, float* b, long* bStrides, float alpha, int accumulate);

        // int32_t cs_unary_f32(int32_t op, int64_t n, const float* x, float* y, float alpha, float beta);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_unary_f32(int op, long n, float* x, float* y, float alpha, float beta);

        // int32_t cs_unary_backward_f32(int32_t op, int64_t n, const float* x, const float* y, const float* dy, float* dx, float alpha, float beta);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_unary_backward_f32(int op, long n, float* x, float* y, float* dy, float* dx, float alpha, float beta);

        // int32_t cs_enum_value(const char* enum_name, const char* value_name);
        [LibraryImport(Libraries.Native, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int cs_enum_value(string enumName, string? valueName);
    }
}
