/* Helpers shared by softmax.c and losses.c (not exported). Static inline, so each multi-versioned
 * entry point that calls them gets a copy compiled for its instruction set. */
#ifndef CS_NN_COMMON_H
#define CS_NN_COMMON_H

#include <math.h>
#include <stdint.h>

/* Positions of the inner axis handled together when the reduction axis is strided: the running
 * maximum and sum of each live in a small stack array, and every row of the tile is one
 * contiguous, vectorizable run. */
#define NN_TILE 256

static inline int64_t nn_min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The largest of n contiguous floats (n >= 1). Eight independent lanes let the compiler use
 * vector max; a NaN is skipped here and propagates through the exp that follows. */
static inline float nn_row_max(const float* x, int64_t n)
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
static inline void nn_softmax_slice(int64_t n, int64_t inner, const float* x, float* y, int log)
{
    if (inner == 1) {
        const float m = nn_row_max(x, n);
        float s = 0.0f;
        if (log) {
            for (int64_t k = 0; k < n; k++) s += expf(x[k] - m);
            const float lse = m + logf(s);
            for (int64_t k = 0; k < n; k++) y[k] = x[k] - lse;
        } else {
            for (int64_t k = 0; k < n; k++) { float e = expf(x[k] - m); y[k] = e; s += e; }
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
            if (log) for (int64_t j = 0; j < w; j++) s[j] += expf(row[j] - m[j]);
            else for (int64_t j = 0; j < w; j++) { float e = expf(row[j] - m[j]); out[j] = e; s[j] += e; }
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
