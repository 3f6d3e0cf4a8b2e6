/* cs_conv.h: convolution-specific kernels (transposed convolution, upsampling). Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_CONV_H
#define CS_CONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { CS_UPSAMPLE_NEAREST = 0, CS_UPSAMPLE_BILINEAR = 1 };

/* Upsampling of P = N·C planes from H×W to OH×OW (each at most 65536) with PyTorch's source indices:
 * nearest src = min(floor(o·scale), in − 1); bilinear src = (o + ½)·scale − ½ clamped at 0, or o·scale with
 * align_corners. scale_h/scale_w are in/out (1/scale_factor when one was given; (in−1)/(out−1) with
 * align_corners). backward = 0: y[P, OH, OW] = up(x[P, H, W]); backward = 1: x is the output gradient
 * [P, OH, OW] and its adjoint is ADDED into y [P, H, W]. */
CS_API int32_t cs_upsample_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                               float scale_h, float scale_w, int32_t align_corners, const float* x, float* y, int32_t backward);

#ifdef __cplusplus
}
#endif
#endif
