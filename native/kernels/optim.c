/* Fused optimizer updates: one pass over a whole parameter tensor, following the update rules of
 * PyTorch's torch.optim documentation (the formulas are repeated above each function). Scalars that
 * depend only on the step count (bias corrections) are computed by the caller once per step. */
#include <math.h>

#include "convsharp_native.h"
#include "cs_simd.h"

/* g = ±grad + wd·p; with momentum: buf = g on the first step, else μ·buf + (1 − τ)·g;
 * g = g + μ·buf (Nesterov) or buf; p −= lr·g. */
CS_MULTIVERSION
int32_t cs_sgd_step_f32(int64_t n, float* p, const float* grad, float* buf, float lr, float momentum,
                        float dampening, float weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step)
{
    if (!p || !grad || (momentum != 0.0f && !buf)) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i] + weight_decay * p[i];
        if (momentum != 0.0f) {
            float b = first_step ? g : momentum * buf[i] + (1.0f - dampening) * g;
            buf[i] = b;
            g = nesterov ? g + momentum * b : b;
        }
        p[i] -= lr * g;
    }
    return CS_OK;
}

/* Adam / AdamW. g = ±grad (+ wd·p for Adam); AdamW first decays p ← p·(1 − lr·wd).
 * m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; with amsgrad vmax = max(vmax, v), used in place of v;
 * p −= lr/bc1 · m / (√v / √bc2 + eps), bc1 = 1 − β1^t, bc2 = 1 − β2^t. */
CS_MULTIVERSION
int32_t cs_adam_step_f32(int64_t n, float* p, const float* grad, float* m, float* v, float* vmax,
                         float lr, float beta1, float beta2, float eps, float weight_decay,
                         float bias_correction1, float bias_correction2, int32_t decoupled, int32_t maximize)
{
    if (!p || !grad || !m || !v) return CS_E_NULL;
    if (n < 0 || !(bias_correction1 > 0.0f) || !(bias_correction2 > 0.0f)) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    const float step_size = lr / bias_correction1, inv_sqrt_bc2 = 1.0f / sqrtf(bias_correction2);
    const float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f, coupled = decoupled ? 0.0f : weight_decay;
    for (int64_t i = 0; i < n; i++) {
        float pi = p[i] * decay;
        float g = sign * grad[i] + coupled * p[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        if (vmax) { vi = vmax[i] > vi ? vmax[i] : vi; vmax[i] = vi; }
        p[i] = pi - step_size * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
    return CS_OK;
}

/* Adamax. g = ±grad + wd·p; m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps); p −= lr/bc1 · m / u. */
CS_MULTIVERSION
int32_t cs_adamax_step_f32(int64_t n, float* p, const float* grad, float* m, float* u, float lr, float beta1,
                           float beta2, float eps, float weight_decay, float bias_correction1, int32_t maximize)
{
    if (!p || !grad || !m || !u) return CS_E_NULL;
    if (n < 0 || !(bias_correction1 > 0.0f)) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f, clr = lr / bias_correction1;
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i] + weight_decay * p[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float a = fabsf(g) + eps, b = beta2 * u[i];
        float ui = b > a ? b : a;
        m[i] = mi;
        u[i] = ui;
        p[i] -= clr * mi / ui;
    }
    return CS_OK;
}

/* RMSprop. g = ±grad + wd·p; v = α·v + (1 − α)·g²; centered: ga = α·ga + (1 − α)·g and
 * avg = √(v − ga²) + eps, else avg = √v + eps; with momentum buf = μ·buf + g/avg, p −= lr·buf;
 * else p −= lr·g/avg. */
CS_MULTIVERSION
int32_t cs_rmsprop_step_f32(int64_t n, float* p, const float* grad, float* v, float* grad_avg, float* buf,
                            float lr, float alpha, float eps, float weight_decay, float momentum, int32_t maximize)
{
    if (!p || !grad || !v || (momentum != 0.0f && !buf)) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    for (int64_t i = 0; i < n; i++) {
        float g = sign * grad[i] + weight_decay * p[i];
        float vi = alpha * v[i] + (1.0f - alpha) * g * g;
        v[i] = vi;
        float avg;
        if (grad_avg) {
            float ga = alpha * grad_avg[i] + (1.0f - alpha) * g;
            grad_avg[i] = ga;
            avg = sqrtf(vi - ga * ga) + eps;
        } else {
            avg = sqrtf(vi) + eps;
        }
        if (momentum != 0.0f) {
            float b = momentum * buf[i] + g / avg;
            buf[i] = b;
            p[i] -= lr * b;
        } else {
            p[i] -= lr * g / avg;
        }
    }
    return CS_OK;
}

/* *result = Σ x² (accumulated in double) or max |x| (norm_type 0 here means infinity). */
CS_MULTIVERSION
int32_t cs_norm_f32(int64_t n, const float* x, int32_t infinity, double* result)
{
    if (!x || !result) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    double acc = 0.0;
    if (infinity) {
        float m = 0.0f;
        for (int64_t i = 0; i < n; i++) { float a = fabsf(x[i]); m = a > m || a != a ? a : m; }
        acc = m;
    } else {
        for (int64_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
    }
    *result = acc;
    return CS_OK;
}
