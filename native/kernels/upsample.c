/* Nearest and bilinear upsampling of NCHW planes, with PyTorch's source-index rules, and their adjoints
 * (backward ADDS into dx). Letters: P planes (N·C), H×W input, OH×OW output. */
#include <math.h>
#include <stdlib.h>

#include "convsharp_native.h"

/* Where output coordinate o samples the input (PyTorch's area_pixel_compute_source_index). */
static inline float source(int64_t o, float scale, int32_t align_corners, int32_t cubic_like_linear)
{
    if (align_corners) return (float)o * scale;
    float s = ((float)o + 0.5f) * scale - 0.5f;
    return (cubic_like_linear && s < 0.0f) ? 0.0f : s;
}

/* scale = in/out per axis (align_corners: (in−1)/(out−1), 0 when out = 1); for nearest, PyTorch's
 * floor(o·scale) clamped to in − 1. */
static void axis(int64_t in, int64_t out, float scale, int32_t mode, int32_t align_corners,
                 int64_t* i0, int64_t* i1, float* lambda)
{
    for (int64_t o = 0; o < out; o++) {
        if (mode == CS_UPSAMPLE_NEAREST) {
            int64_t s = (int64_t)floorf((float)o * scale);
            i0[o] = i1[o] = s < in - 1 ? s : in - 1;
            lambda[o] = 0.0f;
        } else {
            float s = source(o, scale, align_corners, 1);
            int64_t a = (int64_t)s;
            if (a > in - 1) a = in - 1;
            i0[o] = a;
            i1[o] = a < in - 1 ? a + 1 : a;
            lambda[o] = s - (float)a;
        }
    }
}

static int32_t check(int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow, int32_t mode)
{
    if (planes < 1 || h < 1 || w < 1 || oh < 1 || ow < 1) return CS_E_RANGE;
    if (mode != CS_UPSAMPLE_NEAREST && mode != CS_UPSAMPLE_BILINEAR) return CS_E_RANGE;
    if (oh > 65536 || ow > 65536) return CS_E_RANGE;
    return CS_OK;
}

/* The index and weight tables of both axes, one entry per output row and column, in one allocation that the
 * caller frees through *idx (lam is a second one). */
typedef struct {
    int64_t *h0, *h1, *w0, *w1;
    float *lh, *lw;
} tables;

static int32_t make_tables(int32_t mode, int64_t h, int64_t w, int64_t oh, int64_t ow, float scale_h, float scale_w,
                           int32_t align_corners, tables* t)
{
    int64_t* idx = (int64_t*)malloc(sizeof(int64_t) * 2 * (size_t)(oh + ow));
    float* lam = (float*)malloc(sizeof(float) * (size_t)(oh + ow));
    if (!idx || !lam) { free(idx); free(lam); return CS_E_RANGE; }
    t->h0 = idx; t->h1 = idx + oh; t->w0 = idx + 2 * oh; t->w1 = idx + 2 * oh + ow;
    t->lh = lam; t->lw = lam + oh;
    axis(h, oh, scale_h, mode, align_corners, t->h0, t->h1, t->lh);
    axis(w, ow, scale_w, mode, align_corners, t->w0, t->w1, t->lw);
    return CS_OK;
}

static void free_tables(tables* t)
{
    free(t->h0);
    free(t->lh);
}

int32_t cs_upsample_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                        float scale_h, float scale_w, int32_t align_corners, const float* x, float* y)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check(planes, h, w, oh, ow, mode);
    if (st != CS_OK) return st;
    tables t;
    if ((st = make_tables(mode, h, w, oh, ow, scale_h, scale_w, align_corners, &t)) != CS_OK) return st;
    for (int64_t p = 0; p < planes; p++) {
        const float* xp = x + p * h * w;
        float* yp = y + p * oh * ow;
        for (int64_t i = 0; i < oh; i++) {
            const float a = 1.0f - t.lh[i], b = t.lh[i];
            const float* r0 = xp + t.h0[i] * w;
            const float* r1 = xp + t.h1[i] * w;
            for (int64_t j = 0; j < ow; j++) {
                const float c = 1.0f - t.lw[j], d = t.lw[j];
                yp[i * ow + j] = a * (c * r0[t.w0[j]] + d * r0[t.w1[j]]) + b * (c * r1[t.w0[j]] + d * r1[t.w1[j]]);
            }
        }
    }
    free_tables(&t);
    return CS_OK;
}

int32_t cs_upsample_backward_f32(int32_t mode, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                                 float scale_h, float scale_w, int32_t align_corners, const float* dy, float* dx)
{
    if (!dy || !dx) return CS_E_NULL;
    int32_t st = check(planes, h, w, oh, ow, mode);
    if (st != CS_OK) return st;
    tables t;
    if ((st = make_tables(mode, h, w, oh, ow, scale_h, scale_w, align_corners, &t)) != CS_OK) return st;
    for (int64_t p = 0; p < planes; p++) {
        const float* gp = dy + p * oh * ow;
        float* dp = dx + p * h * w;
        for (int64_t i = 0; i < oh; i++) {
            const float a = 1.0f - t.lh[i], b = t.lh[i];
            float* r0 = dp + t.h0[i] * w;
            float* r1 = dp + t.h1[i] * w;
            for (int64_t j = 0; j < ow; j++) {
                /* The adjoint adds each tap's share of the output gradient. */
                const float c = 1.0f - t.lw[j], d = t.lw[j], g = gp[i * ow + j];
                r0[t.w0[j]] += a * c * g;
                r0[t.w1[j]] += a * d * g;
                r1[t.w0[j]] += b * c * g;
                r1[t.w1[j]] += b * d * g;
            }
        }
    }
    free_tables(&t);
    return CS_OK;
}
