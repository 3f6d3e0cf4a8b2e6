/* The element bodies of the unary ops (ops.def's CS_UNARY_OPS) and of their derivatives, for the CPU loops
 * (elementwise.c) and the OpenCL kernels (elementwise.cl). Parameters alpha and beta as in ops.def.
 *
 * exp, tanh and sigmoid are branch-free approximations that vectorize inside C loops (glibc's expf/tanhf are
 * scalar calls: tanhf cost ~18 ns an element, the whole of a LeNet-5 activation pass), used on both backends
 * so they agree. exp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2_hi is exact), e^r by its Taylor
 * series to r^7 (truncation below 3e-9 relative), times 2^n built from the exponent bits in two factors so
 * results down to the subnormal range stay right. Inputs are clamped to [-104, 88.72]: below, the float result
 * is 0 anyway; above, only the overflow to infinity is lost (callers here never need it).
 * tanh: x + x³·(Taylor to x⁹) below |x| = 0.25, else 1 − 2/(e^{2|x|} + 1) with the sign restored; the largest
 * error measured against double precision is in tests/…/UnaryFastMathTests. NaN stays NaN. */
#ifndef CS_SHARED_UNARY_H
#define CS_SHARED_UNARY_H

#include "cs_dialect.h"
#include "ops.def"

CS_DEVICE float cs_pow2i(float n)  /* 2^n for integral n in [-126, 127] */
{
    return cs_float_from_bits(((cs_i32)n + 127) << 23);
}

CS_DEVICE float cs_fast_exp(float x)
{
    x = x < -104.0f ? -104.0f : x;
    x = x > 88.72f ? 88.72f : x;
    float n = CS_RINTF(x * 1.44269504088896341f);
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
    float h = CS_TRUNCF(n * 0.5f);
    return p * cs_pow2i(h) * cs_pow2i(n - h);
}

CS_DEVICE float cs_fast_tanh(float x)
{
    float t = CS_FABSF(x);
    float s = t * t;
    float small = t + t * s * (-1.0f / 3.0f + s * (2.0f / 15.0f + s * (-17.0f / 315.0f + s * (62.0f / 2835.0f))));
    float e = cs_fast_exp(2.0f * (t < 9.5f ? t : 9.5f));
    float large = 1.0f - 2.0f / (e + 1.0f);
    float v = t < 0.25f ? small : large;
    v = CS_COPYSIGNF(v, x);
    return x != x ? x : v;
}

/* Stable on both sides: never the exp of a large positive number. */
CS_DEVICE float cs_fast_sigmoid(float v)
{
    float e = cs_fast_exp(-CS_FABSF(v));
    return v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

/* f(x). */
CS_DEVICE float cs_unary_forward(int op, float x, float alpha, float beta)
{
    switch (op) {
    case CS_U_NEG: return -x;
    case CS_U_EXP: return CS_EXPF(x);
    case CS_U_LOG: return CS_LOGF(x);
    case CS_U_SQRT: return CS_SQRTF(x);
    case CS_U_ABS: return CS_FABSF(x);
    /* x <= 0 is false for NaN, so NaN passes through as in PyTorch (relu(nan) = nan): a NaN weight behind a ReLU
       must not turn into a finite loss. */
    case CS_U_RELU: return x <= 0.0f ? 0.0f : x;
    case CS_U_SIGMOID: return cs_fast_sigmoid(x);
    case CS_U_TANH: return cs_fast_tanh(x);
    case CS_U_GELU: return 0.5f * x * (1.0f + CS_ERFF(x * 0.70710678118654752f));
    case CS_U_ELU: return x > 0.0f ? x : alpha * CS_EXPM1F(x);
    case CS_U_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
    case CS_U_POW: return CS_POWF(x, alpha);
    case CS_U_CLAMP: { float v = x < alpha ? alpha : x; return v > beta ? beta : v; }
    case CS_U_AFFINE: return alpha * x + beta;
    case CS_U_SILU: return x * cs_fast_sigmoid(x);
    case CS_U_HARDSWISH: return x <= -3.0f ? 0.0f : x >= 3.0f ? x : x * (x + 3.0f) * (1.0f / 6.0f);
    default: return 0.0f;
    }
}

/* dy·f'(x), the term a backward adds into dx; y = f(x) is given for the ops whose derivative is cheaper from it.
 * Hardswish takes PyTorch's one-sided values at the kinks: 0 below −3, x/3 + ½ on [−3, 3], 1 above. */
CS_DEVICE float cs_unary_backward_term(int op, float x, float y, float dy, float alpha, float beta)
{
    switch (op) {
    case CS_U_NEG: return -dy;
    case CS_U_EXP: return dy * y;
    case CS_U_LOG: return dy / x;
    case CS_U_SQRT: return dy * 0.5f / y;
    case CS_U_ABS: return x > 0.0f ? dy : x < 0.0f ? -dy : 0.0f;
    case CS_U_RELU: return x <= 0.0f ? 0.0f : dy;  /* PyTorch's threshold_backward: NaN passes the gradient on */
    case CS_U_SIGMOID: return dy * y * (1.0f - y);
    case CS_U_TANH: return dy * (1.0f - y * y);
    case CS_U_GELU: {
        float cdf = 0.5f * (1.0f + CS_ERFF(x * 0.70710678118654752f));
        float pdf = 0.39894228040143268f * CS_EXPF(-0.5f * x * x);
        return dy * (cdf + x * pdf);
    }
    case CS_U_ELU: return x > 0.0f ? dy : dy * (y + alpha);
    case CS_U_LEAKY_RELU: return x > 0.0f ? dy : alpha * dy;
    case CS_U_POW: return dy * alpha * CS_POWF(x, alpha - 1.0f);
    case CS_U_CLAMP: return x >= alpha && x <= beta ? dy : 0.0f;
    case CS_U_AFFINE: return alpha * dy;
    case CS_U_SILU: { float s = cs_fast_sigmoid(x); return dy * s * (1.0f + x * (1.0f - s)); }
    case CS_U_HARDSWISH: return x < -3.0f ? 0.0f : x <= 3.0f ? dy * (x * (1.0f / 3.0f) + 0.5f) : dy;
    default: return 0.0f;
    }
}

#endif
