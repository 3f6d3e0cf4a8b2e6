/* Helpers shared by the NN kernels (softmax.c, losses.c, batchnorm.c, dropout.c); not exported.
 * All of them are forced inline, so each multi-versioned entry point gets a copy compiled for its
 * own instruction set. */
#ifndef CS_NN_COMMON_H
#define CS_NN_COMMON_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Positions of the inner axis handled together when the reduction axis is strided: the running
 * maximum and sum of each live in a small stack array, and every row of the tile is one
 * contiguous, vectorizable run. */
#define NN_TILE 256

/* Hot helpers are always inlined: a multi-versioned (CS_MULTIVERSION) caller only runs its own
 * instruction set's code for what is inlined into it; a helper left as a call would be compiled once,
 * for the baseline target. */
#define NN_INLINE static inline __attribute__((always_inline))

NN_INLINE int64_t nn_min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* e^x without a libm call, so that loops over it vectorize: x = k*ln2 + r with |r| <= ln2/2, e^r from
 * Cephes' expf polynomial (relative error about 2e-7), 2^k from exponent bits. Used for arguments
 * <= 0 (x - max in softmax, log-probabilities): x < -87.33 (where e^x leaves the normal floats,
 * -inf included) gives 0, arguments above 88 saturate at e^88, NaN stays NaN.
 * The range tests look at the bit pattern with integer compares: float compares may trap under
 * the default -ftrapping-math, which keeps the compiler from turning them into vector blends
 * below AVX-512. No float-to-int conversion of an out-of-range value happens either: k comes from
 * the bits of a rounded float. */
NN_INLINE float nn_expf(float x)
{
    const float lo = -87.33654f, hi = 88.0f, round_magic = 12582912.0f; /* 1.5 * 2^23 */
    uint32_t bits, lo_bits, hi_bits;
    memcpy(&bits, &x, sizeof bits);
    memcpy(&lo_bits, &lo, sizeof lo_bits);
    memcpy(&hi_bits, &hi, sizeof hi_bits);
    const uint32_t magnitude = bits & 0x7FFFFFFFu, negative = bits >> 31;
    const uint32_t not_nan = magnitude <= 0x7F800000u;
    /* All-ones masks, combined bitwise: no branch anywhere. */
    const uint32_t below = 0u - (not_nan & negative & (uint32_t)(magnitude > (lo_bits & 0x7FFFFFFFu)));
    const uint32_t above = 0u - (not_nan & (negative ^ 1u) & (uint32_t)(magnitude > hi_bits));
    const uint32_t clamped_bits = (bits & ~below & ~above) | (lo_bits & below) | (hi_bits & above);
    float xc;
    memcpy(&xc, &clamped_bits, sizeof xc);

    const float biased = xc * 1.44269504088896341f + round_magic;
    uint32_t kbits;
    memcpy(&kbits, &biased, sizeof kbits);
    const float k = biased - round_magic;                 /* round(x / ln2), as a float */
    const uint32_t ki = kbits - 0x4B400000u;              /* the same integer (mod 2^32), from the bits */
    float r = xc - k * 0.693359375f;                      /* ln2 in two parts (Cephes C1, C2) */
    r = r - k * -2.12194440e-4f;
    const float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r + 1.0f;
    /* 2^k, or 0 below the range (k >= -126 after the clamp, so the exponent field is >= 1). */
    const uint32_t scale_bits = ((ki + 127u) << 23) & ~below;
    float scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

/* Sixteen float lanes as one value (a GCC vector extension: one AVX-512 register, two AVX or four SSE
 * registers). Sums accumulate lane-wise in it explicitly; written as an array of scalars, the compiler
 * may vectorize such a loop as an in-order (slow) reduction instead. Passed by pointer: a vector
 * argument or result would change the calling convention between the instruction sets. */
typedef float nn_f32x16 __attribute__((vector_size(64)));

NN_INLINE void nn_load16(nn_f32x16* v, const float* p) { memcpy(v, p, sizeof *v); }

NN_INLINE float nn_lanes_sum(const nn_f32x16* v)
{
    float s = 0.0f;
    for (int k = 0; k < 16; k++) s += (*v)[k];
    return s;
}

/* The sum of n contiguous floats. */
NN_INLINE float nn_row_sum(const float* x, int64_t n)
{
    nn_f32x16 acc = {0}, v;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) { nn_load16(&v, x + i); acc += v; }
    float s = nn_lanes_sum(&acc);
    for (; i < n; i++) s += x[i];
    return s;
}

/* The dot product of n contiguous floats. */
NN_INLINE float nn_row_dot(const float* x, const float* y, int64_t n)
{
    nn_f32x16 acc = {0}, a, b;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) { nn_load16(&a, x + i); nn_load16(&b, y + i); acc += a * b; }
    float s = nn_lanes_sum(&acc);
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

/* The largest of n contiguous floats (n >= 1). Eight independent lanes let the compiler use
 * vector max; a NaN is skipped here and propagates through the exp that follows. */
NN_INLINE float nn_row_max(const float* x, int64_t n)
{
    float lane[8];
    for (int k = 0; k < 8; k++) lane[k] = x[0];
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
    float m = lane[0];
    for (int k = 1; k < 8; k++) m = lane[k] > m ? lane[k] : m;
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

/* Softmax (log = 0) or log-softmax (log = 1) of one outer slice x[n][inner] into y. */
NN_INLINE void nn_softmax_slice(int64_t n, int64_t inner, const float* x, float* y, int log)
{
    if (inner == 1) {
        /* The exponentials go through y (it is overwritten anyway), so each loop is a plain map or sum. */
        const float m = nn_row_max(x, n);
        for (int64_t k = 0; k < n; k++) y[k] = nn_expf(x[k] - m);
        const float s = nn_row_sum(y, n);
        if (log) {
            const float lse = m + logf(s);
            for (int64_t k = 0; k < n; k++) y[k] = x[k] - lse;
        } else {
            const float inv = 1.0f / s;
            for (int64_t k = 0; k < n; k++) y[k] *= inv;
        }
        return;
    }
    float m[NN_TILE], s[NN_TILE];
    for (int64_t j0 = 0; j0 < inner; j0 += NN_TILE) {
        const int64_t w = nn_min64(NN_TILE, inner - j0);
        for (int64_t j = 0; j < w; j++) { m[j] = x[j0 + j]; s[j] = 0.0f; }
        for (int64_t k = 1; k < n; k++) {
            const float* row = x + k * inner + j0;
            for (int64_t j = 0; j < w; j++) m[j] = row[j] > m[j] ? row[j] : m[j];
        }
        for (int64_t k = 0; k < n; k++) {
            const float* row = x + k * inner + j0;
            float* out = y + k * inner + j0;
            if (log) for (int64_t j = 0; j < w; j++) s[j] += nn_expf(row[j] - m[j]);
            else for (int64_t j = 0; j < w; j++) { float e = nn_expf(row[j] - m[j]); out[j] = e; s[j] += e; }
        }
        if (log) {
            for (int64_t j = 0; j < w; j++) m[j] += logf(s[j]);  /* m becomes log-sum-exp */
            for (int64_t k = 0; k < n; k++) {
                const float* row = x + k * inner + j0;
                float* out = y + k * inner + j0;
                for (int64_t j = 0; j < w; j++) out[j] = row[j] - m[j];
            }
        } else {
            for (int64_t j = 0; j < w; j++) s[j] = 1.0f / s[j];
            for (int64_t k = 0; k < n; k++) {
                float* out = y + k * inner + j0;
                for (int64_t j = 0; j < w; j++) out[j] *= s[j];
            }
        }
    }
}

#endif
