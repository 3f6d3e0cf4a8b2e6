/* Direct convolution (any stride, padding and dilation) as an implicit GEMM over a zero-padded plane (see cs_conv.h).
 *
 * Forward: each image is copied into xp [C, HP, WP] (HP = H + 2·PH, WP = W + 2·PW). Output position
 * q = oh·WP + ow of a "wide" output row reads tap (c, r, s) at xp[q + off], off = c·HP·WP + r·DH·WP + s·DW,
 * so every tap is one contiguous run over positions: y_wide[K, OH·WP] = W[K, R] × X(off), computed in
 * register tiles (conv_direct_body.h) without writing a column matrix. The WP − OW wide columns of each
 * row are computed and dropped when the tile's result is copied into y.
 * Input gradient: the same tile on dy padded by the kernel's span (dyp [K, OH + 2·AH, OW + 2·AW]) with
 * taps (k, r, s) and transposed weights: dx_wide[C, H·WPD] = Wᵀ(flipped) × DY(off); added into dx.
 * Weight gradient: dw[K, R] += dy_wide[K, Q] × X(off)ᵀ with dy_wide zero in the dropped columns, the
 * sum over positions and over a chunk of images kept in registers per KB × NT tile. */
#include <string.h>

#include "convsharp_native.h"

#define KB 4   /* output channels per tile */
#define NQ 3   /* position vectors per forward tile */
#define NT 3   /* taps per weight-gradient tile */
#define CV 2   /* vectors of output channels per channel-vectorized tile */
#define CHUNK_FLOATS 65536  /* images per weight-gradient pass: their padded planes fit about 256 KB */

/* The tiles at this instantiation's vector width (the file is compiled once per instruction set, cs_isa.h). */
#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX2__)
#define LANES 8
#else
#define LANES 4
#endif
#define SUFFIX simd
#include "conv_direct_body.h"
#define CHANNEL_BLOCK (CV * LANES)  /* channels per channel-vectorized block */

typedef struct {
    int64_t N, C, H, W, K, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, R, Kp, Cp, Kc, Cc, P;
    int64_t HP, WP, xlen, Q, Qr;                 /* forward and weight gradient */
    int64_t AH, AW, HPD, WPD, dylen, T2, Q2r;    /* input gradient */
    int64_t chunk, chunk2;  /* images per pass: forward and weight gradient; input gradient */
    int64_t band;           /* output rows per band when images are split into bands (0: whole images) */
    int cv_out, cv_in;  /* channel-vectorized tiles for K (forward, weight gradient) and for C (input gradient) */
} layout;

static int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Padded input rows that output rows [r0, r1) read. */
static int64_t band_rows(const layout* l, int64_t r0, int64_t r1) { return (r1 - 1 - r0) * l->SH + (l->KH - 1) * l->DH + 1; }

static int32_t make_layout(const cs_conv_geometry* g, int64_t k, int64_t parts, layout* l)
{
    if (!g) return CS_E_NULL;
    if (g->n < 1 || g->c < 1 || g->h < 1 || g->w < 1 || g->kh < 1 || g->kw < 1 || k < 1 || parts < 1 ||
        g->sh < 1 || g->sw < 1 || g->ph < 0 || g->pw < 0 || g->dh < 1 || g->dw < 1)
        return CS_E_RANGE;
    const int64_t lanes = LANES;
    l->N = g->n; l->C = g->c; l->H = g->h; l->W = g->w; l->K = k; l->KH = g->kh; l->KW = g->kw;
    l->SH = g->sh; l->SW = g->sw; l->PH = g->ph; l->PW = g->pw; l->DH = g->dh; l->DW = g->dw;
    l->OH = cs_conv_out_size(g->h, g->kh, g->sh, g->ph, g->dh);
    l->OW = cs_conv_out_size(g->w, g->kw, g->sw, g->pw, g->dw);
    if (l->OH < 1 || l->OW < 1) return CS_E_GEOMETRY;
    const int strided = g->sh != 1 || g->sw != 1;
    l->R = g->c * g->kh * g->kw;
    l->P = l->OH * l->OW;
    /* Lanes over channels waste nothing on small planes but need at least a vector of channels; position
     * lanes run over the rows of a stride-1 output only. */
    l->cv_out = strided || (k >= lanes && l->R >= 32);
    l->cv_in = g->c >= lanes && k * g->kh * g->kw >= 32;
    l->Kp = round_up(k, KB);
    l->Cp = round_up(g->c, KB);
    l->Kc = round_up(k, CHANNEL_BLOCK);
    l->Cc = round_up(g->c, CHANNEL_BLOCK);
    l->HP = g->h + 2 * g->ph;
    l->WP = g->w + 2 * g->pw;
    l->Q = l->OH * l->WP;
    l->Qr = round_up(l->Q, lanes);
    /* The last position-vectorized tile reads up to (KW − 1)·DW + lanes floats past the plane: zeros. */
    l->xlen = round_up(l->C * l->HP * l->WP + (l->KW - 1) * l->DW + lanes, 16);
    l->AH = g->dh * (g->kh - 1);
    l->AW = g->dw * (g->kw - 1);
    l->HPD = l->OH + 2 * l->AH;
    l->WPD = l->OW + 2 * l->AW;
    l->dylen = round_up(k * l->HPD * l->WPD + l->PW + l->AW + lanes, 16);
    l->T2 = k * g->kh * g->kw;
    l->Q2r = round_up(l->H * l->WPD, lanes);
    if (l->xlen > INT32_MAX / 2 || l->dylen > INT32_MAX / 2) return CS_E_RANGE;  /* offsets are int32 */
    const int64_t per_image = l->xlen + (l->cv_out ? l->P * l->Kc : l->Kp * l->Qr);
    l->chunk = CHUNK_FLOATS / per_image < 1 ? 1 : CHUNK_FLOATS / per_image > l->N ? l->N : CHUNK_FLOATS / per_image;
    l->chunk2 = CHUNK_FLOATS / l->dylen < 1 ? 1 : CHUNK_FLOATS / l->dylen > l->N ? l->N : CHUNK_FLOATS / l->dylen;
    /* Channel lanes split an image into bands of output rows when it does not fit the chunk budget (its input
     * rows then stay in cache across all channel blocks) or when there are fewer images than parts. */
    l->band = 0;
    if (l->cv_out && (per_image > CHUNK_FLOATS || l->N < parts)) {
        int64_t row_cost = l->C * l->SH * l->WP + l->OW * (l->Kc + 2);
        int64_t rows = max64(1, CHUNK_FLOATS / row_cost);
        int64_t per_image_parts = (parts + l->N - 1) / l->N;
        l->band = max64(1, min64(min64(rows, l->OH), (l->OH + per_image_parts - 1) / per_image_parts));
    }
    return CS_OK;
}

/* Floats of one band's padded input and of its transposed output gradient, positions included. */
static int64_t band_scratch(const layout* l)
{
    return round_up(l->C * band_rows(l, 0, l->band) * l->WP, 16) + l->band * l->OW * (l->Kc + 2) + l->R;
}

static int64_t forward_scratch(const layout* l)
{
    if (l->band) return band_scratch(l) + l->Kc * l->R + l->Kc;
    return l->cv_out ? l->chunk * (l->xlen + 2 * l->P) + l->Kc * l->R + l->Kc + l->R
                     : l->xlen + l->Kp * l->Qr + l->Kp * l->R + l->Kp + l->R;
}
static int64_t input_grad_scratch(const layout* l)
{
    return l->cv_in ? l->chunk2 * (l->dylen + 2 * l->H * l->W) + l->Cc * l->T2 + l->Cc + l->T2
                    : l->dylen + l->Cp * l->Q2r + l->Cp * l->T2 + l->Cp + l->T2;
}
static int64_t weight_grad_scratch(const layout* l)
{
    if (l->band) return band_scratch(l);
    return l->chunk * (l->xlen + (l->cv_out ? l->P * l->Kc : l->Kp * l->Qr)) + l->R + l->P;
}

int64_t cs_conv_direct_scratch(const cs_conv_geometry* g, int64_t k, int64_t parts)
{
    layout l;
    if (make_layout(g, k, parts, &l) != CS_OK) return -1;
    int64_t most = max64(forward_scratch(&l), weight_grad_scratch(&l));
    if (g->sh == 1 && g->sw == 1) most = max64(most, input_grad_scratch(&l));
    return most;
}

/* Image x [C, H, W] into xp [C, HP, WP] with zero borders and zero slack up to xlen. */
static void pad_image(const layout* l, const float* x, float* xp)
{
    memset(xp, 0, (size_t)l->xlen * sizeof(float));
    for (int64_t c = 0; c < l->C; c++)
        for (int64_t i = 0; i < l->H; i++)
            memcpy(xp + (c * l->HP + i + l->PH) * l->WP + l->PW, x + (c * l->H + i) * l->W, (size_t)l->W * sizeof(float));
}

/* The padded input rows that output rows [r0, r1) of image x read, as C planes of `rows` rows. */
static int64_t pad_band(const layout* l, const float* x, int64_t r0, int64_t r1, float* xp)
{
    const int64_t rows = band_rows(l, r0, r1), first = r0 * l->SH;
    memset(xp, 0, (size_t)(l->C * rows * l->WP) * sizeof(float));
    for (int64_t c = 0; c < l->C; c++)
        for (int64_t r = 0; r < rows; r++) {
            const int64_t ih = first + r - l->PH;
            if (ih >= 0 && ih < l->H)
                memcpy(xp + (c * rows + r) * l->WP + l->PW, x + (c * l->H + ih) * l->W, (size_t)l->W * sizeof(float));
        }
    return rows;
}

/* Tap (c, r, s) of a padded input whose channel planes have `rows` rows. */
static void input_offsets(const layout* l, int64_t rows, int32_t* off)
{
    for (int64_t c = 0, t = 0; c < l->C; c++)
        for (int64_t r = 0; r < l->KH; r++)
            for (int64_t s = 0; s < l->KW; s++, t++) off[t] = (int32_t)((c * rows + r * l->DH) * l->WP + s * l->DW);
}

/* Offsets base + i·row_step + j·col_step of the rows × cols positions of a plane. */
static void positions(int64_t rows, int64_t cols, int64_t row_step, int64_t col_step, int64_t base, int32_t* pos)
{
    for (int64_t i = 0, p = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++, p++) pos[p] = (int32_t)(base + i * row_step + j * col_step);
}

/* Packs a [M, T] row-major matrix (element (m, t) at src[m·ms + t·ts]) into blocks of `block` rows:
 * dst[(m / block)·T·block + t·block + m % block], zero past M up to Mp. */
static void pack_rows(const float* src, int64_t M, int64_t Mp, int64_t T, int64_t ms, int64_t ts, int64_t block, float* dst)
{
    /* Row by row (reads contiguous when ts = 1), no division per element: the per-element (m / block, m % block)
     * form cost as many instructions as the whole batch-1 forward of a 32→64 7×7 layer (callgrind, issue 16). */
    for (int64_t m0 = 0; m0 < Mp; m0 += block, dst += T * block)
        for (int64_t j = 0; j < block; j++) {
            const int64_t m = m0 + j;
            if (m < M) {
                const float* s = src + m * ms;
                for (int64_t t = 0; t < T; t++) dst[t * block + j] = s[t * ts];
            } else {
                for (int64_t t = 0; t < T; t++) dst[t * block + j] = 0.0f;
            }
        }
}

/* Band mode: unit u is a band of output rows [r0, r1) of image n. */
typedef struct { int64_t n, r0, r1; } band;

static int64_t band_units(const layout* l) { return l->N * ((l->OH + l->band - 1) / l->band); }

/* Pads the input rows unit u reads into xp and fills its tap offsets and its positions in xp. */
static band prepare_band(const layout* l, const float* x, int64_t u, float* xp, int32_t* off, int32_t* pos)
{
    const int64_t bands = (l->OH + l->band - 1) / l->band;
    band b = {u / bands, (u % bands) * l->band, 0};
    b.r1 = min64(b.r0 + l->band, l->OH);
    input_offsets(l, pad_band(l, x + b.n * l->C * l->H * l->W, b.r0, b.r1, xp), off);
    positions(b.r1 - b.r0, l->OW, l->SH * l->WP, l->SW, 0, pos);
    return b;
}

/* A part's share [begin, end) of `units` work units. */
static void share(int64_t units, int64_t part, int64_t parts, int64_t* begin, int64_t* end)
{
    *begin = units * part / parts;
    *end = units * (part + 1) / parts;
}

int32_t cs_conv_direct_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* w,
                           const float* bias, float* y, float* scratch, int64_t part, int64_t parts)
{
    layout l;
    if (!x || !w || !y || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, parts, &l);
    if (st != CS_OK) return st;
    if (part < 0 || part >= parts) return CS_E_RANGE;
    const int64_t block = l.cv_out ? CHANNEL_BLOCK : KB, Mp = l.cv_out ? l.Kc : l.Kp;
    float* wp = scratch;
    float* init = wp + Mp * l.R;
    float* rest = init + Mp;
    pack_rows(w, k, Mp, l.R, l.R, 1, block, wp);
    for (int64_t kk = 0; kk < Mp; kk++) init[kk] = bias && kk < k ? bias[kk] : 0.0f;
    const int64_t CHW = l.C * l.H * l.W;
    if (l.band) {
        /* Units are bands of output rows; each is padded on its own and its positions address y directly. */
        float* xp = rest;
        int32_t* off = (int32_t*)(void*)(xp + round_up(l.C * band_rows(&l, 0, l.band) * l.WP, 16));
        int32_t* pos = off + l.R;
        int32_t* opos = pos + l.band * l.OW;
        int64_t u0, u1;
        share(band_units(&l), part, parts, &u0, &u1);
        for (int64_t u = u0; u < u1; u++) {
            const band b = prepare_band(&l, x, u, xp, off, pos);
            positions(b.r1 - b.r0, l.OW, l.OW, 1, b.n * k * l.P + b.r0 * l.OW, opos);
            cv_gemm_simd(xp, pos, opos, (b.r1 - b.r0) * l.OW, off, l.R, wp, init, k, y, l.P, 0);
        }
        return CS_OK;
    }
    int64_t n0, n1;
    share(l.N, part, parts, &n0, &n1);
    float* xp = rest;  /* images × xlen */
    const int64_t images = l.cv_out ? l.chunk : 1;
    int32_t* off = (int32_t*)(void*)(xp + images * l.xlen);
    int32_t* pos = off + l.R;
    input_offsets(&l, l.HP, off);
    if (l.cv_out) {
        /* Positions run over a chunk of images, so tiles never straddle padding and tiny planes fill them. */
        int32_t* opos = pos + l.chunk * l.P;
        for (int64_t i = 0; i < l.chunk; i++) {
            positions(l.OH, l.OW, l.SH * l.WP, l.SW, i * l.xlen, pos + i * l.P);
            positions(l.OH, l.OW, l.OW, 1, i * k * l.P, opos + i * l.P);
        }
        for (int64_t c0 = n0; c0 < n1; c0 += l.chunk) {
            const int64_t count = min64(n1 - c0, l.chunk);
            for (int64_t i = 0; i < count; i++) pad_image(&l, x + (c0 + i) * CHW, xp + i * l.xlen);
            cv_gemm_simd(xp, pos, opos, count * l.P, off, l.R, wp, init, k, y + c0 * k * l.P, l.P, 0);
        }
        return CS_OK;
    }
    float* out = (float*)(void*)pos;  /* the wide output [Kp, Qr] */
    for (int64_t n = n0; n < n1; n++) {
        pad_image(&l, x + n * CHW, xp);
        float* yn = y + n * k * l.P;
        implicit_gemm_simd(xp, off, l.R, wp, init, l.Kp / KB, l.Qr, out);
        for (int64_t kk = 0; kk < k; kk++)
            for (int64_t i = 0; i < l.OH; i++)
                memcpy(yn + (kk * l.OH + i) * l.OW, out + kk * l.Qr + i * l.WP, (size_t)l.OW * sizeof(float));
    }
    return CS_OK;
}

/* dy of output rows [r0, r1) of one image, transposed to [position][Kc] (channels past K stay zero). */
static void transpose_dy(const layout* l, const float* dyn, int64_t r0, int64_t r1, float* d)
{
    const int64_t p0 = r0 * l->OW, count = (r1 - r0) * l->OW;
    for (int64_t kk = 0; kk < l->K; kk++)
        for (int64_t p = 0; p < count; p++) d[p * l->Kc + kk] = dyn[kk * l->P + p0 + p];
}

int32_t cs_conv_direct_grad_weight_f32(const cs_conv_geometry* g, int64_t k, const float* x, const float* dy,
                                       float* dw, float* scratch, int64_t part, int64_t parts)
{
    layout l;
    if (!x || !dy || !dw || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, parts, &l);
    if (st != CS_OK) return st;
    if (part < 0 || part >= parts) return CS_E_RANGE;
    const int64_t CHW = l.C * l.H * l.W;
    if (l.band) {
        float* xp = scratch;
        float* d = xp + round_up(l.C * band_rows(&l, 0, l.band) * l.WP, 16);
        int32_t* pos = (int32_t*)(void*)(d + l.band * l.OW * l.Kc);
        int32_t* off = pos + 2 * l.band * l.OW;
        memset(d, 0, (size_t)(l.band * l.OW * l.Kc) * sizeof(float));
        int64_t u0, u1;
        share(band_units(&l), part, parts, &u0, &u1);
        for (int64_t u = u0; u < u1; u++) {
            const band b = prepare_band(&l, x, u, xp, off, pos);
            transpose_dy(&l, dy + b.n * k * l.P, b.r0, b.r1, d);
            cv_weight_gradient_simd(xp, 0, d, 0, l.Kc, 1, pos, (b.r1 - b.r0) * l.OW, off, l.R, dw, k);
        }
        return CS_OK;
    }
    int64_t n0, n1;
    share(l.N, part, parts, &n0, &n1);
    const int64_t dlen = l.cv_out ? l.P * l.Kc : l.Kp * l.Qr;
    float* xp = scratch;                    /* chunk × xlen */
    float* dyw = xp + l.chunk * l.xlen;     /* chunk × dy: [P, Kc] transposed, or [Kp, Qr] wide with zero dropped columns */
    int32_t* off = (int32_t*)(void*)(dyw + l.chunk * dlen);
    int32_t* pos = off + l.R;
    input_offsets(&l, l.HP, off);
    positions(l.OH, l.OW, l.SH * l.WP, l.SW, 0, pos);
    memset(dyw, 0, (size_t)(l.chunk * dlen) * sizeof(float));
    for (int64_t c0 = n0; c0 < n1; c0 += l.chunk) {
        const int64_t images = min64(n1 - c0, l.chunk);
        for (int64_t i = 0; i < images; i++) {
            pad_image(&l, x + (c0 + i) * CHW, xp + i * l.xlen);
            const float* dyn = dy + (c0 + i) * k * l.P;
            float* d = dyw + i * dlen;
            if (l.cv_out)
                transpose_dy(&l, dyn, 0, l.OH, d);
            else
                for (int64_t kk = 0; kk < k; kk++)
                    for (int64_t oh = 0; oh < l.OH; oh++)
                        memcpy(d + kk * l.Qr + oh * l.WP, dyn + (kk * l.OH + oh) * l.OW, (size_t)l.OW * sizeof(float));
        }
        if (l.cv_out) {
            cv_weight_gradient_simd(xp, l.xlen, dyw, dlen, l.Kc, images, pos, l.P, off, l.R, dw, k);
            continue;
        }
        for (int64_t b = 0; b < l.Kp / KB; b++) {
            const int64_t kb = k - b * KB < KB ? k - b * KB : KB;
            weight_gradient_simd(xp, l.xlen, dyw + b * KB * l.Qr, dlen, images, l.Qr, off, l.R, dw + b * KB * l.R, kb);
        }
    }
    return CS_OK;
}

int32_t cs_conv_direct_grad_input_f32(const cs_conv_geometry* g, int64_t k, const float* w, const float* dy,
                                      float* dx, float* scratch)
{
    layout l;
    if (!w || !dy || !dx || !scratch) return CS_E_NULL;
    int32_t st = make_layout(g, k, 1, &l);
    if (st != CS_OK) return st;
    if (l.SH != 1 || l.SW != 1) return CS_E_RANGE;  /* strided layers scatter their input gradient (GEMM + col2im) */
    const int64_t block = l.cv_in ? CHANNEL_BLOCK : KB, Mp = l.cv_in ? l.Cc : l.Cp, images = l.cv_in ? l.chunk2 : 1, HW = l.H * l.W;
    float* dyp = scratch;  /* images × dylen */
    float* wp = dyp + images * l.dylen;
    float* init = wp + Mp * l.T2;
    int32_t* off = (int32_t*)(void*)(init + Mp);
    int32_t* pos = off + l.T2;
    /* Tap (k, r, s) of input channel c reads dy[k, ih + PH − r·DH, iw + PW − s·DW] with weight w[k, c, r, s]:
     * the weights as a [C, K·KH·KW] matrix, element (c, t) at w[(t / (KH·KW))·C·KH·KW + c·KH·KW + t % (KH·KW)]. */
    const int64_t taps = l.KH * l.KW;
    for (int64_t c = 0; c < Mp; c++) init[c] = 0.0f;
    for (int64_t c0 = 0; c0 < Mp; c0 += block) {
        float* wb = wp + (c0 / block) * l.T2 * block;
        for (int64_t j = 0; j < block; j++) {
            const int64_t c = c0 + j;
            for (int64_t kk = 0; kk < k; kk++) {
                float* dst = wb + kk * taps * block + j;
                if (c >= l.C) { for (int64_t tap = 0; tap < taps; tap++) dst[tap * block] = 0.0f; continue; }
                const float* src = w + (kk * l.C + c) * taps;
                for (int64_t tap = 0; tap < taps; tap++) dst[tap * block] = src[tap];
            }
        }
    }
    for (int64_t kk = 0, t = 0; kk < k; kk++)
        for (int64_t r = 0; r < l.KH; r++)
            for (int64_t s = 0; s < l.KW; s++, t++)
                off[t] = (int32_t)((kk * l.HPD + l.PH - r * l.DH + l.AH) * l.WPD + l.PW - s * l.DW + l.AW);
    memset(dyp, 0, (size_t)(images * l.dylen) * sizeof(float));
    if (l.cv_in) {
        int32_t* opos = pos + images * HW;
        for (int64_t i = 0; i < images; i++) {
            positions(l.H, l.W, l.WPD, 1, i * l.dylen, pos + i * HW);
            positions(l.H, l.W, l.W, 1, i * l.C * HW, opos + i * HW);
        }
    }
    float* out = (float*)(void*)pos;  /* position-vectorized: the wide output [Cp, Q2r] */
    for (int64_t n0 = 0; n0 < l.N; n0 += images) {
        const int64_t count = l.N - n0 < images ? l.N - n0 : images;
        for (int64_t i = 0; i < count; i++) {
            const float* dyn = dy + (n0 + i) * k * l.P;
            for (int64_t kk = 0; kk < k; kk++)
                for (int64_t r = 0; r < l.OH; r++)
                    memcpy(dyp + i * l.dylen + (kk * l.HPD + r + l.AH) * l.WPD + l.AW, dyn + (kk * l.OH + r) * l.OW,
                           (size_t)l.OW * sizeof(float));
        }
        float* dxn = dx + n0 * l.C * HW;
        if (l.cv_in) {
            cv_gemm_simd(dyp, pos, pos + images * HW, count * HW, off, l.T2, wp, init, l.C, dxn, HW, 1);
            continue;
        }
        implicit_gemm_simd(dyp, off, l.T2, wp, init, l.Cp / KB, l.Q2r, out);
        for (int64_t c = 0; c < l.C; c++)
            for (int64_t i = 0; i < l.H; i++) {
                float* dst = dxn + (c * l.H + i) * l.W;
                const float* src = out + c * l.Q2r + i * l.WPD;
                for (int64_t j = 0; j < l.W; j++) dst[j] += src[j];
            }
    }
    return CS_OK;
}
