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

#if defined(_WIN32)
#define CS_API __declspec(dllexport)
#else
#define CS_API __attribute__((visibility("default")))
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

/* OpenBLAS is linked statically into this library, and these of its entry points are exported
 * unchanged (see exports.map), so the managed side imports them from here by their own names:
 *   cblas_sgemm, openblas_set_num_threads, openblas_get_num_threads,
 *   openblas_get_corename, openblas_get_config.
 * Everything else of OpenBLAS stays hidden, so it cannot clash with another BLAS in the process. */

/* The instruction set the multi-versioned kernels picked on this CPU: "avx512f", "avx2" or "default". */
CS_API const char* cs_native_isa(void);
/* ABI version of this library; the managed side refuses a mismatch. */
CS_API int32_t cs_native_abi_version(void);

#define CS_NATIVE_ABI_VERSION 1

#ifdef __cplusplus
}
#endif
#endif
