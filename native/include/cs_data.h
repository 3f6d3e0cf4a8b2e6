/* cs_data.h: data transforms: image warps (resize, affine, perspective), crops, flips, colour. Included by convsharp_native.h; same conventions (CS_API, status codes).
 *
 * Images are one sample, C x H x W planar float32 (channel planes back to back, rows within a plane).
 * Coordinates are pixel centres: pixel (x, y) is the point (x, y), so an image covers
 * [-0.5, W - 0.5] x [-0.5, H - 0.5]. */
#ifndef CS_DATA_H
#define CS_DATA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a warp samples the source. */
enum {
    CS_SAMPLE_NEAREST = 0,   /* pixel (floor(sx + 0.5), floor(sy + 0.5)) */
    CS_SAMPLE_BILINEAR = 1,  /* the four neighbours, weighted by distance */
};

/* What a sample outside the source reads. */
enum {
    CS_BORDER_CONSTANT = 0,   /* the fill value */
    CS_BORDER_REPLICATE = 1,  /* the nearest edge pixel */
};

/* Inverse-mapping warp of src (C x H x W) into dst (C x OH x OW): for every output pixel (x, y) the
 * source point is the projective map m (row-major 3 x 3, output -> input):
 *   q = m[6] x + m[7] y + m[8],  sx = (m[0] x + m[1] y + m[2]) / q,  sy = (m[3] x + m[4] y + m[5]) / q
 * (an affine map has m[6] = m[7] = 0, m[8] = 1). Every output pixel is written; a neighbour outside
 * the source reads according to `border`; a point with q <= 0 or a non-finite coordinate reads fill
 * (CS_BORDER_CONSTANT) or the edge pixel nearest to it. src and dst must not overlap.
 * Crops, padding, flips, rotations, affine maps and perspective are all this one function. */
CS_API int32_t cs_warp_f32(const float* src, int32_t c, int32_t h, int32_t w,
                           float* dst, int32_t oh, int32_t ow,
                           const double* m, int32_t sampling, int32_t border, float fill);

/* Resize src (C x H x W) to dst (C x OH x OW) as PyTorch's interpolate with align_corners = False and
 * no antialiasing: output pixel x samples source x' = (x + 0.5) * W / OW - 0.5 (same for y), with
 * replicated borders. Nearest is PyTorch's "nearest-exact" (PIL's nearest). src and dst must not overlap. */
CS_API int32_t cs_resize_f32(const float* src, int32_t c, int32_t h, int32_t w,
                             float* dst, int32_t oh, int32_t ow, int32_t sampling);

/* dst[i] = scale * src[i] for n bytes (uint8 pixels to float32). */
CS_API int32_t cs_u8_to_f32(const uint8_t* src, int64_t n, float* dst, float scale);

/* In place, torchvision's adjust_brightness and adjust_contrast on one C x H x W image:
 *   brightness b: x = clamp(b * x, lo, hi)
 *   contrast k:   x = clamp(k * x + (1 - k) * mean, lo, hi), mean = the mean of the grayscale image
 *                 (0.2989 R + 0.587 G + 0.114 B for C = 3; the mean of every value otherwise), taken
 *                 when this step runs.
 * contrast_first = 0 runs brightness then contrast, 1 the reverse. A factor of exactly 1 skips its step. */
CS_API int32_t cs_adjust_color_f32(float* x, int32_t c, int32_t h, int32_t w,
                                   float brightness, float contrast, int32_t contrast_first,
                                   float lo, float hi);

#ifdef __cplusplus
}
#endif
#endif
