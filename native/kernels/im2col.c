/* im2col / col2im for NCHW float32 (shape letters in convsharp_native.h).
 *
 * A column matrix has C*KH*KW rows; row (c, r, s) holds, for every output position (oh, ow), the
 * input value under kernel tap (r, s) of channel c: x[c, oh*SH - PH + r*DH, ow*SW - PW + s*DW],
 * or 0 where that falls in the padding. For each (row, oh) the valid ow form one interval, found
 * once, so the inner loop is a branch-free strided copy. */

#include "convsharp_native.h"

int64_t cs_conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation)
{
    if (in < 1 || k < 1 || stride < 1 || pad < 0 || dilation < 1) return 0;
    int64_t span = dilation * (k - 1) + 1;
    int64_t padded = in + 2 * pad;
    if (padded < span) return 0;
    return (padded - span) / stride + 1;
}

static int32_t check(const cs_conv_geometry* g, int64_t* oh, int64_t* ow)
{
    if (!g) return CS_E_NULL;
    if (g->n < 1 || g->c < 1 || g->h < 1 || g->w < 1 || g->kh < 1 || g->kw < 1 ||
        g->sh < 1 || g->sw < 1 || g->ph < 0 || g->pw < 0 || g->dh < 1 || g->dw < 1)
        return CS_E_RANGE;
    *oh = cs_conv_out_size(g->h, g->kh, g->sh, g->ph, g->dh);
    *ow = cs_conv_out_size(g->w, g->kw, g->sw, g->pw, g->dw);
    return (*oh < 1 || *ow < 1) ? CS_E_GEOMETRY : CS_OK;
}

/* The interval [lo, hi) of output columns whose input column ow*sw - pw + off lies in [0, w). */
static void valid_range(int64_t w, int64_t ow, int64_t sw, int64_t pw, int64_t off, int64_t* lo, int64_t* hi)
{
    int64_t first = pw - off;  /* smallest ow*sw that lands on input column 0 */
    int64_t l = first <= 0 ? 0 : (first + sw - 1) / sw;
    int64_t last = w - 1 + pw - off;
    int64_t h = last < 0 ? 0 : last / sw + 1;
    if (h > ow) h = ow;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

static void im2col_image(const float* x, const cs_conv_geometry* g, int64_t OH, int64_t OW,
                         float* col, int64_t ld, int64_t off)
{
    const int64_t H = g->h, W = g->w, KH = g->kh, KW = g->kw;
    for (int64_t c = 0; c < g->c; c++) {
        const float* xc = x + c * H * W;
        for (int64_t r = 0; r < KH; r++) {
            for (int64_t s = 0; s < KW; s++) {
                float* row = col + ((c * KH + r) * KW + s) * ld + off;
                int64_t lo, hi, dx = s * g->dw;
                valid_range(W, OW, g->sw, g->pw, dx, &lo, &hi);
                for (int64_t oh = 0; oh < OH; oh++) {
                    float* dst = row + oh * OW;
                    int64_t ih = oh * g->sh - g->ph + r * g->dh;
                    if (ih < 0 || ih >= H) {
                        for (int64_t o = 0; o < OW; o++) dst[o] = 0.0f;
                        continue;
                    }
                    /* Plain loops, not memcpy/memset: rows are often 7 to 32 floats wide, where a
                     * library call per row costs more than the copy. */
                    for (int64_t o = 0; o < lo; o++) dst[o] = 0.0f;
                    for (int64_t o = hi; o < OW; o++) dst[o] = 0.0f;
                    const float* src = xc + ih * W + lo * g->sw - g->pw + dx;
                    if (g->sw == 1) {
                        for (int64_t o = lo; o < hi; o++) dst[o] = src[o - lo];
                    } else {
                        const int64_t sw = g->sw;
                        for (int64_t o = lo; o < hi; o++) dst[o] = src[(o - lo) * sw];
                    }
                }
            }
        }
    }
}

static void col2im_image(const float* col, int64_t ld, int64_t off, const cs_conv_geometry* g,
                         int64_t OH, int64_t OW, float* x)
{
    const int64_t H = g->h, W = g->w, KH = g->kh, KW = g->kw;
    for (int64_t c = 0; c < g->c; c++) {
        float* xc = x + c * H * W;
        for (int64_t r = 0; r < KH; r++) {
            for (int64_t s = 0; s < KW; s++) {
                const float* row = col + ((c * KH + r) * KW + s) * ld + off;
                int64_t lo, hi, dx = s * g->dw;
                valid_range(W, OW, g->sw, g->pw, dx, &lo, &hi);
                for (int64_t oh = 0; oh < OH; oh++) {
                    int64_t ih = oh * g->sh - g->ph + r * g->dh;
                    if (ih < 0 || ih >= H) continue;
                    const float* src = row + oh * OW;
                    float* dst = xc + ih * W + lo * g->sw - g->pw + dx;
                    const int64_t sw = g->sw;
                    for (int64_t o = lo; o < hi; o++) dst[(o - lo) * sw] += src[o];
                }
            }
        }
    }
}

int32_t cs_im2col_image_f32(const float* x, const cs_conv_geometry* g, float* col, int64_t ld_col, int64_t col_offset)
{
    int64_t OH, OW;
    if (!x || !col) return CS_E_NULL;
    int32_t st = check(g, &OH, &OW);
    if (st != CS_OK) return st;
    if (col_offset < 0 || ld_col < col_offset + OH * OW) return CS_E_RANGE;
    im2col_image(x, g, OH, OW, col, ld_col, col_offset);
    return CS_OK;
}

int32_t cs_im2col_f32(const float* x, const cs_conv_geometry* g, float* col)
{
    int64_t OH, OW;
    if (!x || !col) return CS_E_NULL;
    int32_t st = check(g, &OH, &OW);
    if (st != CS_OK) return st;
    const int64_t chw = (int64_t)g->c * g->h * g->w, ld = (int64_t)g->n * OH * OW;
    for (int64_t n = 0; n < g->n; n++) im2col_image(x + n * chw, g, OH, OW, col, ld, n * OH * OW);
    return CS_OK;
}

int32_t cs_col2im_image_f32(const float* col, int64_t ld_col, int64_t col_offset, const cs_conv_geometry* g, float* x)
{
    int64_t OH, OW;
    if (!x || !col) return CS_E_NULL;
    int32_t st = check(g, &OH, &OW);
    if (st != CS_OK) return st;
    if (col_offset < 0 || ld_col < col_offset + OH * OW) return CS_E_RANGE;
    col2im_image(col, ld_col, col_offset, g, OH, OW, x);
    return CS_OK;
}

int32_t cs_col2im_f32(const float* col, const cs_conv_geometry* g, float* x)
{
    int64_t OH, OW;
    if (!x || !col) return CS_E_NULL;
    int32_t st = check(g, &OH, &OW);
    if (st != CS_OK) return st;
    const int64_t chw = (int64_t)g->c * g->h * g->w, ld = (int64_t)g->n * OH * OW;
    for (int64_t n = 0; n < g->n; n++) col2im_image(col, ld, n * OH * OW, g, OH, OW, x + n * chw);
    return CS_OK;
}
