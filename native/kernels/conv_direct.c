/* Direct stride-1 convolution for small C·KH·KW (see cs_conv.h).
 *
 * Layout of the scratch: [padded plane: C × HP × WP][weights by block: KBLK × R × 8][partial sums: R × 8 × 16],
 * with HP = H + 2·PH and WP = W + 2·PW + 16: the 16 extra zero columns let a 16-lane load start at any
 * output column without reading past a row. Weights are regrouped so the 8 output channels of a block
 * sit next to each other (zero for channels past K): the inner loops always run 8 accumulators.
 * Loads of dy past OW are masked to zero, so partial chunks add nothing to the padding. */
#include <string.h>

#include "convsharp_native.h"
#include "cs_simd.h"

typedef float v16 __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
#define KB 8

static inline __attribute__((always_inline)) v16 load16(const float* p) { v16 v; memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void store16(float* p, v16 v) { memcpy(p, &v, sizeof v); }

/* The first n (≤ 16) floats at p, zero in the other lanes; never reads past p + n. */
static inline __attribute__((always_inline)) v16 load_n(const float* p, int64_t n)
{
    if (n == 16) return load16(p);
    float t[16] = {0};
    memcpy(t, p, (size_t)n * sizeof(float));
    return load16(t);
}

static inline __attribute__((always_inline)) void store_n(float* p, v16 v, int64_t n)
{
    if (n == 16) { store16(p, v); return; }
    float t[16];
    store16(t, v);
    memcpy(p, t, (size_t)n * sizeof(float));
}

typedef struct {
    int64_t C, H, W, K, KH, KW, PH, PW, DH, DW, OH, OW, HP, WP, R, blocks;
} layout;

static int32_t make_layout(const cs_conv_geometry* g, int64_t k, layout* l)
{
    if (!g) return CS_E_NULL;
    if (g->n < 1 || g->c < 1 || g->h < 1 || g->w < 1 || g->kh < 1 || g->kw < 1 || k < 1 ||
        g->sh != 1 || g->sw != 1 || g->ph < 0 || g->pw < 0 || g->dh < 1 || g->dw < 1)
        return CS_E_RANGE;
    l->C = g->c; l->H = g->h; l->W = g->w; l->K = k; l->KH = g->kh; l->KW = g->kw;
    l->PH = g->ph; l->PW = g->pw; l->DH = g->dh; l->DW = g->dw;
    l->OH = cs_conv_out_size(g->h, g->kh, 1, g->ph, g->dh);
    l->OW = cs_conv_out_size(g->w, g->kw, 1, g->pw, g->dw);
    if (l->OH < 1 || l->OW < 1) return CS_E_GEOMETRY;
    l->R = g->c * g->kh * g->kw;
    if (l->R > CS_CONV_DIRECT_MAX_ROWS) return CS_E_RANGE;
    l->HP = g->h + 2 * g->ph;
    l->WP = g->w + 2 * g->pw + 16;
    l->blocks = (k + KB - 1) / KB;
    return CS_OK;
}

int64_t cs_conv_direct_scratch(const cs_conv_geometry* g, int64_t k)
{
    layout l;
    if (make_layout(g, k, &l) != CS_OK) return -1;
    return l.C * l.HP * l.WP + l.blocks * l.R * KB + l.R * KB * 16 + 16;  /* + 16: room to align the partial sums */
}

static void pad_image(const layout* l, const float* x, float* xp)
{
    memset(xp, 0, (size_t)(l->C * l->HP * l->WP) * sizeof(float));
    for (int64_t c = 0; c < l->C; c++)
        for (int64_t i = 0; i < l->H; i++)
            memcpy(xp + (c * l->HP + i + l->PH) * l->WP + l->PW, x + (c * l->H + i) * l->W, (size_t)l->W * sizeof(float));
}

/* wb[block][r][j] = w[block·8 + j][r], 0 past K. */
static void block_weights(const layout* l, const float* w, float* wb)
{
    for (int64_t b = 0; b < l->blocks; b++)
        for (int64_t r = 0; r < l->R; r++)
            for (int64_t j = 0; j < KB; j++) {
                int64_t kk = b * KB + j;
                wb[(b * l->R + r) * KB + j] = kk < l->K ? w[kk * l->R + r] : 0.0f;
            }
}

CS_MULTIVERSION
static void forward_image(const layout* l, const float* xp, const float* wb, const float* bias, float* y)
{
    const int64_t OH = l->OH, OW = l->OW, WP = l->WP, HP = l->HP;
    for (int64_t b = 0; b < l->blocks; b++) {
        const float* wblk = wb + b * l->R * KB;
        const int64_t kb = l->K - b * KB < KB ? l->K - b * KB : KB;
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow0 = 0; ow0 < OW; ow0 += 16) {
                v16 acc[KB];
                for (int j = 0; j < KB; j++) acc[j] = (v16){0} + (bias && j < kb ? bias[b * KB + j] : 0.0f);
                const float* wr = wblk;
                for (int64_t c = 0; c < l->C; c++)
                    for (int64_t r = 0; r < l->KH; r++) {
                        const float* row = xp + (c * HP + oh + r * l->DH) * WP + ow0;
                        for (int64_t s = 0; s < l->KW; s++, wr += KB) {
                            v16 xv = load16(row + s * l->DW);
                            for (int j = 0; j < KB; j++) acc[j] += xv * wr[j];
                        }
                    }
                const int64_t cw = OW - ow0 < 16 ? OW - ow0 : 16;
                for (int64_t j = 0; j < kb; j++) store_n(y + ((b * KB + j) * OH + oh) * OW + ow0, acc[j], cw);
            }
    }
}

CS_MULTIVERSION
static void grad_weight_image(const layout* l, const float* xp, const float* dy, float* dw, v16* part)
{
    const int64_t OH = l->OH, OW = l->OW, WP = l->WP, HP = l->HP, R = l->R;
    for (int64_t b = 0; b < l->blocks; b++) {
        const int64_t kb = l->K - b * KB < KB ? l->K - b * KB : KB;
        memset(part, 0, (size_t)(R * KB) * sizeof(v16));
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow0 = 0; ow0 < OW; ow0 += 16) {
                const int64_t cw = OW - ow0 < 16 ? OW - ow0 : 16;
                v16 gv[KB];
                for (int j = 0; j < KB; j++) gv[j] = j < kb ? load_n(dy + ((b * KB + j) * OH + oh) * OW + ow0, cw) : (v16){0};
                v16* p = part;
                for (int64_t c = 0; c < l->C; c++)
                    for (int64_t r = 0; r < l->KH; r++) {
                        const float* row = xp + (c * HP + oh + r * l->DH) * WP + ow0;
                        for (int64_t s = 0; s < l->KW; s++, p += KB) {
                            v16 xv = load16(row + s * l->DW);
                            for (int j = 0; j < KB; j++) p[j] += gv[j] * xv;
                        }
                    }
            }
        for (int64_t j = 0; j < kb; j++)
            for (int64_t r = 0; r < R; r++) {
                v16 v = part[r * KB + j];
                float sum = 0.0f;
                for (int lane = 0; lane < 16; lane++) sum += v[lane];
                dw[(b * KB + j) * R + r] += sum;
            }
    }
}

CS_MULTIVERSION
static void grad_input_image(const layout* l, const float* wb, const float* dy, float* dxp)
{
    const int64_t OH = l->OH, OW = l->OW, WP = l->WP, HP = l->HP, R = l->R;
    memset(dxp, 0, (size_t)(l->C * HP * WP) * sizeof(float));
    for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow0 = 0; ow0 < OW; ow0 += 16) {
            const int64_t cw = OW - ow0 < 16 ? OW - ow0 : 16;
            for (int64_t b = 0; b < l->blocks; b++) {
                const int64_t kb = l->K - b * KB < KB ? l->K - b * KB : KB;
                v16 gv[KB];
                for (int j = 0; j < KB; j++) gv[j] = j < kb ? load_n(dy + ((b * KB + j) * OH + oh) * OW + ow0, cw) : (v16){0};
                const float* wr = wb + b * R * KB;
                for (int64_t c = 0; c < l->C; c++)
                    for (int64_t r = 0; r < l->KH; r++) {
                        float* row = dxp + (c * HP + oh + r * l->DH) * WP + ow0;
                        for (int64_t s = 0; s < l->KW; s++, wr += KB) {
                            v16 acc = load16(row + s * l->DW);
                            for (int j = 0; j < KB; j++) acc += gv[j] * wr[j];
                            store16(row + s * l->DW, acc);
                        }
                    }
            }
        }
}

int32_t cs_conv_direct_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* w,
                           const float* bias, float* y, float* scratch)
{
    layout l;
    if (!x || !w || !y || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, &l);
    if (st != CS_OK) return st;
    float* xp = scratch;
    float* wb = xp + l.C * l.HP * l.WP;
    block_weights(&l, w, wb);
    for (int64_t n = 0; n < g->n; n++) {
        pad_image(&l, x + n * l.C * l.H * l.W, xp);
        forward_image(&l, xp, wb, bias, y + n * l.K * l.OH * l.OW);
    }
    return CS_OK;
}

int32_t cs_conv_direct_grad_weight_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* dy,
                                       float* dw, float* scratch)
{
    layout l;
    if (!x || !dy || !dw || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, &l);
    if (st != CS_OK) return st;
    float* xp = scratch;
    /* 64-byte aligned partial sums after the padded plane and the weight blocks. */
    uintptr_t at = (uintptr_t)(xp + l.C * l.HP * l.WP + l.blocks * l.R * KB);
    v16* part = (v16*)(void*)((at + 63) & ~(uintptr_t)63);
    for (int64_t n = 0; n < g->n; n++) {
        pad_image(&l, x + n * l.C * l.H * l.W, xp);
        grad_weight_image(&l, xp, dy + n * l.K * l.OH * l.OW, dw, part);
    }
    return CS_OK;
}

int32_t cs_conv_direct_grad_input_f32(const cs_conv_geometry* g, int64_t k, const float* w, const float* dy,
                                      float* dx, float* scratch)
{
    layout l;
    if (!w || !dy || !dx || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, &l);
    if (st != CS_OK) return st;
    float* dxp = scratch;
    float* wb = dxp + l.C * l.HP * l.WP;
    block_weights(&l, w, wb);
    for (int64_t n = 0; n < g->n; n++) {
        grad_input_image(&l, wb, dy + n * l.K * l.OH * l.OW, dxp);
        float* dxn = dx + n * l.C * l.H * l.W;
        for (int64_t c = 0; c < l.C; c++)
            for (int64_t i = 0; i < l.H; i++) {
                const float* src = dxp + (c * l.HP + i + l.PH) * l.WP + l.PW;
                float* dst = dxn + (c * l.H + i) * l.W;
                for (int64_t j = 0; j < l.W; j++) dst[j] += src[j];
            }
    }
    return CS_OK;
}
