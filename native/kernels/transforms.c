/* Image transforms for data loading (cs_data.h): one inverse-mapping warp behind every geometric
 * transform (crop, pad, flip, rotation, affine, perspective), resize as a warp with replicated
 * borders, uint8 -> float conversion, and brightness/contrast.
 *
 * Shape letters: C channels, H x W source, OH x OW output; one sample, planar (C x H x W).
 * The warp walks the output: for each pixel (x, y) it maps the pixel centre through m to the source
 * point (sx, sy) once and samples every channel there. */
#include <math.h>

#include "convsharp_native.h"

/* The source value at integer (x, y), or what the border gives outside. */
static inline float pixel(const float* p, int64_t h, int64_t w, int64_t x, int64_t y, int32_t replicate, float fill)
{
    if (x < 0 || x >= w || y < 0 || y >= h) {
        if (!replicate) return fill;
        x = x < 0 ? 0 : (x >= w ? w - 1 : x);
        y = y < 0 ? 0 : (y >= h ? h - 1 : y);
    }
    return p[y * w + x];
}

static inline double clampd(double v, double hi)
{
    if (!(v > 0.0)) return 0.0;  /* NaN lands here too */
    return v > hi ? hi : v;
}

static void warp_rows(const float* src, int64_t c, int64_t h, int64_t w, float* dst, int64_t oh, int64_t ow,
                      const double* m, int32_t sampling, int32_t replicate, float fill)
{
    const int projective = m[6] != 0.0 || m[7] != 0.0 || m[8] != 1.0;
    const int64_t plane = h * w, oplane = oh * ow;
    for (int64_t y = 0; y < oh; y++) {
        const double ry = m[1] * (double)y + m[2], ryy = m[4] * (double)y + m[5], rq = m[7] * (double)y + m[8];
        for (int64_t x = 0; x < ow; x++) {
            double sx = m[0] * (double)x + ry, sy = m[3] * (double)x + ryy;
            int inside = 1;
            if (projective) {
                double q = m[6] * (double)x + rq;
                if (q > 0.0) { sx /= q; sy /= q; }
                else { sx = NAN; sy = NAN; }
            }
            /* Outside (-1, W) x (-1, H) no neighbour is inside; NaN fails the test too. */
            if (!(sx > -1.0 && sx < (double)w && sy > -1.0 && sy < (double)h)) {
                if (!replicate) inside = 0;
                else { sx = clampd(sx, (double)(w - 1)); sy = clampd(sy, (double)(h - 1)); }
            }
            float* out = dst + y * ow + x;
            if (!inside) {
                for (int64_t ch = 0; ch < c; ch++) out[ch * oplane] = fill;
                continue;
            }
            if (sampling == CS_SAMPLE_NEAREST) {
                int64_t ix = (int64_t)floor(sx + 0.5), iy = (int64_t)floor(sy + 0.5);
                for (int64_t ch = 0; ch < c; ch++) out[ch * oplane] = pixel(src + ch * plane, h, w, ix, iy, replicate, fill);
                continue;
            }
            double fx = floor(sx), fy = floor(sy);
            int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
            float ax = (float)(sx - fx), ay = (float)(sy - fy);
            if (x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h) {
                for (int64_t ch = 0; ch < c; ch++) {
                    const float* p = src + ch * plane + y0 * w + x0;
                    float top = p[0] + ax * (p[1] - p[0]);
                    float bottom = p[w] + ax * (p[w + 1] - p[w]);
                    out[ch * oplane] = top + ay * (bottom - top);
                }
            } else {
                for (int64_t ch = 0; ch < c; ch++) {
                    const float* p = src + ch * plane;
                    float v00 = pixel(p, h, w, x0, y0, replicate, fill), v01 = pixel(p, h, w, x0 + 1, y0, replicate, fill);
                    float v10 = pixel(p, h, w, x0, y0 + 1, replicate, fill), v11 = pixel(p, h, w, x0 + 1, y0 + 1, replicate, fill);
                    float top = v00 + ax * (v01 - v00);
                    float bottom = v10 + ax * (v11 - v10);
                    out[ch * oplane] = top + ay * (bottom - top);
                }
            }
        }
    }
}

int32_t cs_warp_f32(const float* src, int32_t c, int32_t h, int32_t w,
                    float* dst, int32_t oh, int32_t ow,
                    const double* m, int32_t sampling, int32_t border, float fill)
{
    if (!src || !dst || !m) return CS_E_NULL;
    if (c < 1 || h < 1 || w < 1 || oh < 1 || ow < 1) return CS_E_RANGE;
    if (sampling != CS_SAMPLE_NEAREST && sampling != CS_SAMPLE_BILINEAR) return CS_E_RANGE;
    if (border != CS_BORDER_CONSTANT && border != CS_BORDER_REPLICATE) return CS_E_RANGE;
    for (int i = 0; i < 9; i++)
        if (!isfinite(m[i])) return CS_E_RANGE;
    warp_rows(src, c, h, w, dst, oh, ow, m, sampling, border == CS_BORDER_REPLICATE, fill);
    return CS_OK;
}

int32_t cs_resize_f32(const float* src, int32_t c, int32_t h, int32_t w,
                      float* dst, int32_t oh, int32_t ow, int32_t sampling)
{
    if (oh < 1 || ow < 1 || h < 1 || w < 1) return CS_E_RANGE;
    double kx = (double)w / (double)ow, ky = (double)h / (double)oh;
    const double m[9] = { kx, 0.0, 0.5 * kx - 0.5, 0.0, ky, 0.5 * ky - 0.5, 0.0, 0.0, 1.0 };
    return cs_warp_f32(src, c, h, w, dst, oh, ow, m, sampling, CS_BORDER_REPLICATE, 0.0f);
}

int32_t cs_u8_to_f32(const uint8_t* src, int64_t n, float* dst, float scale)
{
    if (!src || !dst) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    for (int64_t i = 0; i < n; i++) dst[i] = scale * (float)src[i];
    return CS_OK;
}

static double gray_mean(const float* x, int64_t c, int64_t plane)
{
    double sum = 0.0;
    if (c == 3) {
        for (int64_t i = 0; i < plane; i++)
            sum += 0.2989 * x[i] + 0.587 * x[plane + i] + 0.114 * x[2 * plane + i];
        return sum / (double)plane;
    }
    for (int64_t i = 0; i < c * plane; i++) sum += x[i];
    return sum / (double)(c * plane);
}

static inline float clampf_range(float v, float lo, float hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static void scale_shift_clamp(float* x, int64_t n, float a, float b, float lo, float hi)
{
    for (int64_t i = 0; i < n; i++) x[i] = clampf_range(a * x[i] + b, lo, hi);
}

int32_t cs_adjust_color_f32(float* x, int32_t c, int32_t h, int32_t w,
                            float brightness, float contrast, int32_t contrast_first,
                            float lo, float hi)
{
    if (!x) return CS_E_NULL;
    if (c < 1 || h < 1 || w < 1) return CS_E_RANGE;
    if (!(brightness >= 0.0f) || !(contrast >= 0.0f) || !isfinite(brightness) || !isfinite(contrast) || !(lo <= hi))
        return CS_E_RANGE;
    const int64_t plane = (int64_t)h * w, n = (int64_t)c * plane;
    for (int step = 0; step < 2; step++) {
        int do_contrast = (step == 0) == (contrast_first != 0);
        if (do_contrast) {
            if (contrast == 1.0f) continue;
            float mean = (float)gray_mean(x, c, plane);
            scale_shift_clamp(x, n, contrast, (1.0f - contrast) * mean, lo, hi);
        } else {
            if (brightness == 1.0f) continue;
            scale_shift_clamp(x, n, brightness, 0.0f, lo, hi);
        }
    }
    return CS_OK;
}
