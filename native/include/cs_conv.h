/* cs_conv.h: the direct convolution kernels and upsampling. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_CONV_H
#define CS_CONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { CS_UPSAMPLE_NEAREST = 0, CS_UPSAMPLE_BILINEAR = 1 };

/* Direct convolution (any stride, padding and dilation, one group) as an implicit GEMM: input rows are copied
 * into a zero-padded scratch and tap (c, r, s) of the kernel is a fixed offset into it, so register tiles read
 * the input in place and no column matrix is written (conv_direct.c). Two tile families: channel lanes (a vector
 * of output channels × 6 broadcast positions, for K ≥ one vector and C·KH·KW ≥ 32, and for every strided layer;
 * positions run across a chunk of small images, or over bands of output rows of a large one) and position lanes
 * (4 output channels × 3 vectors of a "wide" output row, for few-channel stride-1 layers). The input gradient
 * (stride 1 only) is the same tile over dy padded by the kernel's span, with taps (k, r, s) and transposed weights.
 * g describes the input (N, C, H, W), kernel, stride, padding and dilation; k is the number of output channels;
 * x [N, C, H, W], w [K, C, KH, KW], y and dy [N, K, OH, OW]. The forward and the weight gradient split their work
 * into `parts` even shares (images, or bands of output rows when there are fewer images than parts) and compute
 * share `part`: callers run the parts on different threads with their own scratch (and, for dw, their own
 * accumulator). scratch holds cs_conv_direct_scratch(g, k, parts) floats. Forward writes y (plus bias when not
 * NULL); the gradients are ADDED into dw and dx. Tap offsets are int32: an image whose zero-padded input
 * (C·(H + 2·PH)·(W + 2·PW)) or padded output gradient exceeds INT32_MAX / 2 floats is refused (CS_E_RANGE). */
CS_API int64_t cs_conv_direct_scratch(const cs_conv_geometry* g, int64_t k, int64_t parts);
CS_API int32_t cs_conv_direct_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* w,
                                  const float* bias, float* y, float* scratch, int64_t part, int64_t parts);
CS_API int32_t cs_conv_direct_grad_weight_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* dy,
                                              float* dw, float* scratch, int64_t part, int64_t parts);
CS_API int32_t cs_conv_direct_grad_input_f32(const cs_conv_geometry* g, int64_t k, const float* w, const float* dy,
                                             float* dx, float* scratch);

/* Upsampling of P = N·C planes from H×W to OH×OW (each at most 65536) with PyTorch's source indices:
 * nearest src = min(floor(o·scale), in − 1); bilinear src = (o + ½)·scale − ½ clamped at 0, or o·scale with
 * align_corners. scale_h/scale_w are in/out (1/scale_factor when one was given; (in−1)/(out−1) with
 * align_corners). cs_upsample_f32: y[P, OH, OW] = up(x[P, H, W]); cs_upsample_backward_f32: the adjoint of the
 * output gradient dy [P, OH, OW] is ADDED into dx [P, H, W]. */
CS_API int32_t cs_upsample_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                               float scale_h, float scale_w, int32_t align_corners, const float* x, float* y);
CS_API int32_t cs_upsample_backward_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                                        float scale_h, float scale_w, int32_t align_corners, const float* dy, float* dx);

#ifdef __cplusplus
}
#endif
#endif
