/* Direct stride-1 convolution for small C·KH·KW (see cs_conv.h).
 *
 * Layout of the scratch: [padded plane: C × HP × WP][weights by block: KBLK × R × 8][dy of one block: 8 × OH × OWR],
 * with HP = H + 2·PH and WP = W + 2·PW + 16: the 16 extra zero columns let a 16-lane load start at any
 * output column without reading past a row. Weights are regrouped so the 8 output channels of a block
 * sit next to each other (zero for channels past K): the inner loops always run 8 accumulators.
 * Loads of dy past OW are masked to zero, so partial chunks add nothing to the padding. */
#include <string.h>

#include "convsharp_native.h"

#define KB 8

typedef struct {
    int64_t C, H, W, K, KH, KW, PH, PW, DH, DW, OH, OW, HP, WP, R, blocks;
    int64_t AH, AW, HPD, WPD;  /* dy padded by the kernel's span, for the input gradient */
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
    l->AH = g->dh * (g->kh - 1);
    l->AW = g->dw * (g->kw - 1);
    l->HPD = l->OH + 2 * l->AH;
    l->WPD = l->OW + 2 * l->AW + 16;
    if (k * l->HPD * l->WPD > INT32_MAX) return CS_E_RANGE;  /* tap offsets are int32 */
    return CS_OK;
}

int64_t cs_conv_direct_scratch(const cs_conv_geometry* g, int64_t k)
{
    layout l;
    if (make_layout(g, k, &l) != CS_OK) return -1;
    int64_t forward = l.C * l.HP * l.WP + l.blocks * l.R * KB + KB * l.OH * ((l.OW + 15) / 16 * 16);  /* + dy block */
    int64_t input_grad = l.K * l.HPD * l.WPD + 2 * l.K * l.R;                     /* padded dy, tap weights and offsets */
    return forward > input_grad ? forward : input_grad;
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

/* One instantiation of the image kernels per instruction set. GCC's target_clones would give the AVX2
 * clone no FMA and too few registers for 16-lane vectors, so each width gets its own target here and
 * the choice is made once, at the first call. */
#pragma GCC push_options
#pragma GCC target("avx512f,fma")
#define LANES 16
#define SUFFIX avx512
#include "conv_direct_body.h"
#undef LANES
#undef SUFFIX
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define LANES 8
#define SUFFIX avx2
#include "conv_direct_body.h"
#undef LANES
#undef SUFFIX
#pragma GCC pop_options

#define LANES 4
#define SUFFIX sse
#include "conv_direct_body.h"
#undef LANES
#undef SUFFIX

typedef struct {
    void (*forward)(const layout*, const float*, const float*, const float*, float*);
    void (*grad_weight)(const layout*, const float*, const float*, int64_t, float*);
    void (*grad_input)(const layout*, const float*, const float*, const int32_t*, float*);
} image_kernels;

static const image_kernels* kernels(void)
{
    static const image_kernels avx512 = {forward_avx512, grad_weight_avx512, grad_input_avx512};
    static const image_kernels avx2 = {forward_avx2, grad_weight_avx2, grad_input_avx2};
    static const image_kernels sse = {forward_sse, grad_weight_sse, grad_input_sse};
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return &avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &avx2;
    return &sse;
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
        kernels()->forward(&l, xp, wb, bias, y + n * l.K * l.OH * l.OW);
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
    float* dyb = xp + l.C * l.HP * l.WP + l.blocks * l.R * KB;
    const int64_t OWR = (l.OW + 15) / 16 * 16;
    memset(dyb, 0, (size_t)(KB * l.OH * OWR) * sizeof(float));
    for (int64_t n = 0; n < g->n; n++) {
        pad_image(&l, x + n * l.C * l.H * l.W, xp);
        const float* dyn = dy + n * l.K * l.OH * l.OW;
        for (int64_t b = 0; b < l.blocks; b++) {
            /* In a short last block the planes past kb keep the previous block's values; their sums are discarded. */
            const int64_t kb = l.K - b * KB < KB ? l.K - b * KB : KB;
            for (int64_t j = 0; j < kb; j++)
                for (int64_t i = 0; i < l.OH; i++)
                    memcpy(dyb + (j * l.OH + i) * OWR, dyn + ((b * KB + j) * l.OH + i) * l.OW, (size_t)l.OW * sizeof(float));
            kernels()->grad_weight(&l, xp, dyb, b, dw);
        }
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
    const int64_t T = l.K * l.KH * l.KW;
    float* dyp = scratch;
    float* tap_weight = dyp + l.K * l.HPD * l.WPD;
    int32_t* tap_offset = (int32_t*)(void*)(tap_weight + l.C * T);
    /* Tap (k, r, s) of input channel c reads dy[k, ih + PH − r·DH, iw + PW − s·DW]. */
    for (int64_t c = 0; c < l.C; c++)
        for (int64_t kk = 0, t = 0; kk < l.K; kk++)
            for (int64_t r = 0; r < l.KH; r++)
                for (int64_t s = 0; s < l.KW; s++, t++) {
                    tap_weight[c * T + t] = w[((kk * l.C + c) * l.KH + r) * l.KW + s];
                    tap_offset[c * T + t] = (int32_t)((kk * l.HPD + l.PH - r * l.DH + l.AH) * l.WPD + l.PW - s * l.DW + l.AW);
                }
    memset(dyp, 0, (size_t)(l.K * l.HPD * l.WPD) * sizeof(float));
    for (int64_t n = 0; n < g->n; n++) {
        const float* dyn = dy + n * l.K * l.OH * l.OW;
        for (int64_t kk = 0; kk < l.K; kk++)
            for (int64_t i = 0; i < l.OH; i++)
                memcpy(dyp + (kk * l.HPD + i + l.AH) * l.WPD + l.AW, dyn + (kk * l.OH + i) * l.OW, (size_t)l.OW * sizeof(float));
        kernels()->grad_input(&l, dyp, tap_weight, tap_offset, dx + n * l.C * l.H * l.W);
    }
    return CS_OK;
}
