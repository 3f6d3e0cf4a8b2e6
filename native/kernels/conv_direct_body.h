/* The register tiles of conv_direct.c at one vector width: conv_direct.c includes this file with LANES
 * (floats per vector, from the instruction set this instantiation is compiled for) and SUFFIX.
 *
 * Both tiles compute an implicit GEMM over a zero-padded plane `in` read through a tap offset table:
 * row t of the virtual column matrix is in[q + off[t]] for positions q, so no column matrix is ever
 * written. A forward tile holds KB output channels × NQ vectors of positions (12 accumulators at NQ 3);
 * a weight-gradient tile holds KB channels × NT taps and reduces over positions. */
#define NAME2(a, b) a##_##b
#define NAME1(a, b) NAME2(a, b)
#define NAME(what) NAME1(what, SUFFIX)
#define VEC NAME(vec)

typedef float VEC __attribute__((vector_size(LANES * 4)));

static inline __attribute__((always_inline)) VEC NAME(load)(const float* p) { VEC v; memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void NAME(store)(float* p, VEC v) { memcpy(p, &v, sizeof v); }

/* out[j·Qr + q0 + …] = init[j] + Σ_t wp[t·KB + j]·in[q0 + … + off[t]] for nq vectors of positions. */
static inline __attribute__((always_inline)) void NAME(tile)(const float* in, const int32_t* off, int64_t T, const float* wp,
                                                             const float* init, int64_t Qr, float* out, int64_t q0, const int nq)
{
    VEC acc[KB][NQ];
    for (int j = 0; j < KB; j++)
        for (int v = 0; v < nq; v++) acc[j][v] = (VEC){0} + init[j];
    const float* base = in + q0;
    for (int64_t t = 0; t < T; t++, wp += KB) {
        VEC x[NQ];
        for (int v = 0; v < nq; v++) x[v] = NAME(load)(base + off[t] + v * LANES);
        for (int j = 0; j < KB; j++) {
            const float wj = wp[j];
            for (int v = 0; v < nq; v++) acc[j][v] += x[v] * wj;
        }
    }
    for (int j = 0; j < KB; j++)
        for (int v = 0; v < nq; v++) NAME(store)(out + j * Qr + q0 + v * LANES, acc[j][v]);
}

/* All blocks of KB output channels over positions [0, Qr): out[(b·KB + j)·Qr + q]. */
static void NAME(implicit_gemm)(const float* in, const int32_t* off, int64_t T, const float* wp, const float* init,
                                int64_t blocks, int64_t Qr, float* out)
{
    const int64_t vectors = Qr / LANES;
    for (int64_t b = 0; b < blocks; b++) {
        const float* wb = wp + b * T * KB;
        const float* ib = init + b * KB;
        float* ob = out + b * KB * Qr;
        int64_t v = 0;
        for (; v + NQ <= vectors; v += NQ) NAME(tile)(in, off, T, wb, ib, Qr, ob, v * LANES, NQ);
        if (vectors - v == 2) NAME(tile)(in, off, T, wb, ib, Qr, ob, v * LANES, 2);
        else if (vectors - v == 1) NAME(tile)(in, off, T, wb, ib, Qr, ob, v * LANES, 1);
    }
}

static inline __attribute__((always_inline)) float NAME(hsum)(VEC v)
{
    float s = 0.0f;
    for (int i = 0; i < LANES; i++) s += v[i];
    return s;
}

/* dw[j·R + t] += Σ over images i and positions q of dy[i·dy_stride + j·Qr + q]·in[i·in_stride + off[t] + q]
 * for taps t0 .. t0 + nt − 1 and the kb valid channels of the block. */
static inline __attribute__((always_inline)) void NAME(dw_tile)(const float* in, int64_t in_stride, const float* dy, int64_t dy_stride,
                                                                int64_t images, int64_t Qr, const int32_t* off, int64_t t0, const int nt,
                                                                float* dw, int64_t R, int64_t kb)
{
    VEC acc[KB][NT];
    for (int j = 0; j < KB; j++)
        for (int u = 0; u < nt; u++) acc[j][u] = (VEC){0};
    for (int64_t i = 0; i < images; i++) {
        const float* d = dy + i * dy_stride;
        const float* x = in + i * in_stride;
        for (int64_t q = 0; q < Qr; q += LANES) {
            VEC xv[NT];
            for (int u = 0; u < nt; u++) xv[u] = NAME(load)(x + off[t0 + u] + q);
            for (int j = 0; j < KB; j++) {
                const VEC dv = NAME(load)(d + j * Qr + q);
                for (int u = 0; u < nt; u++) acc[j][u] += dv * xv[u];
            }
        }
    }
    for (int64_t j = 0; j < kb; j++)
        for (int u = 0; u < nt; u++) dw[j * R + t0 + u] += NAME(hsum)(acc[j][u]);
}

/* One block of KB output channels (kb valid) over all R taps. */
static void NAME(weight_gradient)(const float* in, int64_t in_stride, const float* dy, int64_t dy_stride, int64_t images,
                                  int64_t Qr, const int32_t* off, int64_t R, float* dw, int64_t kb)
{
    int64_t t = 0;
    for (; t + NT <= R; t += NT) NAME(dw_tile)(in, in_stride, dy, dy_stride, images, Qr, off, t, NT, dw, R, kb);
    for (; t < R; t++) NAME(dw_tile)(in, in_stride, dy, dy_stride, images, Qr, off, t, 1, dw, R, kb);
}

/* ---- Channel-vectorized tiles: lanes run over output channels, positions are broadcast. ----
 * A position tile of NP output positions (any positions: pos[p] is each one's offset in the plane) ×
 * CV vectors of channels; nothing is computed for padding columns, so small planes waste no lanes.
 * Weights are packed wc[block][t][CV·LANES]. */
#define CB (CV * LANES)
/* Positions per forward tile and taps per weight-gradient tile: 12 accumulators of 16 registers on AVX2 and
 * SSE, 16 of the 32 on AVX-512. */
#define NP (LANES == 16 ? 8 : 6)
#define NTAP NP

static inline __attribute__((always_inline)) void NAME(cv_tile)(const float* in, const int32_t* pos, const int32_t* opos, int64_t p0,
                                                                const int np, const int32_t* off, int64_t T, const float* wc,
                                                                const float* init, float* out, int64_t ldk, int64_t kvalid, int accumulate)
{
    VEC acc[NP][CV];
    for (int v = 0; v < CV; v++) {
        const VEC b = NAME(load)(init + v * LANES);
        for (int i = 0; i < np; i++) acc[i][v] = b;
    }
    const float* base[NP];
    for (int i = 0; i < np; i++) base[i] = in + pos[p0 + i];
    for (int64_t t = 0; t < T; t++, wc += CB) {
        VEC w[CV];
        for (int v = 0; v < CV; v++) w[v] = NAME(load)(wc + v * LANES);
        const int64_t o = off[t];
        for (int i = 0; i < np; i++) {
            const float xv = base[i][o];
            for (int v = 0; v < CV; v++) acc[i][v] += w[v] * xv;
        }
    }
    float tmp[NP][CB];
    for (int i = 0; i < np; i++)
        for (int v = 0; v < CV; v++) NAME(store)(&tmp[i][v * LANES], acc[i][v]);
    for (int i = 0; i < np; i++) {
        float* o = out + opos[p0 + i];
        if (accumulate) for (int64_t k = 0; k < kvalid; k++) o[k * ldk] += tmp[i][k];
        else for (int64_t k = 0; k < kvalid; k++) o[k * ldk] = tmp[i][k];
    }
}

/* out[opos[p] + k·ldk] (=, or += with accumulate) init[k] + Σ_t wc[(k/CB)·T·CB + t·CB + k%CB]·in[pos[p] + off[t]]
 * for the P positions p and the K channels k. */
static void NAME(cv_gemm)(const float* in, const int32_t* pos, const int32_t* opos, int64_t P, const int32_t* off, int64_t T,
                          const float* wc, const float* init, int64_t K, float* out, int64_t ldk, int accumulate)
{
    for (int64_t b = 0; b * CB < K; b++) {
        const float* wb = wc + b * T * CB;
        const float* ib = init + b * CB;
        const int64_t kvalid = K - b * CB < CB ? K - b * CB : CB;
        float* ob = out + b * CB * ldk;
        int64_t p = 0;
        for (; p + NP <= P; p += NP) NAME(cv_tile)(in, pos, opos, p, NP, off, T, wb, ib, ob, ldk, kvalid, accumulate);
        /* Fewer than NP positions left: tiles of 4, 2 and 1. */
        if (NP > 4 && P - p >= 4) { NAME(cv_tile)(in, pos, opos, p, 4, off, T, wb, ib, ob, ldk, kvalid, accumulate); p += 4; }
        if (P - p >= 2) { NAME(cv_tile)(in, pos, opos, p, 2, off, T, wb, ib, ob, ldk, kvalid, accumulate); p += 2; }
        if (P - p >= 1) NAME(cv_tile)(in, pos, opos, p, 1, off, T, wb, ib, ob, ldk, kvalid, accumulate);
    }
}

/* dw[k·R + t] += Σ over images i and positions p of dyt[i·dyt_stride + p·Kp + k]·in[i·in_stride + pos[p] + off[t]]
 * for one channel block (kvalid channels) and taps t0 .. t0 + nt − 1. */
static inline __attribute__((always_inline)) void NAME(cv_dw_tile)(const float* in, int64_t in_stride, const float* dyt, int64_t dyt_stride,
                                                                   int64_t Kp, int64_t images, const int32_t* pos, int64_t P,
                                                                   const int32_t* off, int64_t t0, const int nt, float* dw, int64_t R, int64_t kvalid)
{
    VEC acc[NTAP][CV];
    for (int u = 0; u < nt; u++)
        for (int v = 0; v < CV; v++) acc[u][v] = (VEC){0};
    int64_t o[NTAP];
    for (int u = 0; u < nt; u++) o[u] = off[t0 + u];
    for (int64_t i = 0; i < images; i++) {
        const float* x = in + i * in_stride;
        const float* d = dyt + i * dyt_stride;
        for (int64_t p = 0; p < P; p++, d += Kp) {
            VEC dv[CV];
            for (int v = 0; v < CV; v++) dv[v] = NAME(load)(d + v * LANES);
            const float* xb = x + pos[p];
            for (int u = 0; u < nt; u++) {
                const float xv = xb[o[u]];
                for (int v = 0; v < CV; v++) acc[u][v] += dv[v] * xv;
            }
        }
    }
    float tmp[NTAP][CB];
    for (int u = 0; u < nt; u++)
        for (int v = 0; v < CV; v++) NAME(store)(&tmp[u][v * LANES], acc[u][v]);
    for (int64_t k = 0; k < kvalid; k++)
        for (int u = 0; u < nt; u++) dw[k * R + t0 + u] += tmp[u][k];
}

/* All channel blocks and taps; dyt holds dy transposed to [position][Kp] per image. */
static void NAME(cv_weight_gradient)(const float* in, int64_t in_stride, const float* dyt, int64_t dyt_stride, int64_t Kp,
                                     int64_t images, const int32_t* pos, int64_t P, const int32_t* off, int64_t R, float* dw, int64_t K)
{
    for (int64_t b = 0; b * CB < K; b++) {
        const int64_t kvalid = K - b * CB < CB ? K - b * CB : CB;
        const float* db = dyt + b * CB;
        float* dwb = dw + b * CB * R;
        int64_t t = 0;
        for (; t + NTAP <= R; t += NTAP)
            NAME(cv_dw_tile)(in, in_stride, db, dyt_stride, Kp, images, pos, P, off, t, NTAP, dwb, R, kvalid);
        if (NTAP > 4 && R - t >= 4) { NAME(cv_dw_tile)(in, in_stride, db, dyt_stride, Kp, images, pos, P, off, t, 4, dwb, R, kvalid); t += 4; }
        if (R - t >= 2) { NAME(cv_dw_tile)(in, in_stride, db, dyt_stride, Kp, images, pos, P, off, t, 2, dwb, R, kvalid); t += 2; }
        if (R - t >= 1) NAME(cv_dw_tile)(in, in_stride, db, dyt_stride, Kp, images, pos, P, off, t, 1, dwb, R, kvalid);
    }
}
#undef CB
#undef NP
#undef NTAP

#undef VEC
#undef NAME
#undef NAME1
#undef NAME2
