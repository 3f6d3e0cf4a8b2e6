/* Dropout masks from a counter-based generator.
 *
 * The decision for group g (one element for Dropout, one channel for Dropout2d) depends only on
 * (key, g): block g/4 of Philox-4x32-10 keyed by the 64-bit key, word g%4, its top 24 bits as a
 * uniform float u in [0, 1); the group is kept when u < keep_prob. No state is carried from one
 * element to the next, so an OpenCL work-item reproduces the mask bit for bit, and the backward
 * reuses the saved mask. Kept values are scaled by 1/keep_prob (inverted dropout). */
#include <math.h>

#include "convsharp_native.h"
#include "nn_common.h"
#include "shared/philox.h"

/* PHILOX_LANES consecutive blocks first, first+1, ... at once: the same rounds as cs_philox4x32_10_rounds on
 * 64-bit vector lanes that hold 32-bit words, so that each 32x32->64-bit product is one vector
 * multiply of the low halves (pmuludq). out[4*l + q] is word q of block first + l, so out is in the
 * order of the groups it decides. */
#define PHILOX_LANES 8
typedef uint64_t philox_u64x8 __attribute__((vector_size(64)));

NN_INLINE void philox_lanes(int64_t first, uint32_t key0, uint32_t key1, uint32_t out[4 * PHILOX_LANES])
{
    const uint64_t low = 0xFFFFFFFFu;
    const philox_u64x8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
    const philox_u64x8 block = lane + (uint64_t)first;
    philox_u64x8 c0 = block & low, c1 = block >> 32, c2 = {0}, c3 = {0};
    uint64_t k0 = key0, k1 = key1;
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 = (k0 + CS_PHILOX_W0) & low; k1 = (k1 + CS_PHILOX_W1) & low; }
        const philox_u64x8 p0 = (c0 & low) * (uint64_t)CS_PHILOX_M0, p1 = (c2 & low) * (uint64_t)CS_PHILOX_M1;
        const philox_u64x8 n0 = (p1 >> 32) ^ c1 ^ k0, n2 = (p0 >> 32) ^ c3 ^ k1;
        c1 = p1 & low;
        c3 = p0 & low;
        c0 = n0;
        c2 = n2;
    }
    for (int l = 0; l < PHILOX_LANES; l++) {
        out[4 * l + 0] = (uint32_t)c0[l];
        out[4 * l + 1] = (uint32_t)c1[l];
        out[4 * l + 2] = (uint32_t)c2[l];
        out[4 * l + 3] = (uint32_t)c3[l];
    }
}

void cs_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
    cs_philox4x32_10_rounds(c, key[0], key[1]);
    for (int q = 0; q < 4; q++) out[q] = c[q];
}

int32_t cs_dropout_f32(int64_t groups, int64_t group_size, uint64_t key, float keep_prob, float scale,
                       const float* x, float* y, float* mask)
{
    if (!x || !y || !mask) return CS_E_NULL;
    if (groups < 1 || group_size < 1 || !(keep_prob > 0.0f && keep_prob <= 1.0f) || !(scale >= 1.0f)) return CS_E_RANGE;
    /* The integer form of u < keep_prob (shared/philox.h). */
    const uint32_t threshold = (uint32_t)ceilf(keep_prob * 16777216.0f);
    const int64_t blocks = (groups + 3) / 4;
    for (int64_t first = 0; first < blocks; first += PHILOX_LANES) {
        uint32_t r[4 * PHILOX_LANES];
        philox_lanes(first, (uint32_t)key, (uint32_t)(key >> 32), r);
        float* out = mask + first * 4;
        const int64_t count = nn_min64(4 * PHILOX_LANES, groups - first * 4);
        if (count == 4 * PHILOX_LANES)
            for (int i = 0; i < 4 * PHILOX_LANES; i++) out[i] = cs_dropout_mask_value(r[i], threshold, scale);
        else
            for (int64_t i = 0; i < count; i++) out[i] = cs_dropout_mask_value(r[i], threshold, scale);
    }
    if (group_size == 1) {
        for (int64_t i = 0; i < groups; i++) y[i] = x[i] * mask[i];
    } else {
        for (int64_t g = 0; g < groups; g++) {
            const float m = mask[g];
            const float* xs = x + g * group_size;
            float* ys = y + g * group_size;
            for (int64_t j = 0; j < group_size; j++) ys[j] = xs[j] * m;
        }
    }
    return CS_OK;
}

int32_t cs_dropout_backward_f32(int64_t groups, int64_t group_size, const float* mask, const float* dy, float* dx)
{
    if (!mask || !dy || !dx) return CS_E_NULL;
    if (groups < 1 || group_size < 1) return CS_E_RANGE;
    if (group_size == 1) {
        for (int64_t i = 0; i < groups; i++) dx[i] += dy[i] * mask[i];
    } else {
        for (int64_t g = 0; g < groups; g++) {
            const float m = mask[g];
            for (int64_t j = 0; j < group_size; j++) dx[g * group_size + j] += dy[g * group_size + j] * m;
        }
    }
    return CS_OK;
}
