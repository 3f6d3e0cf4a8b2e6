/* Pooling kernels for NCHW float32 (shape letters in convsharp_native.h; window rule and argmax
 * convention in cs_pooling.h).
 *
 * Three loop shapes, all giving the same results (every output sees its window in row-major order, so
 * sums round alike and ties pick the same element as PyTorch's kernels):
 *  - tap-major rows, for any geometry: for one output row, each kernel tap (r, s) is one pass over the
 *    output columns it reaches (an interval found once per call, as in im2col.c), so the inner loop is a
 *    branch-free, vectorizable strided read (unit stride, stride 2 and any stride are specialised);
 *  - fused interiors for 2x2 stride 2 and 3x3 stride 1 or 2: the outputs whose window lies inside the
 *    input take every tap in one pass (the window unrolled at compile time); border outputs go window by
 *    window. The max pool interiors (2x2 stride 2 is the common CNN layer) have explicit AVX-512 and
 *    AVX2 code with masked row tails, so short rows (14 outputs from a 28x28 plane) stay vectorized;
 *  - per-window loops for adaptive and fractional windows, and 16-lane reductions for global pools.
 * The file is compiled once per instruction set (cs_isa.h); no kernel allocates.
 *
 * Every entry point validates its arguments before touching memory and computes every window bound
 * itself, clipped to the input, so no argument combination reads or writes outside the planes. */
#include <math.h>
#include <string.h>

#include "convsharp_native.h"
#include "shared/pool.h"

#define CS_INLINE static inline __attribute__((always_inline))
#define LANES 16

/* ---- geometry ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t cs_pool_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int32_t ceil_mode)
{
    if (in < 1 || k < 1 || stride < 1 || pad < 0 || dilation < 1 || (ceil_mode != 0 && ceil_mode != 1)) return 0;
    if (in > INT32_MAX || k > INT32_MAX || stride > INT32_MAX || pad > INT32_MAX || dilation > INT32_MAX) return 0;
    const int64_t span = dilation * (k - 1) + 1;
    if (pad > k / 2) return 0;  /* PyTorch's pool2d_shape_check: padding at most half the kernel */
    int64_t out = floor_div(in + 2 * pad - span + (ceil_mode ? stride - 1 : 0), stride) + 1;
    /* ceil_mode: the last window must start inside the input or the left padding. */
    if (ceil_mode && (out - 1) * stride >= in + pad) out--;
    return out < 1 ? 0 : out;
}

static int32_t check_geometry(const cs_pool_geometry* g, int allow_padding, int allow_dilation)
{
    if (!g) return CS_E_NULL;
    if (g->n < 1 || g->c < 1 || g->h < 1 || g->w < 1 || g->kh < 1 || g->kw < 1 || g->sh < 1 || g->sw < 1 ||
        g->ph < 0 || g->pw < 0 || g->dh < 1 || g->dw < 1 || (g->ceil_mode != 0 && g->ceil_mode != 1))
        return CS_E_RANGE;
    if (!allow_padding && (g->ph != 0 || g->pw != 0)) return CS_E_RANGE;
    if (!allow_dilation && (g->dh != 1 || g->dw != 1)) return CS_E_RANGE;
    if ((int64_t)g->h * g->w > INT32_MAX) return CS_E_RANGE;  /* argmax offsets are int32 */
    if (g->ph > g->kh / 2 || g->pw > g->kw / 2) return CS_E_RANGE;
    int64_t oh = cs_pool_out_size(g->h, g->kh, g->sh, g->ph, g->dh, g->ceil_mode);
    int64_t ow = cs_pool_out_size(g->w, g->kw, g->sw, g->pw, g->dw, g->ceil_mode);
    if (oh < 1 || ow < 1 || oh != g->oh || ow != g->ow) return CS_E_GEOMETRY;
    return CS_OK;
}

static int32_t check_planes(int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow)
{
    if (planes < 1 || h < 1 || w < 1 || oh < 1 || ow < 1) return CS_E_RANGE;
    if ((int64_t)h * w > INT32_MAX) return CS_E_RANGE;
    return CS_OK;
}

/* Taps t in [0, K) whose coordinate start + t*d lies in [0, n): [*t0, *t1). */
/* Output columns o in [o_begin, o_end) whose input column o*S + off lies in [0, W): [*lo, *hi). */
CS_INLINE void out_range(int64_t W, int64_t S, int64_t off, int64_t o_begin, int64_t o_end, int64_t* lo, int64_t* hi)
{
    int64_t l = off >= 0 ? 0 : (-off + S - 1) / S;
    int64_t h = W - 1 - off < 0 ? 0 : (W - 1 - off) / S + 1;
    if (l < o_begin) l = o_begin;
    if (h > o_end) h = o_end;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* The output-column interval of every kernel column s (input column o*SW + s*DW - PW inside the input),
 * found once per call instead of once per row and tap; kernels wider than MAX_TAPS compute it per use. */
#define MAX_TAPS 64
typedef struct tap_columns {
    int64_t lo[MAX_TAPS], hi[MAX_TAPS];
    int cached;
} tap_columns;

CS_INLINE void tap_columns_init(tap_columns* t, const cs_pool_geometry* g)
{
    t->cached = g->kw <= MAX_TAPS;
    if (t->cached)
        for (int64_t s = 0; s < g->kw; s++) out_range(g->w, g->sw, s * g->dw - g->pw, 0, g->ow, &t->lo[s], &t->hi[s]);
}

/* Tap s's interval, clipped to [o_begin, o_end). */
CS_INLINE void tap_columns_get(const tap_columns* t, const cs_pool_geometry* g, int64_t s, int64_t o_begin,
                               int64_t o_end, int64_t* lo, int64_t* hi)
{
    int64_t l, h;
    if (t->cached) { l = t->lo[s]; h = t->hi[s]; }
    else out_range(g->w, g->sw, s * g->dw - g->pw, 0, g->ow, &l, &h);
    if (l < o_begin) l = o_begin;
    if (h > o_end) h = o_end;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* Adaptive windows: [floor(i*in/out), ceil((i+1)*in/out)). */

/* ---- max pool ---- */

/* Branch-free selects for scalar loops: t ? a : b as bit masks. On random data a compare-and-branch
 * mispredicts about half the time, so the window-by-window loops (borders, small adaptive and
 * fractional windows) use these. Vectorized loops keep plain ?: , which becomes one blend per select. */
CS_INLINE float select_f(int t, float a, float b)
{
    uint32_t ua, ub;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    const uint32_t mask = (uint32_t)0 - (uint32_t)t;
    const uint32_t r = (ua & mask) | (ub & ~mask);
    float f;
    memcpy(&f, &r, sizeof f);
    return f;
}

CS_INLINE int32_t select_i(int t, int32_t a, int32_t b)
{
    const int32_t mask = -t;
    return (a & mask) | (b & ~mask);
}

/* Whether v replaces the running maximum m: larger, or a NaN (NaNs propagate). */

/* One tap over output columns [lo, hi): input column o*S + off of row xr. A NaN always wins; so does
 * the first tap an output sees (k < 0), which makes a window of -inf pick its first element. */
CS_INLINE void max_tap_indexed(const float* restrict xr, int64_t S, int64_t off, int64_t lo, int64_t hi,
                               int32_t base, float* restrict yr, int32_t* restrict ir)
{
    for (int64_t o = lo; o < hi; o++) {
        float v = xr[o * S + off], m = yr[o];
        int32_t k = ir[o];
        const int take = cs_beats(v, m) | (k < 0);
        yr[o] = take ? v : m;
        ir[o] = take ? base + (int32_t)(o * S) : k;
    }
}

CS_INLINE void max_tap(const float* restrict xr, int64_t S, int64_t off, int64_t lo, int64_t hi, float* restrict yr)
{
    for (int64_t o = lo; o < hi; o++) {
        float v = xr[o * S + off], m = yr[o];
        yr[o] = cs_beats(v, m) ? v : m;
    }
}

/* Output rows [oh0, oh1) x columns [ow0, ow1) of one plane, any geometry. */
CS_INLINE void max_pool_rows(const float* restrict x, const cs_pool_geometry* g, const tap_columns* tc,
                             int64_t oh0, int64_t oh1, int64_t ow0, int64_t ow1, float* restrict y, int32_t* restrict idx)
{
    const int64_t H = g->h, W = g->w, OW = g->ow, SW = g->sw;
    for (int64_t oh = oh0; oh < oh1; oh++) {
        float* yr = y + oh * OW;
        int32_t* ir = idx ? idx + oh * OW : NULL;
        for (int64_t o = ow0; o < ow1; o++) yr[o] = -INFINITY;
        if (ir) for (int64_t o = ow0; o < ow1; o++) ir[o] = -1;
        const int64_t hstart = oh * g->sh - g->ph;
        int64_t r0, r1;
        cs_pool_tap_range(hstart, g->kh, g->dh, H, &r0, &r1);
        for (int64_t r = r0; r < r1; r++) {
            const int64_t ih = hstart + r * g->dh;
            const float* xr = x + ih * W;
            for (int64_t s = 0; s < g->kw; s++) {
                const int64_t off = s * g->dw - g->pw;
                int64_t lo, hi;
                tap_columns_get(tc, g, s, ow0, ow1, &lo, &hi);
                const int32_t base = (int32_t)(ih * W + off);
                if (ir) {
                    if (SW == 1) max_tap_indexed(xr, 1, off, lo, hi, base, yr, ir);
                    else if (SW == 2) max_tap_indexed(xr, 2, off, lo, hi, base, yr, ir);
                    else max_tap_indexed(xr, SW, off, lo, hi, base, yr, ir);
                } else {
                    if (SW == 1) max_tap(xr, 1, off, lo, hi, yr);
                    else if (SW == 2) max_tap(xr, 2, off, lo, hi, yr);
                    else max_tap(xr, SW, off, lo, hi, yr);
                }
            }
        }
    }
}

/* Outputs whose whole window lies inside the input (no padding, no clipping): rows [*oh0, *oh1),
 * columns [*ow0, *ow1). */
CS_INLINE void interior(const cs_pool_geometry* g, int64_t* oh0, int64_t* oh1, int64_t* ow0, int64_t* ow1)
{
    int64_t a = (g->ph + g->sh - 1) / g->sh, last = g->h - 1 + g->ph - (int64_t)(g->kh - 1) * g->dh;
    int64_t b = last < 0 ? 0 : last / g->sh + 1;
    if (b > g->oh) b = g->oh;
    if (a > b) a = b;
    int64_t c = (g->pw + g->sw - 1) / g->sw, lastw = g->w - 1 + g->pw - (int64_t)(g->kw - 1) * g->dw;
    int64_t d = lastw < 0 ? 0 : lastw / g->sw + 1;
    if (d > g->ow) d = g->ow;
    if (c > d) c = d;
    *oh0 = a; *oh1 = b; *ow0 = c; *ow1 = d;
}

/* Kernels with a fused interior loop: every tap of a window in one pass over the output row, the
 * window unrolled at compile time (KH = KW = K, stride S both ways, no dilation). */
enum { FUSED_NONE = 0, FUSED_2S2, FUSED_3S2, FUSED_3S1 };

CS_INLINE int fused_kind(const cs_pool_geometry* g)
{
    if (g->dh != 1 || g->dw != 1 || g->kh != g->kw || g->sh != g->sw) return FUSED_NONE;
    if (g->kh == 2 && g->sh == 2) return FUSED_2S2;
    if (g->kh == 3 && g->sh == 2) return FUSED_3S2;
    if (g->kh == 3 && g->sh == 1) return FUSED_3S1;
    return FUSED_NONE;
}

/* One window, any position: the scalar form of the rule, used for border outputs. */
CS_INLINE void max_window(const float* restrict x, const cs_pool_geometry* g, int64_t oh, int64_t ow,
                          float* restrict y, int32_t* restrict idx)
{
    const int64_t W = g->w, hstart = oh * g->sh - g->ph, wstart = ow * g->sw - g->pw;
    int64_t r0, r1, s0, s1;
    cs_pool_tap_range(hstart, g->kh, g->dh, g->h, &r0, &r1);
    cs_pool_tap_range(wstart, g->kw, g->dw, W, &s0, &s1);
    float m = -INFINITY;
    int32_t k = -1;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t s = s0; s < s1; s++) {
            const int64_t at = (hstart + r * g->dh) * W + wstart + s * g->dw;
            const float v = x[at];
            const int take = cs_beats(v, m) | (k < 0);
            m = select_f(take, v, m);
            k = select_i(take, (int32_t)at, k);
        }
    y[oh * g->ow + ow] = m;
    if (idx) idx[oh * g->ow + ow] = k;
}

/* Interior columns [lo, hi) of one output row; xr is the input row of the window's first tap row and
 * base its offset in the plane minus PW, so tap (r, s) of output o is xr[r*W + o*S - PW + s]. */
CS_INLINE void max_fused_row(const float* restrict xr, int64_t W, int64_t K, int64_t S, int64_t pw, int64_t lo,
                             int64_t hi, int32_t base, float* restrict yr, int32_t* restrict ir)
{
    for (int64_t o = lo; o < hi; o++) {
        const float* restrict p = xr + (o * S - pw);
        float m = p[0];
        int32_t k = base + (int32_t)(o * S);
        for (int64_t r = 0; r < K; r++)
            for (int64_t s = 0; s < K; s++) {
                if (r == 0 && s == 0) continue;
                const float v = p[r * W + s];
                const int t = cs_beats(v, m);
                m = t ? v : m;
                if (ir) k = t ? base + (int32_t)(r * W + o * S + s) : k;
            }
        yr[o] = m;
        if (ir) ir[o] = k;
    }
}

#define MAX_FUSED_ROW(K, S)                                                                         \
    do {                                                                                            \
        if (ir) max_fused_row(xr, W, K, S, g->pw, ow0, ow1, base, yr, ir);                          \
        else max_fused_row(xr, W, K, S, g->pw, ow0, ow1, base, yr, NULL);                           \
    } while (0)

/* ---- explicit SIMD for the fused interiors of the max pool ----
 * The auto-vectorized fused loop needs rows of at least one vector (16 outputs with AVX-512); the
 * 14- and 7-wide rows of MNIST-sized planes then ran in scalar remainders, about 10x slower. These
 * versions cover any row length: for 16 (AVX-512) or 8 (AVX2) outputs at a time, each tap (r, s) is one
 * vector of inputs (stride 2: a pair of loads split into even and odd columns), folded in with the
 * sequential rule (row-major taps; larger or NaN wins); the last store of a row is masked, so lanes
 * past the row are never written.
 * Loads may run past the row into the rows below while they stay inside the plane (end); only the last
 * vectors of a plane use masked loads, which are slower when streaming from memory. */
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#define CS_POOL_SIMD 1

/* rows x cols interior windows of a K x K, stride-S pool; x0 is the top-left input element of the first
 * one (plane offset base0), W and OW the input and output row strides, end the end of the plane. */
#if defined(__AVX512F__)
static inline __attribute__((always_inline))
void max_block_simd(const float* x0, const float* end, int64_t W, int64_t rows, int64_t cols, int32_t base0,
                      float* y0, int32_t* i0, int64_t OW, const int K, const int S)
{
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i even = _mm512_add_epi32(iota, iota), odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i step = S == 2 ? even : iota;
    for (int64_t rr = 0; rr < rows; rr++) {
        const float* row0 = x0 + rr * S * W;
        float* yr = y0 + rr * OW;
        int32_t* ir = i0 ? i0 + rr * OW : NULL;
        const int32_t rowbase = base0 + (int32_t)(rr * S * W);
        for (int64_t o = 0; o < cols; o += 16) {
            /* floats each load pair must bring: S*(n-1)+1 for one tap, one more where its odd lanes are used too */
            const int64_t n = cols - o < 16 ? cols - o : 16, need = S * (n - 1) + 1, need2 = need + (S == 2);
            const __mmask16 mout = (__mmask16)(n == 16 ? 0xFFFF : (1u << n) - 1);
            const __mmask16 mlo = (__mmask16)(need >= 16 ? 0xFFFF : (1u << need) - 1);
            const __mmask16 mhi = (__mmask16)(need >= 32 ? 0xFFFF : need > 16 ? (1u << (need - 16)) - 1 : 0);
            const __mmask16 mlo2 = (__mmask16)(need2 >= 16 ? 0xFFFF : (1u << need2) - 1);
            const __mmask16 mhi2 = (__mmask16)(need2 >= 32 ? 0xFFFF : need2 > 16 ? (1u << (need2 - 16)) - 1 : 0);
            const int plain = row0 + (K - 1) * W + o * S + (K - 1) + 16 * S <= end;
            const __m512i tl = _mm512_add_epi32(_mm512_set1_epi32(rowbase + (int32_t)(o * S)), step);
            /* all loads first (one pass over the K input rows, as the hardware prefetcher sees it), then the fold */
            __m512 v[3][3];
            for (int r = 0; r < K; r++) {
                const float* q = row0 + r * W + o * S;
                if (S == 1) {
                    for (int c = 0; c < K; c++) v[r][c] = plain ? _mm512_loadu_ps(q + c) : _mm512_maskz_loadu_ps(mlo, q + c);
                } else {  /* columns 2o + c: one load pair gives c = 0 (even lanes) and c = 1 (odd), another c = 2 */
                    const __m512 lo = plain ? _mm512_loadu_ps(q) : _mm512_maskz_loadu_ps(mlo2, q);
                    const __m512 hi = plain ? _mm512_loadu_ps(q + 16) : _mm512_maskz_loadu_ps(mhi2, q + 16);
                    v[r][0] = _mm512_permutex2var_ps(lo, even, hi);
                    v[r][1] = _mm512_permutex2var_ps(lo, odd, hi);
                    if (K == 3) {
                        const __m512 lo2 = plain ? _mm512_loadu_ps(q + 2) : _mm512_maskz_loadu_ps(mlo, q + 2);
                        const __m512 hi2 = plain ? _mm512_loadu_ps(q + 18) : _mm512_maskz_loadu_ps(mhi, q + 18);
                        v[r][2] = _mm512_permutex2var_ps(lo2, even, hi2);
                    }
                }
            }
            __m512 m = v[0][0];
            __m512i k = tl;
            for (int r = 0; r < K; r++)
                for (int c = 0; c < K; c++) {
                    if (r == 0 && c == 0) continue;
                    const __mmask16 t = _mm512_cmp_ps_mask(v[r][c], m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v[r][c], v[r][c], _CMP_UNORD_Q);
                    m = _mm512_mask_mov_ps(m, t, v[r][c]);
                    if (ir) k = _mm512_mask_add_epi32(k, t, tl, _mm512_set1_epi32((int32_t)(r * W + c)));
                }
            if (n == 16) {  /* plain stores for whole vectors: masked ones are much slower on some CPUs */
                _mm512_storeu_ps(yr + o, m);
                if (ir) _mm512_storeu_si512(ir + o, k);
            } else {
                _mm512_mask_storeu_ps(yr + o, mout, m);
                if (ir) _mm512_mask_storeu_epi32(ir + o, mout, k);
            }
        }
    }
}

#else
static inline __attribute__((always_inline))
void max_block_simd(const float* x0, const float* end, int64_t W, int64_t rows, int64_t cols, int32_t base0,
                    float* y0, int32_t* i0, int64_t OW, const int K, const int S)
{
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i step = S == 2 ? _mm256_add_epi32(iota, iota) : iota;
    for (int64_t rr = 0; rr < rows; rr++) {
        const float* row0 = x0 + rr * S * W;
        float* yr = y0 + rr * OW;
        int32_t* ir = i0 ? i0 + rr * OW : NULL;
        const int32_t rowbase = base0 + (int32_t)(rr * S * W);
        for (int64_t o = 0; o < cols; o += 8) {
            const int64_t n = cols - o < 8 ? cols - o : 8, need = S * (n - 1) + 1, need2 = need + (S == 2);
            const __m256i mout = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)n), iota);
            const __m256i mlo = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)need), iota);
            const __m256i mhi = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(need - 8)), iota);
            const __m256i mlo2 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)need2), iota);
            const __m256i mhi2 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(need2 - 8)), iota);
            const int plain = row0 + (K - 1) * W + o * S + (K - 1) + 8 * S <= end;
            const __m256i tl = _mm256_add_epi32(_mm256_set1_epi32(rowbase + (int32_t)(o * S)), step);
            __m256 m = _mm256_setzero_ps(), k = _mm256_castsi256_ps(tl);
            for (int r = 0; r < K; r++) {
                const float* q = row0 + r * W + o * S;
                __m256 v[3];
                if (S == 1) {
                    for (int c = 0; c < K; c++) v[c] = plain ? _mm256_loadu_ps(q + c) : _mm256_maskload_ps(q + c, mlo);
                } else {  /* as above; even/odd columns: pick them within 128-bit lanes, then order the 64-bit pairs */
                    const __m256 lo = plain ? _mm256_loadu_ps(q) : _mm256_maskload_ps(q, mlo2);
                    const __m256 hi = plain ? _mm256_loadu_ps(q + 8) : _mm256_maskload_ps(q + 8, mhi2);
                    v[0] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
                    v[1] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
                    if (K == 3) {
                        const __m256 lo2 = plain ? _mm256_loadu_ps(q + 2) : _mm256_maskload_ps(q + 2, mlo);
                        const __m256 hi2 = plain ? _mm256_loadu_ps(q + 10) : _mm256_maskload_ps(q + 10, mhi);
                        v[2] = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo2, hi2, 0x88)), 0xD8));
                    }
                }
                for (int c = 0; c < K; c++) {
                    if (r == 0 && c == 0) {
                        m = v[0];
                        continue;
                    }
                    const __m256 t = _mm256_or_ps(_mm256_cmp_ps(v[c], m, _CMP_GT_OQ), _mm256_cmp_ps(v[c], v[c], _CMP_UNORD_Q));
                    m = _mm256_blendv_ps(m, v[c], t);
                    if (ir) {
                        const __m256i cand = _mm256_add_epi32(tl, _mm256_set1_epi32((int32_t)(r * W + c)));
                        k = _mm256_blendv_ps(k, _mm256_castsi256_ps(cand), t);
                    }
                }
            }
            if (n == 8) {
                _mm256_storeu_ps(yr + o, m);
                if (ir) _mm256_storeu_si256((__m256i*)(ir + o), _mm256_castps_si256(k));
            } else {
                _mm256_maskstore_ps(yr + o, mout, m);
                if (ir) _mm256_maskstore_epi32(ir + o, mout, _mm256_castps_si256(k));
            }
        }
    }
}

#endif

#define MAX_BLOCK_VARIANT(NAME, K, S)                                                                \
    __attribute__((noinline)) static void NAME(const float* x0, const float* end, int64_t W,          \
        int64_t rows, int64_t cols, int32_t base0, float* y0, int32_t* i0, int64_t OW)               \
    {                                                                                                \
        if (i0) max_block_simd(x0, end, W, rows, cols, base0, y0, i0, OW, K, S);                     \
        else max_block_simd(x0, end, W, rows, cols, base0, y0, NULL, OW, K, S);                      \
    }
MAX_BLOCK_VARIANT(max_block_2s2, 2, 2)
MAX_BLOCK_VARIANT(max_block_3s2, 3, 2)
MAX_BLOCK_VARIANT(max_block_3s1, 3, 1)

typedef void (*max_block_fn)(const float*, const float*, int64_t, int64_t, int64_t, int32_t, float*, int32_t*, int64_t);

/* The explicit-SIMD interior for a fused kind, or NULL. */
static max_block_fn max_block_for(int kind)
{
    static const max_block_fn table[3] = { max_block_2s2, max_block_3s2, max_block_3s1 };
    if (kind < FUSED_2S2 || kind > FUSED_3S1) return NULL;
    return table[kind - FUSED_2S2];
}
#endif

/* One plane: border rows tap-major, border columns window by window, the interior fused. */
CS_INLINE void max_pool_plane(const float* restrict x, const cs_pool_geometry* g, const tap_columns* tc, int kind,
                              float* restrict y, int32_t* restrict idx)
{
    const int64_t W = g->w, OH = g->oh, OW = g->ow;
    int64_t oh0, oh1, ow0, ow1;
    interior(g, &oh0, &oh1, &ow0, &ow1);
    if (kind == FUSED_NONE || oh0 >= oh1 || ow0 >= ow1) {
        max_pool_rows(x, g, tc, 0, OH, 0, OW, y, idx);
        return;
    }
    max_pool_rows(x, g, tc, 0, oh0, 0, OW, y, idx);
#ifdef CS_POOL_SIMD
    const max_block_fn block = max_block_for(kind);
    if (block) {
        const int64_t h0 = oh0 * g->sh - g->ph, w0 = ow0 * g->sw - g->pw;
        const int32_t base0 = (int32_t)(h0 * W + w0);
        block(x + base0, x + (int64_t)g->h * W, W, oh1 - oh0, ow1 - ow0, base0, y + oh0 * OW + ow0,
              idx ? idx + oh0 * OW + ow0 : NULL, OW);
        for (int64_t oh = oh0; oh < oh1; oh++) {
            for (int64_t ow = 0; ow < ow0; ow++) max_window(x, g, oh, ow, y, idx);
            for (int64_t ow = ow1; ow < OW; ow++) max_window(x, g, oh, ow, y, idx);
        }
        max_pool_rows(x, g, tc, oh1, OH, 0, OW, y, idx);
        return;
    }
#endif
    for (int64_t oh = oh0; oh < oh1; oh++) {
        const int64_t hstart = oh * g->sh - g->ph;
        const float* restrict xr = x + hstart * W;
        const int32_t base = (int32_t)(hstart * W - g->pw);
        float* restrict yr = y + oh * OW;
        int32_t* restrict ir = idx ? idx + oh * OW : NULL;
        for (int64_t ow = 0; ow < ow0; ow++) max_window(x, g, oh, ow, y, idx);
        switch (kind) {
        case FUSED_2S2: MAX_FUSED_ROW(2, 2); break;
        case FUSED_3S2: MAX_FUSED_ROW(3, 2); break;
        default: MAX_FUSED_ROW(3, 1); break;
        }
        for (int64_t ow = ow1; ow < OW; ow++) max_window(x, g, oh, ow, y, idx);
    }
    max_pool_rows(x, g, tc, oh1, OH, 0, OW, y, idx);
}

static void max_pool_planes(const float* x, const cs_pool_geometry* g, int64_t planes, float* y, int32_t* idx)
{
    const int64_t in_plane = (int64_t)g->h * g->w, out_plane = (int64_t)g->oh * g->ow;
    const int kind = fused_kind(g);
    tap_columns tc;
    tap_columns_init(&tc, g);
    for (int64_t p = 0; p < planes; p++)
        max_pool_plane(x + p * in_plane, g, &tc, kind, y + p * out_plane, idx ? idx + p * out_plane : NULL);
}

int32_t cs_max_pool2d_f32(const float* x, const cs_pool_geometry* g, float* y, int32_t* indices)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check_geometry(g, 1, 1);
    if (st != CS_OK) return st;
    max_pool_planes(x, g, (int64_t)g->n * g->c, y, indices);
    return CS_OK;
}

int32_t cs_max_pool2d_backward_f32(const float* dy, const int32_t* indices, int64_t planes,
                                   int64_t in_plane, int64_t out_plane, float* dx)
{
    if (!dy || !indices || !dx) return CS_E_NULL;
    if (planes < 1 || in_plane < 1 || out_plane < 1 || in_plane > INT32_MAX) return CS_E_RANGE;
    int32_t status = CS_OK;
    for (int64_t p = 0; p < planes; p++) {
        const float* gp = dy + p * out_plane;
        const int32_t* ip = indices + p * out_plane;
        float* dp = dx + p * in_plane;
        for (int64_t o = 0; o < out_plane; o++) {
            int32_t k = ip[o];
            if (k >= 0 && k < in_plane) dp[k] += gp[o];
            else if (k != -1) status = CS_E_RANGE;
        }
    }
    return status;
}

/* ---- average pool ---- */

CS_INLINE void add_tap(const float* restrict xr, int64_t S, int64_t off, int64_t lo, int64_t hi, float* restrict yr)
{
    for (int64_t o = lo; o < hi; o++) yr[o] += xr[o * S + off];
}

CS_INLINE void scatter_tap(const float* restrict gs, int64_t S, int64_t off, int64_t lo, int64_t hi, int64_t o0,
                           float* restrict dxr)
{
    for (int64_t o = lo; o < hi; o++) dxr[o * S + off] += gs[o - o0];
}

/* PyTorch's divisor of window (oh, ow); 0 when the window holds no input element. */
CS_INLINE int64_t avg_divisor(const cs_pool_geometry* g, int64_t hstart, int64_t ow, int32_t count_include_pad,
                              int32_t divisor_override)
{
    return cs_pool_avg_divisor(g->h, g->w, g->kh, g->kw, g->ph, g->pw, hstart, ow * g->sw - g->pw, count_include_pad,
                               divisor_override);
}

/* Output rows [oh0, oh1) of one plane, any geometry, tap-major. */
CS_INLINE void avg_pool_rows(const float* restrict x, const cs_pool_geometry* g, const tap_columns* tc, int64_t oh0,
                             int64_t oh1, int32_t count_include_pad, int32_t divisor_override, float* restrict y)
{
    const int64_t H = g->h, W = g->w, OW = g->ow, SW = g->sw;
    for (int64_t oh = oh0; oh < oh1; oh++) {
        float* restrict yr = y + oh * OW;
        memset(yr, 0, (size_t)OW * sizeof(float));
        const int64_t hstart = oh * g->sh - g->ph;
        int64_t r0, r1;
        cs_pool_tap_range(hstart, g->kh, 1, H, &r0, &r1);
        for (int64_t r = r0; r < r1; r++) {
            const float* xr = x + (hstart + r) * W;
            for (int64_t s = 0; s < g->kw; s++) {
                const int64_t off = s - g->pw;
                int64_t lo, hi;
                tap_columns_get(tc, g, s, 0, OW, &lo, &hi);
                if (SW == 1) add_tap(xr, 1, off, lo, hi, yr);
                else if (SW == 2) add_tap(xr, 2, off, lo, hi, yr);
                else add_tap(xr, SW, off, lo, hi, yr);
            }
        }
        for (int64_t o = 0; o < OW; o++) {
            int64_t d = avg_divisor(g, hstart, o, count_include_pad, divisor_override);
            yr[o] = d == 0 ? 0.0f : yr[o] / (float)d;
        }
    }
}

/* One window, any position (border outputs). */
CS_INLINE void avg_window(const float* restrict x, const cs_pool_geometry* g, int64_t oh, int64_t ow,
                          int32_t count_include_pad, int32_t divisor_override, float* restrict y)
{
    const int64_t W = g->w, hstart = oh * g->sh - g->ph, wstart = ow * g->sw - g->pw;
    int64_t r0, r1, s0, s1;
    cs_pool_tap_range(hstart, g->kh, 1, g->h, &r0, &r1);
    cs_pool_tap_range(wstart, g->kw, 1, W, &s0, &s1);
    float sum = 0.0f;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t s = s0; s < s1; s++) sum += x[(hstart + r) * W + wstart + s];
    const int64_t d = avg_divisor(g, hstart, ow, count_include_pad, divisor_override);
    y[oh * g->ow + ow] = d == 0 ? 0.0f : sum / (float)d;
}

/* Interior columns [lo, hi) of one output row (windows inside the input, so the divisor is K*K or the
 * override); the sum runs in row-major window order, as everywhere. */
CS_INLINE void avg_fused_row(const float* restrict xr, int64_t W, int64_t K, int64_t S, int64_t pw, int64_t lo,
                             int64_t hi, float divisor, float* restrict yr)
{
    for (int64_t o = lo; o < hi; o++) {
        const float* restrict p = xr + (o * S - pw);
        float sum = 0.0f;
        for (int64_t r = 0; r < K; r++)
            for (int64_t s = 0; s < K; s++) sum += p[r * W + s];
        yr[o] = sum / divisor;
    }
}

static void avg_pool_planes(const float* x, const cs_pool_geometry* g, int64_t planes, int32_t count_include_pad,
                            int32_t divisor_override, float* y)
{
    const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
    const int kind = fused_kind(g);
    const float divisor = (float)(divisor_override != 0 ? divisor_override : g->kh * g->kw);
    int64_t oh0, oh1, ow0, ow1;
    interior(g, &oh0, &oh1, &ow0, &ow1);
    const int fused = kind != FUSED_NONE && oh0 < oh1 && ow0 < ow1;
    tap_columns tc;
    tap_columns_init(&tc, g);
    for (int64_t p = 0; p < planes; p++) {
        const float* xp = x + p * H * W;
        float* yp = y + p * OH * OW;
        if (!fused) {
            avg_pool_rows(xp, g, &tc, 0, OH, count_include_pad, divisor_override, yp);
            continue;
        }
        avg_pool_rows(xp, g, &tc, 0, oh0, count_include_pad, divisor_override, yp);
        for (int64_t oh = oh0; oh < oh1; oh++) {
            const float* restrict xr = xp + (oh * g->sh - g->ph) * W;
            float* restrict yr = yp + oh * OW;
            for (int64_t ow = 0; ow < ow0; ow++) avg_window(xp, g, oh, ow, count_include_pad, divisor_override, yp);
            switch (kind) {
            case FUSED_2S2: avg_fused_row(xr, W, 2, 2, g->pw, ow0, ow1, divisor, yr); break;
            case FUSED_3S2: avg_fused_row(xr, W, 3, 2, g->pw, ow0, ow1, divisor, yr); break;
            default: avg_fused_row(xr, W, 3, 1, g->pw, ow0, ow1, divisor, yr); break;
            }
            for (int64_t ow = ow1; ow < OW; ow++) avg_window(xp, g, oh, ow, count_include_pad, divisor_override, yp);
        }
        avg_pool_rows(xp, g, &tc, oh1, OH, count_include_pad, divisor_override, yp);
    }
}

#define CHUNK 256

static void avg_pool_backward_planes(const float* dy, const cs_pool_geometry* g, int64_t planes,
                                     int32_t count_include_pad, int32_t divisor_override, float* dx)
{
    const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow, SW = g->sw;
    float gs[CHUNK];
    tap_columns tc;
    tap_columns_init(&tc, g);
    for (int64_t p = 0; p < planes; p++) {
        const float* gp = dy + p * OH * OW;
        float* dp = dx + p * H * W;
        for (int64_t oh = 0; oh < OH; oh++) {
            const float* gr = gp + oh * OW;
            const int64_t hstart = oh * g->sh - g->ph;
            int64_t r0, r1;
            cs_pool_tap_range(hstart, g->kh, 1, H, &r0, &r1);
            for (int64_t c0 = 0; c0 < OW; c0 += CHUNK) {
                const int64_t c1 = c0 + CHUNK < OW ? c0 + CHUNK : OW;
                for (int64_t o = c0; o < c1; o++) {
                    int64_t d = avg_divisor(g, hstart, o, count_include_pad, divisor_override);
                    gs[o - c0] = d == 0 ? 0.0f : gr[o] / (float)d;
                }
                for (int64_t r = r0; r < r1; r++) {
                    float* dxr = dp + (hstart + r) * W;
                    for (int64_t s = 0; s < g->kw; s++) {
                        const int64_t off = s - g->pw;
                        int64_t lo, hi;
                        tap_columns_get(&tc, g, s, c0, c1, &lo, &hi);
                        if (SW == 1) scatter_tap(gs, 1, off, lo, hi, c0, dxr);
                        else if (SW == 2) scatter_tap(gs, 2, off, lo, hi, c0, dxr);
                        else scatter_tap(gs, SW, off, lo, hi, c0, dxr);
                    }
                }
            }
        }
    }
}

int32_t cs_avg_pool2d_f32(const float* x, const cs_pool_geometry* g, int32_t count_include_pad,
                          int32_t divisor_override, float* y)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check_geometry(g, 1, 0);
    if (st != CS_OK) return st;
    if (count_include_pad != 0 && count_include_pad != 1) return CS_E_RANGE;
    avg_pool_planes(x, g, (int64_t)g->n * g->c, count_include_pad, divisor_override, y);
    return CS_OK;
}

int32_t cs_avg_pool2d_backward_f32(const float* dy, const cs_pool_geometry* g, int32_t count_include_pad,
                                   int32_t divisor_override, float* dx)
{
    if (!dy || !dx) return CS_E_NULL;
    int32_t st = check_geometry(g, 1, 0);
    if (st != CS_OK) return st;
    if (count_include_pad != 0 && count_include_pad != 1) return CS_E_RANGE;
    avg_pool_backward_planes(dy, g, (int64_t)g->n * g->c, count_include_pad, divisor_override, dx);
    return CS_OK;
}

/* ---- Lp pool ---- */

/* (sum of x^p)^(1/p) over rows [hs, he) x columns [ws, we) of a plane W wide. */

static void lp_pool_planes(const float* x, const cs_pool_geometry* g, int64_t planes, float p,
                           const float* dy, float* out)
{
    const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
    for (int64_t q = 0; q < planes; q++) {
        const float* xp = x + q * H * W;
        for (int64_t oh = 0; oh < OH; oh++) {
            const int64_t hs = oh * g->sh, he = hs + g->kh < H ? hs + g->kh : H;
            for (int64_t ow = 0; ow < OW; ow++) {
                const int64_t ws = ow * g->sw, we = ws + g->kw < W ? ws + g->kw : W;
                float y = cs_pool_lp_window(xp, W, hs, he, ws, we, p);
                if (!dy) {  /* forward */
                    out[(q * OH + oh) * OW + ow] = y;
                    continue;
                }
                /* backward: dx += dy * (x/y)^(p-1); 0 where y = 0 */
                const float gv = dy[(q * OH + oh) * OW + ow];
                float* dp = out + q * H * W;
                if (p != 1.0f && y == 0.0f) continue;
                for (int64_t ih = hs; ih < he; ih++)
                    for (int64_t iw = ws; iw < we; iw++) {
                        float d;
                        if (p == 1.0f) d = 1.0f;
                        else if (p == 2.0f) d = xp[ih * W + iw] / y;
                        else d = powf(xp[ih * W + iw] / y, p - 1.0f);
                        dp[ih * W + iw] += gv * d;
                    }
            }
        }
    }
}

static int32_t check_lp(const cs_pool_geometry* g, float p)
{
    int32_t st = check_geometry(g, 0, 0);
    if (st != CS_OK) return st;
    return (p > 0.0f && !isinf(p)) ? CS_OK : CS_E_RANGE;
}

int32_t cs_lp_pool2d_f32(const float* x, const cs_pool_geometry* g, float p, float* y)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check_lp(g, p);
    if (st != CS_OK) return st;
    lp_pool_planes(x, g, (int64_t)g->n * g->c, p, NULL, y);
    return CS_OK;
}

int32_t cs_lp_pool2d_backward_f32(const float* x, const float* dy, const cs_pool_geometry* g, float p, float* dx)
{
    if (!x || !dy || !dx) return CS_E_NULL;
    int32_t st = check_lp(g, p);
    if (st != CS_OK) return st;
    lp_pool_planes(x, g, (int64_t)g->n * g->c, p, dy, dx);
    return CS_OK;
}

/* ---- adaptive pools ---- */

/* The max of rows [hs, he) x columns [ws, we) of a plane W wide, by the sequential rule, and its offset.
 * Small windows use branch-free selects (which element wins is unpredictable); large ones branch, since
 * a new maximum gets rare as the window grows and a predicted branch is cheaper than a select. */
CS_INLINE void window_max(const float* restrict x, int64_t W, int64_t hs, int64_t he, int64_t ws, int64_t we,
                          int branchy, float* max, int32_t* at)
{
    float m = -INFINITY;
    int32_t k = (int32_t)(hs * W + ws);
    for (int64_t ih = hs; ih < he; ih++)
        for (int64_t iw = ws; iw < we; iw++) {
            const float v = x[ih * W + iw];
            if (branchy) {
                if (cs_beats(v, m)) { m = v; k = (int32_t)(ih * W + iw); }
            } else {
                const int t = cs_beats(v, m);
                m = select_f(t, v, m);
                k = select_i(t, (int32_t)(ih * W + iw), k);
            }
        }
    *max = m;
    *at = k;
}


/* The regular pool an adaptive pool is when the output divides the input: kernel = stride = H/OH. */
static cs_pool_geometry regular_geometry(int32_t h, int32_t w, int32_t oh, int32_t ow)
{
    cs_pool_geometry g = {1, 1, h, w, h / oh, w / ow, h / oh, w / ow, 0, 0, 1, 1, 0, oh, ow};
    return g;
}

/* The max of one whole plane of n values, 16 lanes at a time: lane j sees elements j, j+16, ... with
 * PyTorch's sequential rule (first maximum, last NaN), and the lanes merge by the same rule. The lane
 * loop is kept rolled so GCC vectorizes it across lanes (unrolled, it scalarizes the selects). */
CS_INLINE void global_max_plane(const float* restrict x, int64_t n, float* y, int32_t* idx)
{
    float m[LANES];
    int32_t k[LANES];
    int64_t i = 0;
    if (n >= LANES) {
        for (int j = 0; j < LANES; j++) { m[j] = x[j]; k[j] = j; }
        if (idx) {
            for (i = LANES; i + LANES <= n; i += LANES) {
#pragma GCC unroll 1
                for (int j = 0; j < LANES; j++) {
                    float v = x[i + j], mj = m[j];
                    const int take = cs_beats(v, mj);
                    m[j] = take ? v : mj;
                    k[j] = take ? (int32_t)i + j : k[j];
                }
            }
        } else {
            for (i = LANES; i + LANES <= n; i += LANES) {
#pragma GCC unroll 1
                for (int j = 0; j < LANES; j++) {
                    float v = x[i + j], mj = m[j];
                    m[j] = cs_beats(v, mj) ? v : mj;
                }
            }
        }
    } else {
        for (int j = 0; j < LANES; j++) { m[j] = -INFINITY; k[j] = -1; }
    }
    for (; i < n; i++) {
        int j = (int)(i % LANES);
        float v = x[i];
        if ((v > m[j]) | (v != v) | (k[j] < 0)) { m[j] = v; k[j] = (int32_t)i; }
    }
    float best = m[0];
    int32_t at = k[0];
    for (int j = 1; j < LANES; j++) {
        if (k[j] < 0) continue;
        int best_nan = best != best, nan = m[j] != m[j];
        int take = best_nan ? (nan && k[j] > at) : (nan || m[j] > best || (m[j] == best && k[j] < at));
        if (take) { best = m[j]; at = k[j]; }
    }
    *y = best;
    if (idx) *idx = at;
}

static void adaptive_max_planes(const float* x, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow,
                                float* y, int32_t* idx)
{
    const int64_t H = h, W = w, OH = oh, OW = ow;
    const cs_pool_geometry g = regular_geometry(h, w, oh, ow);
    const int regular = H % OH == 0 && W % OW == 0;
    const int large = (H / OH + 1) * (W / OW + 1) > 16;
    tap_columns tc;
    tap_columns_init(&tc, &g);
    for (int64_t p = 0; p < planes; p++) {
        const float* xp = x + p * H * W;
        float* yp = y + p * OH * OW;
        int32_t* ip = idx ? idx + p * OH * OW : NULL;
        if (OH == 1 && OW == 1) { global_max_plane(xp, H * W, yp, ip); continue; }
        if (regular) { max_pool_plane(xp, &g, &tc, fused_kind(&g), yp, ip); continue; }
        for (int64_t i = 0; i < OH; i++) {
            const int64_t hs = cs_pool_adaptive_start(i, H, OH), he = cs_pool_adaptive_end(i, H, OH);
            for (int64_t j = 0; j < OW; j++) {
                const int64_t ws = cs_pool_adaptive_start(j, W, OW), we = cs_pool_adaptive_end(j, W, OW);
                float m;
                int32_t k;
                if (large) window_max(xp, W, hs, he, ws, we, 1, &m, &k);
                else window_max(xp, W, hs, he, ws, we, 0, &m, &k);
                yp[i * OW + j] = m;
                if (ip) ip[i * OW + j] = k;
            }
        }
    }
}

static void adaptive_avg_planes(const float* x, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow, float* y)
{
    const int64_t H = h, W = w, OH = oh, OW = ow;
    if (H % OH == 0 && W % OW == 0 && !(OH == 1 && OW == 1)) {
        const cs_pool_geometry g = regular_geometry(h, w, oh, ow);
        avg_pool_planes(x, &g, planes, 1, 0, y);
        return;
    }
    for (int64_t p = 0; p < planes; p++) {
        const float* xp = x + p * H * W;
        float* yp = y + p * OH * OW;
        if (OH == 1 && OW == 1) {
            const int64_t n = H * W;
            float acc[LANES] = {0};
            int64_t i = 0;
            for (; i + LANES <= n; i += LANES)
                for (int j = 0; j < LANES; j++) acc[j] += xp[i + j];
            float sum = 0.0f;
            for (int j = 0; j < LANES; j++) sum += acc[j];
            for (; i < n; i++) sum += xp[i];
            yp[0] = sum / (float)n;
            continue;
        }
        for (int64_t i = 0; i < OH; i++) {
            const int64_t hs = cs_pool_adaptive_start(i, H, OH), he = cs_pool_adaptive_end(i, H, OH);
            for (int64_t j = 0; j < OW; j++) {
                const int64_t ws = cs_pool_adaptive_start(j, W, OW), we = cs_pool_adaptive_end(j, W, OW);
                float sum = 0.0f;
                for (int64_t ih = hs; ih < he; ih++)
                    for (int64_t iw = ws; iw < we; iw++) sum += xp[ih * W + iw];
                yp[i * OW + j] = sum / (float)((he - hs) * (we - ws));
            }
        }
    }
}

static void adaptive_avg_backward_planes(const float* dy, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow,
                                         float* dx)
{
    const int64_t H = h, W = w, OH = oh, OW = ow;
    if (H % OH == 0 && W % OW == 0 && !(OH == 1 && OW == 1)) {
        const cs_pool_geometry g = regular_geometry(h, w, oh, ow);
        avg_pool_backward_planes(dy, &g, planes, 1, 0, dx);
        return;
    }
    for (int64_t p = 0; p < planes; p++) {
        const float* gp = dy + p * OH * OW;
        float* restrict dp = dx + p * H * W;
        if (OH == 1 && OW == 1) {
            const float gv = gp[0] / (float)(H * W);
            for (int64_t i = 0; i < H * W; i++) dp[i] += gv;
            continue;
        }
        for (int64_t i = 0; i < OH; i++) {
            const int64_t hs = cs_pool_adaptive_start(i, H, OH), he = cs_pool_adaptive_end(i, H, OH);
            for (int64_t j = 0; j < OW; j++) {
                const int64_t ws = cs_pool_adaptive_start(j, W, OW), we = cs_pool_adaptive_end(j, W, OW);
                const float gv = gp[i * OW + j] / (float)((he - hs) * (we - ws));
                for (int64_t ih = hs; ih < he; ih++)
                    for (int64_t iw = ws; iw < we; iw++) dp[ih * W + iw] += gv;
            }
        }
    }
}

int32_t cs_adaptive_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow,
                                   float* y, int32_t* indices)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check_planes(planes, h, w, oh, ow);
    if (st != CS_OK) return st;
    adaptive_max_planes(x, planes, h, w, oh, ow, y, indices);
    return CS_OK;
}

int32_t cs_adaptive_avg_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow, float* y)
{
    if (!x || !y) return CS_E_NULL;
    int32_t st = check_planes(planes, h, w, oh, ow);
    if (st != CS_OK) return st;
    adaptive_avg_planes(x, planes, h, w, oh, ow, y);
    return CS_OK;
}

int32_t cs_adaptive_avg_pool2d_backward_f32(const float* dy, int64_t planes, int32_t h, int32_t w, int32_t oh, int32_t ow,
                                            float* dx)
{
    if (!dy || !dx) return CS_E_NULL;
    int32_t st = check_planes(planes, h, w, oh, ow);
    if (st != CS_OK) return st;
    adaptive_avg_backward_planes(dy, planes, h, w, oh, ow, dx);
    return CS_OK;
}

/* ---- fractional max pool ---- */

/* Start of window i of out along a dimension of size in (PyTorch's generate_intervals, in float). */

static void fractional_max_planes(const float* x, int64_t planes, int64_t H, int64_t W, int64_t KH, int64_t KW,
                                  int64_t OH, int64_t OW, const float* samples, float* y, int32_t* idx)
{
    for (int64_t p = 0; p < planes; p++) {
        const float* xp = x + p * H * W;
        const float uw = samples[2 * p], uh = samples[2 * p + 1];
        for (int64_t i = 0; i < OH; i++) {
            const int64_t hs = cs_pool_fractional_start(uh, i, H, OH, KH);
            for (int64_t j = 0; j < OW; j++) {
                const int64_t ws = cs_pool_fractional_start(uw, j, W, OW, KW);
                float m;
                int32_t k;
                if (KH * KW > 16) window_max(xp, W, hs, hs + KH, ws, ws + KW, 1, &m, &k);
                else window_max(xp, W, hs, hs + KH, ws, ws + KW, 0, &m, &k);
                y[(p * OH + i) * OW + j] = m;
                if (idx) idx[(p * OH + i) * OW + j] = k;
            }
        }
    }
}

int32_t cs_fractional_max_pool2d_f32(const float* x, int64_t planes, int32_t h, int32_t w, int32_t kh, int32_t kw,
                                     int32_t oh, int32_t ow, const float* samples, float* y, int32_t* indices)
{
    if (!x || !samples || !y) return CS_E_NULL;
    int32_t st = check_planes(planes, h, w, oh, ow);
    if (st != CS_OK) return st;
    if (kh < 1 || kw < 1 || (int64_t)oh + kh - 1 > h || (int64_t)ow + kw - 1 > w) return CS_E_GEOMETRY;
    for (int64_t i = 0; i < 2 * planes; i++)
        if (!(samples[i] >= 0.0f && samples[i] < 1.0f)) return CS_E_RANGE;
    fractional_max_planes(x, planes, h, w, kh, kw, oh, ow, samples, y, indices);
    return CS_OK;
}
