/* cs_pooling.h: pooling kernels (max, average, Lp, adaptive, fractional) and their backward. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_POOLING_H
#define CS_POOLING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Shape letters as in convsharp_native.h; a "plane" is one (n, c) image of H x W values, and
 * N*C planes lie one after another. Every kernel works plane by plane.
 *
 * Window rule (PyTorch's): output (oh, ow) covers input rows oh*SH - PH + r*DH (r < KH) and columns
 * ow*SW - PW + s*DW (s < KW); positions outside the input are padding. With ceil_mode the last
 * window may run past the padded input, but it always starts inside the input or the left padding.
 *
 * Argmax indices are int32 offsets inside the input plane (ih*W + iw), PyTorch's convention; -1
 * marks a window that holds no input element (possible only when dilation skips the whole input),
 * whose output is -inf and whose gradient is dropped. Ties go to the first element in row-major
 * window order; a NaN always wins (the last NaN of a window), so NaNs propagate. */

/* The window geometry of a max, average or Lp pool. */
typedef struct cs_pool_geometry {
    int32_t n, c, h, w;   /* input */
    int32_t kh, kw;       /* kernel (>= 1) */
    int32_t sh, sw;       /* stride (>= 1) */
    int32_t ph, pw;       /* padding (>= 0, at most half the kernel: PH <= KH/2, PW <= KW/2) */
    int32_t dh, dw;       /* dilation (>= 1; average and Lp pools take 1) */
    int32_t ceil_mode;    /* 0 or 1 */
    int32_t oh, ow;       /* output size; must equal cs_pool_out_size of the fields above */
} cs_pool_geometry;

/* PyTorch's pooling output size of one dimension, or 0 when the arguments are out of range, the
 * padding exceeds half the kernel, or no window fits. */
CS_API int64_t cs_pool_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int32_t ceil_mode);

/* y = max over each window (padding never wins). indices may be NULL (inference): then only y is
 * written. 2x2 stride-2 and 3x3 stride-1/2 pools (no dilation) take fused paths for the windows that lie
 * inside the input, in explicit AVX-512 or AVX2 code with masked row tails where the CPU has it. */
CS_API int32_t cs_max_pool2d_f32(const float* x, const cs_pool_geometry* g, float* y, int32_t* indices);

/* The backward of every max pool (plain, adaptive, fractional): ADDS dy[o] into dx[indices[o]]
 * plane by plane. Index -1 is skipped; any other index outside [0, in_plane) is skipped too and
 * reported as CS_E_RANGE after the pass (memory outside dx is never touched). */
CS_API int32_t cs_max_pool2d_backward_f32(const float* dy, const int32_t* indices, int64_t planes,
                                          int64_t in_plane, int64_t out_plane, float* dx);

/* y = window sum / divisor, where divisor is divisor_override when it is not 0, else the window's
 * size clipped to the padded input (count_include_pad = 1) or to the input (0). g->dh, g->dw = 1. */
CS_API int32_t cs_avg_pool2d_f32(const float* x, const cs_pool_geometry* g, int32_t count_include_pad,
                                 int32_t divisor_override, float* y);

/* dx += dy / divisor for every input element of each window. */
CS_API int32_t cs_avg_pool2d_backward_f32(const float* dy, const cs_pool_geometry* g, int32_t count_include_pad,
                                          int32_t divisor_override, float* dx);

/* y = (sum of x^p over the window's input elements)^(1/p), p > 0 finite, no padding (g->ph, g->pw = 0,
 * g->dh, g->dw = 1). Computed as m*(sum (x/m)^p)^(1/p) with m the largest |x| of the window, so large p
 * neither overflows nor underflows; p = 1 is a plain sum. A negative sum (odd p) gives NaN, as powf does. */
CS_API int32_t cs_lp_pool2d_f32(const float* x, const cs_pool_geometry* g, float p, float* y);

/* dx += dy * (x/y)^(p-1) (the derivative of the above; 1 for p = 1), with y recomputed from x.
 * Where y = 0 (a window of zeros, or a sum cancelled to 0) the gradient is defined as 0. */
CS_API int32_t cs_lp_pool2d_backward_f32(const float* x, const float* dy, const cs_pool_geometry* g, float p, float* dx);

/* Adaptive pools: output row i covers input rows [floor(i*H/OH), ceil((i+1)*H/OH)), columns likewise.
 * OH x OW may be anything >= 1 (larger than the input too). */
CS_API int32_t cs_adaptive_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
                                          int32_t oh, int32_t ow, float* y, int32_t* indices);
CS_API int32_t cs_adaptive_avg_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
                                          int32_t oh, int32_t ow, float* y);
/* dx += dy / window size over each window. */
CS_API int32_t cs_adaptive_avg_pool2d_backward_f32(const float* dy, int64_t planes, int32_t h, int32_t w,
                                                   int32_t oh, int32_t ow, float* dx);

/* Fractional max pooling (Graham 2014, PyTorch's generate_intervals): samples holds two uniform values
 * in [0, 1) per plane, (u_w, u_h). With alpha = (in - k) / (out - 1), window i starts at
 * (int)((i + u) * alpha) - (int)(u * alpha), computed in float, and the last window starts at in - k.
 * Needs OH + KH - 1 <= H and OW + KW - 1 <= W. */
CS_API int32_t cs_fractional_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w,
                                            int32_t kh, int32_t kw, int32_t oh, int32_t ow,
                                            const float* samples, float* y, int32_t* indices);

#ifdef __cplusplus
}
#endif
#endif
