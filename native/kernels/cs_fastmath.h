/* Branch-free float exp and tanh that GCC vectorizes inside element loops (glibc's expf/tanhf are scalar
 * calls: tanhf cost ~18 ns an element here, the whole of a LeNet-5 activation pass).
 * exp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2_hi is exact), e^r by its Taylor series to
 * r^7 (truncation below 3e-9 relative), times 2^n built from the exponent bits in two factors so results
 * down to the subnormal range stay right. Inputs are clamped to [-104, 88.72]: below, the float result is
 * 0 anyway; above, only the overflow to infinity is lost (callers here never need it).
 * tanh: x + x³·(Taylor to x⁹) below |x| = 0.25, else 1 − 2/(e^{2|x|} + 1) with the sign restored; the
 * largest error measured against double precision is in tests/…/UnaryFastMathTests. NaN stays NaN. */
#ifndef CS_FASTMATH_H
#define CS_FASTMATH_H

#include <stdint.h>
#include <string.h>

static inline float cs_pow2i(float n)  /* 2^n for integral n in [-126, 127] */
{
    int32_t bits = ((int32_t)n + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float cs_exp(float x)
{
    x = x < -104.0f ? -104.0f : x;
    x = x > 88.72f ? 88.72f : x;
    float n = __builtin_rintf(x * 1.44269504088896341f);
    n = n > -151.0f ? n : -151.0f;  /* also turns a NaN's n into a number: the conversion below is defined */
    float r = x - n * 0.693145751953125f;
    r = r - n * 1.42860682030941723e-6f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    float half = __builtin_truncf(n * 0.5f);
    return p * cs_pow2i(half) * cs_pow2i(n - half);
}

static inline float cs_tanh(float x)
{
    float t = __builtin_fabsf(x);
    float s = t * t;
    float small = t + t * s * (-1.0f / 3.0f + s * (2.0f / 15.0f + s * (-17.0f / 315.0f + s * (62.0f / 2835.0f))));
    float e = cs_exp(2.0f * (t < 9.5f ? t : 9.5f));
    float large = 1.0f - 2.0f / (e + 1.0f);
    float v = t < 0.25f ? small : large;
    v = __builtin_copysignf(v, x);
    return x != x ? x : v;
}

#endif
