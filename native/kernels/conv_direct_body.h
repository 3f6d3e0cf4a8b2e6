/* The image kernels of conv_direct.c, compiled once per vector width: conv_direct.c includes this file
 * with LANES (floats per vector), SUFFIX and a `#pragma GCC target` around it. KB (8) output channels
 * are accumulated at once: 8 vectors of LANES floats stay in registers at every width. */
#define NAME2(a, b) a##_##b
#define NAME1(a, b) NAME2(a, b)
#define NAME(what) NAME1(what, SUFFIX)
#define VEC NAME(vec)

typedef float VEC __attribute__((vector_size(LANES * 4)));

static inline __attribute__((always_inline)) VEC NAME(load)(const float* p) { VEC v; memcpy(&v, p, sizeof v); return v; }
static inline __attribute__((always_inline)) void NAME(store)(float* p, VEC v) { memcpy(p, &v, sizeof v); }
#define load_full NAME(load)
#define store_full NAME(store)

/* The first n (≤ LANES) floats at p, zero in the other lanes; never reads past p + n. */
static inline __attribute__((always_inline)) VEC NAME(load_n)(const float* p, int64_t n)
{
    if (n == LANES) return load_full(p);
    VEC v = {0};
    for (int64_t i = 0; i < n; i++) v[i] = p[i];
    return v;
}

static inline __attribute__((always_inline)) void NAME(store_n)(float* p, VEC v, int64_t n)
{
    if (n == LANES) { store_full(p, v); return; }
    for (int64_t i = 0; i < n; i++) p[i] = v[i];
}
#define load_n NAME(load_n)
#define store_n NAME(store_n)

static void NAME(forward)(const layout* l, const float* xp, const float* wb, const float* bias, float* y)
{
    const int64_t OH = l->OH, OW = l->OW, WP = l->WP, HP = l->HP;
    for (int64_t b = 0; b < l->blocks; b++) {
        const float* wblk = wb + b * l->R * KB;
        const int64_t kb = l->K - b * KB < KB ? l->K - b * KB : KB;
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow0 = 0; ow0 < OW; ow0 += LANES) {
                VEC acc[KB];
                for (int j = 0; j < KB; j++) acc[j] = (VEC){0} + (bias && j < kb ? bias[b * KB + j] : 0.0f);
                const float* wr = wblk;
                for (int64_t c = 0; c < l->C; c++)
                    for (int64_t r = 0; r < l->KH; r++) {
                        const float* row = xp + (c * HP + oh + r * l->DH) * WP + ow0;
                        for (int64_t s = 0; s < l->KW; s++, wr += KB) {
                            VEC xv = load_full(row + s * l->DW);
                            for (int j = 0; j < KB; j++) acc[j] += xv * wr[j];
                        }
                    }
                const int64_t cw = OW - ow0 < LANES ? OW - ow0 : LANES;
                for (int64_t j = 0; j < kb; j++) store_n(y + ((b * KB + j) * OH + oh) * OW + ow0, acc[j], cw);
            }
    }
}

/* Tap by tap: for tap (c, r, s) the 8 channel sums of a block stay in registers over the whole image.
 * dyb holds the block's 8 dy planes with rows padded to OWR (a multiple of 16) by zeros, so every
 * load is a full vector and the padding contributes nothing. */
static void NAME(grad_weight)(const layout* l, const float* xp, const float* dyb, int64_t block, float* dw)
{
    const int64_t OH = l->OH, OW = l->OW, WP = l->WP, HP = l->HP, R = l->R, OWR = (OW + 15) / 16 * 16;
    const int64_t kb = l->K - block * KB < KB ? l->K - block * KB : KB;
    int64_t tap = 0;
    for (int64_t c = 0; c < l->C; c++)
        for (int64_t r = 0; r < l->KH; r++)
            for (int64_t s = 0; s < l->KW; s++, tap++) {
                VEC acc[KB];
                for (int j = 0; j < KB; j++) acc[j] = (VEC){0};
                for (int64_t oh = 0; oh < OH; oh++) {
                    const float* xrow = xp + (c * HP + oh + r * l->DH) * WP + s * l->DW;
                    const float* grow = dyb + oh * OWR;
                    for (int64_t ow0 = 0; ow0 < OW; ow0 += LANES) {
                        VEC xv = load_full(xrow + ow0);
                        for (int j = 0; j < KB; j++) acc[j] += load_full(grow + j * OH * OWR + ow0) * xv;
                    }
                }
                for (int64_t j = 0; j < kb; j++) {
                    float sum = 0.0f;
                    for (int lane = 0; lane < LANES; lane++) sum += acc[j][lane];
                    dw[(block * KB + j) * R + tap] += sum;
                }
            }
}

/* Gather form, one input channel at a time: dx[c, ih, iw] += Σ over taps t (all k, r, s) of
 * weight[t]·dyp[base + offset[t]], where dyp is dy zero-padded by the kernel's span (AH, AW) so every
 * tap reads inside it; four independent chains of taps hide the FMA latency. */
static void NAME(grad_input)(const layout* l, const float* dyp, const float* tap_weight, const int32_t* tap_offset, float* dx)
{
    const int64_t T = l->K * l->KH * l->KW;
    for (int64_t c = 0; c < l->C; c++) {
        const float* tw = tap_weight + c * T;
        const int32_t* to = tap_offset + c * T;
        for (int64_t ih = 0; ih < l->H; ih++)
            for (int64_t iw0 = 0; iw0 < l->W; iw0 += LANES) {
                const float* base = dyp + ih * l->WPD + iw0;
                VEC a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
                int64_t t = 0;
                for (; t + 4 <= T; t += 4) {
                    a0 += load_full(base + to[t]) * tw[t];
                    a1 += load_full(base + to[t + 1]) * tw[t + 1];
                    a2 += load_full(base + to[t + 2]) * tw[t + 2];
                    a3 += load_full(base + to[t + 3]) * tw[t + 3];
                }
                for (; t < T; t++) a0 += load_full(base + to[t]) * tw[t];
                const int64_t cw = l->W - iw0 < LANES ? l->W - iw0 : LANES;
                float* dst = dx + (c * l->H + ih) * l->W + iw0;
                store_n(dst, load_n(dst, cw) + ((a0 + a1) + (a2 + a3)), cw);
            }
    }
}

#undef load_full
#undef store_full
#undef load_n
#undef store_n
#undef VEC
#undef NAME
#undef NAME1
#undef NAME2
