/* The per-element terms of the losses, for the CPU (losses.c) and OpenCL (nn.cl): the class a target names
 * (cross-entropy and NLL), and the binary cross-entropies with their derivatives. Logs are clamped at −100, as
 * PyTorch's BCELoss does; softplus and the sigmoid are the exact (libm) forms, stable on both sides. */
#ifndef CS_SHARED_LOSSES_H
#define CS_SHARED_LOSSES_H

#include "cs_dialect.h"

/* The class a target value names, −1 where it equals ignore_index, −2 when it is not a class index (out of
 * range, fractional, NaN). */
CS_DEVICE cs_index cs_class_of(float v, cs_index c, cs_index ignore_index)
{
    if (v == (float)ignore_index) return -1;
    if (!(v >= 0.0f && v < (float)c) || v != CS_TRUNCF(v)) return -2;
    return (cs_index)v;
}

CS_DEVICE float cs_clamped_log(float v) { float l = CS_LOGF(v); return l > -100.0f ? l : -100.0f; }
CS_DEVICE float cs_clamped_log1m(float v) { float l = CS_LOG1PF(-v); return l > -100.0f ? l : -100.0f; }

/* softplus(−x) = log(1 + e^−x), never the exp of a large positive number. */
CS_DEVICE float cs_softplus_neg(float x) { return (-x > 0.0f ? -x : 0.0f) + CS_LOG1PF(CS_EXPF(-CS_FABSF(x))); }

CS_DEVICE float cs_exact_sigmoid(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + CS_EXPF(-x));
    float e = CS_EXPF(x);
    return e / (1.0f + e);
}

/* BCE of a probability x against target t, and its derivatives times the upstream gradient g. */
CS_DEVICE float cs_bce_loss(float x, float t) { return -(t * cs_clamped_log(x) + (1.0f - t) * cs_clamped_log1m(x)); }
CS_DEVICE float cs_bce_dx(float x, float t, float g)
{
    float d = x * (1.0f - x);
    return g * (x - t) / (d > 1e-12f ? d : 1e-12f);
}
CS_DEVICE float cs_bce_dt(float x, float g) { return g * (cs_clamped_log1m(x) - cs_clamped_log(x)); }

/* BCE with logits x, target t and positive-class weight p (1 without pos_weight): (1 − t)·x + (1 + (p − 1)·t)·softplus(−x),
 * and its derivatives times g. */
CS_DEVICE float cs_bce_logits_loss(float x, float t, float p) { return (1.0f - t) * x + (1.0f + (p - 1.0f) * t) * cs_softplus_neg(x); }
CS_DEVICE float cs_bce_logits_dx(float x, float t, float p, float g) { return g * ((1.0f + (p - 1.0f) * t) * cs_exact_sigmoid(x) - p * t); }
CS_DEVICE float cs_bce_logits_dt(float x, float p, float g) { return g * ((p - 1.0f) * cs_softplus_neg(x) - x); }
CS_DEVICE float cs_bce_logits_dpw(float x, float t, float g) { return g * t * cs_softplus_neg(x); }

#endif
