/* Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and the dropout
 * decision built on it, for the CPU (dropout.c) and OpenCL (nn.cl): group g is decided by word g % 4 of block
 * g / 4 keyed by the 64-bit key, kept when its top 24 bits, as a uniform u in [0, 1), are below keep_prob. The
 * CPU runs the same rounds on 8 blocks at once in vector lanes (dropout.c's philox_lanes, with these constants);
 * a test checks CPU and OpenCL masks bit for bit, another these rounds against the published test vectors. */
#ifndef CS_SHARED_PHILOX_H
#define CS_SHARED_PHILOX_H

#include "cs_dialect.h"

#define CS_PHILOX_M0 0xD2511F53u
#define CS_PHILOX_M1 0xCD9E8D57u
#define CS_PHILOX_W0 0x9E3779B9u
#define CS_PHILOX_W1 0xBB67AE85u

/* The ten rounds on counter c, in place. */
CS_DEVICE void cs_philox4x32_10_rounds(cs_u32* c, cs_u32 k0, cs_u32 k1)
{
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += CS_PHILOX_W0; k1 += CS_PHILOX_W1; }
        const cs_u32 h0 = CS_MULHI32(CS_PHILOX_M0, c[0]), l0 = CS_PHILOX_M0 * c[0];
        const cs_u32 h1 = CS_MULHI32(CS_PHILOX_M1, c[2]), l1 = CS_PHILOX_M1 * c[2];
        const cs_u32 n0 = h1 ^ c[1] ^ k0, n2 = h0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = l1; c[2] = n2; c[3] = l0;
    }
}

/* Word `word` of block `block` (counter {lo32(block), hi32(block), 0, 0}) under key {lo32(key), hi32(key)}. */
CS_DEVICE cs_u32 cs_philox_word(cs_u64 block, cs_u64 key, int word)
{
    cs_u32 c[4] = {(cs_u32)block, (cs_u32)(block >> 32), 0u, 0u};
    cs_philox4x32_10_rounds(c, (cs_u32)key, (cs_u32)(key >> 32));
    return c[word];
}

/* u < keep_prob with u = (r >> 8)·2^-24  <=>  (r >> 8) < ceil(keep_prob·2^24): the product is exact, so this
 * integer test (which vectorizes; a float compare may trap and does not) decides exactly as the float one. The
 * caller computes threshold = ceil(keep_prob·2^24) once. */
CS_DEVICE float cs_dropout_mask_value(cs_u32 r, cs_u32 threshold, float scale)
{
    return (r >> 8) < threshold ? scale : 0.0f;
}

#endif
