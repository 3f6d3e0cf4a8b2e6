/* convsharp_native.h: the C entry points of libconvsharp_native.so.
 *
 * Shape letters, used throughout: N batch, C input channels, H x W input size, KH x KW kernel,
 * SH/SW stride, PH/PW zero padding, DH/DW dilation, OH x OW output size.
 * Tensors are float32, NCHW, contiguous, row-major.
 *
 * Every function returns CS_OK (0) or a negative CS_E_* code; it validates its arguments before
 * touching memory. The managed side validates first as well, so a bad code means a bug there.
 */
#ifndef CONVSHARP_NATIVE_H
#define CONVSHARP_NATIVE_H

#include <stdint.h>

/* The per-ISA instantiations of the kernels define CS_API as hidden first (see kernels/cs_isa.h). */
#ifndef CS_API
#if defined(_WIN32)
#define CS_API __declspec(dllexport)
#else
#define CS_API __attribute__((visibility("default")))
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    CS_OK = 0,
    CS_E_NULL = -1,      /* a pointer argument was null */
    CS_E_RANGE = -2,     /* a size, stride, padding or dilation was out of range */
    CS_E_GEOMETRY = -3,  /* the kernel does not fit in the padded input (OH or OW < 1) */
};

/* The geometry of one 2-D convolution window over NCHW input. */
typedef struct cs_conv_geometry {
    int32_t n, c, h, w;   /* input */
    int32_t kh, kw;       /* kernel */
    int32_t sh, sw;       /* stride (>= 1) */
    int32_t ph, pw;       /* zero padding (>= 0) */
    int32_t dh, dw;       /* dilation (>= 1) */
} cs_conv_geometry;

/* Output size of one spatial dimension, or a value < 1 when the window does not fit. */
CS_API int64_t cs_conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation);

/* im2col over a whole batch into one column matrix of C*KH*KW rows and N*OH*OW columns
 * (row = (c*KH + r)*KW + s, column = (n*OH + oh)*OW + ow), so that one sgemm
 * W[K, C*KH*KW] x col covers the batch. Padding cells are written as zeros; every cell is written. */
CS_API int32_t cs_im2col_f32(const float* x, const cs_conv_geometry* g, float* col);

/* im2col of one image (x points at its C*H*W values; g->n is ignored) into columns
 * [col_offset, col_offset + OH*OW) of a column matrix whose rows are ld_col floats long. */
CS_API int32_t cs_im2col_image_f32(const float* x, const cs_conv_geometry* g,
                                   float* col, int64_t ld_col, int64_t col_offset);

/* The adjoint of cs_im2col_f32: ADDS every column cell back into the input position it was
 * read from (padding cells are dropped). Callers that want col2im alone zero x first. */
CS_API int32_t cs_col2im_f32(const float* col, const cs_conv_geometry* g, float* x);

/* The adjoint of cs_im2col_image_f32, for one image. */
CS_API int32_t cs_col2im_image_f32(const float* col, int64_t ld_col, int64_t col_offset,
                                   const cs_conv_geometry* g, float* x);

/* ---- element-wise (elementwise.c) ---- */

#define CS_MAX_DIMS 8

/* The binary ops of cs_elementwise_f32 (CS_EW_ADD, ...) and the unary maps of cs_unary_f32 (CS_U_NEG, ...),
 * defined once for C, OpenCL C and the C# enums in ops.def. */
#include "../kernels/shared/ops.def"

/* The value of one op of an enum of ops.def by its C# name: enum_name "BinaryOp" or "UnaryOp", value_name e.g.
 * "LeakyRelu"; value_name NULL asks for the number of values. -1 when either name is unknown. */
CS_API int32_t cs_enum_value(const char* enum_name, const char* value_name);

/* out[i] = (accumulate ? out[i] : 0) + alpha * (a[i] op b[i]) over an ndim-dimensional index space
 * of the given shape; each operand has its own element strides (0 repeats a value along a
 * dimension; an output stride of 0 with accumulate = 1 sums along it). ndim <= CS_MAX_DIMS. */
CS_API int32_t cs_elementwise_f32(int32_t op, int32_t ndim, const int64_t* shape,
                                  float* out, const int64_t* out_strides,
                                  const float* a, const int64_t* a_strides,
                                  const float* b, const int64_t* b_strides,
                                  float alpha, int32_t accumulate);

/* y = f(x), n contiguous elements; y may alias x. */
CS_API int32_t cs_unary_f32(int32_t op, int64_t n, const float* x, float* y, float alpha, float beta);
/* dx += dy * f'(x), with y = f(x) given for the ops whose derivative is cheaper from it. */
CS_API int32_t cs_unary_backward_f32(int32_t op, int64_t n, const float* x, const float* y, const float* dy,
                                     float* dx, float alpha, float beta);

/* ---- reductions along one dimension (reduce.c), on the (outer, n, inner) view ---- */

/* values[o, i] = max_j x[o, j, i]; indices[o, i] = the first such j, as a float (exact below 2^24).
 * NaN counts as the maximum. */
CS_API int32_t cs_max_along_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* values, float* indices);

/* Op families keep their entry points in headers of their own, all part of this public header. */
#include "cs_conv.h"
#include "cs_pooling.h"
#include "cs_nn.h"
#include "cs_optim.h"
#include "cs_data.h"
#include "cs_index.h"

/* OpenBLAS is linked statically into this library, and these of its entry points are exported
 * unchanged (see exports.map), so the managed side imports them from here by their own names:
 *   cblas_sgemm, openblas_set_num_threads, openblas_get_num_threads,
 *   openblas_get_corename, openblas_get_config.
 * Everything else of OpenBLAS stays hidden, so it cannot clash with another BLAS in the process. */

/* The instruction set the kernels run with, chosen once at the first call: "avx512" (AVX-512F), "avx2"
 * (AVX2 + FMA) or "sse2" on x86-64, "generic" elsewhere. The environment variable CONVSHARP_ISA=sse2|avx2|avx512
 * lowers it; a value above what the CPU (and OS) support is clamped to the best supported one. */
CS_API const char* cs_kernel_isa(void);
/* What a path names, following symbolic links (stat): one of the CS_FILE_* values. Loaders refuse anything but a
 * regular file before opening it (a FIFO would block the open, a device would never end). */
enum { CS_FILE_MISSING = 0, CS_FILE_REGULAR = 1, CS_FILE_DIRECTORY = 2, CS_FILE_FIFO = 3, CS_FILE_CHAR_DEVICE = 4,
       CS_FILE_BLOCK_DEVICE = 5, CS_FILE_SOCKET = 6, CS_FILE_OTHER = 7 };
CS_API int32_t cs_file_kind(const char* path);

/* ABI version of this library; the managed side refuses a mismatch. */
CS_API int32_t cs_native_abi_version(void);

#define CS_NATIVE_ABI_VERSION 3

#ifdef __cplusplus
}
#endif
#endif
