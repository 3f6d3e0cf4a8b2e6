/* Fused optimizer updates: one pass over a whole parameter tensor, following the update rules of
 * PyTorch's torch.optim documentation; the per-element bodies are shared with OpenCL (shared/optim.h). Scalars that
 * depend only on the step count (bias corrections) are computed by the caller once per step. */
#include <math.h>

#include "convsharp_native.h"
#include "shared/optim.h"

/* g = ±grad + wd·p; with momentum: buf = g on the first step, else μ·buf + (1 − τ)·g;
 * g = g + μ·buf (Nesterov) or buf; p −= lr·g. */
int32_t cs_sgd_step_f32(int64_t n, float* p, const float* grad, float* buf, float lr, float momentum,
                        float dampening, float weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step)
{
    if (!p || !grad || (momentum != 0.0f && !buf)) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    for (int64_t i = 0; i < n; i++)
        cs_sgd_update(i, p, grad, buf, lr, momentum, dampening, weight_decay, nesterov, sign, first_step);
    return CS_OK;
}

/* Adam / AdamW. g = ±grad (+ wd·p for Adam); AdamW first decays p ← p·(1 − lr·wd).
 * m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; with amsgrad vmax = max(vmax, v), used in place of v;
 * p −= lr/bc1 · m / (√v / √bc2 + eps), bc1 = 1 − β1^t, bc2 = 1 − β2^t. */
int32_t cs_adam_step_f32(int64_t n, float* p, const float* grad, float* m, float* v, float* vmax,
                         float lr, float beta1, float beta2, float eps, float weight_decay,
                         float bias_correction1, float bias_correction2, int32_t decoupled, int32_t maximize)
{
    if (!p || !grad || !m || !v) return CS_E_NULL;
    if (n < 0 || !(bias_correction1 > 0.0f) || !(bias_correction2 > 0.0f)) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    const float step_size = lr / bias_correction1, inv_sqrt_bc2 = 1.0f / sqrtf(bias_correction2);
    const float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f, coupled = decoupled ? 0.0f : weight_decay;
    for (int64_t i = 0; i < n; i++)
        cs_adam_update(i, p, grad, m, v, vmax, beta1, beta2, eps, sign, decay, coupled, step_size, inv_sqrt_bc2);
    return CS_OK;
}

/* Adamax. g = ±grad + wd·p; m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps); p −= lr/bc1 · m / u. */
int32_t cs_adamax_step_f32(int64_t n, float* p, const float* grad, float* m, float* u, float lr, float beta1,
                           float beta2, float eps, float weight_decay, float bias_correction1, int32_t maximize)
{
    if (!p || !grad || !m || !u) return CS_E_NULL;
    if (n < 0 || !(bias_correction1 > 0.0f)) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f, clr = lr / bias_correction1;
    for (int64_t i = 0; i < n; i++) cs_adamax_update(i, p, grad, m, u, beta1, beta2, eps, weight_decay, sign, clr);
    return CS_OK;
}

/* RMSprop. g = ±grad + wd·p; v = α·v + (1 − α)·g²; centered: ga = α·ga + (1 − α)·g and
 * avg = √(v − ga²) + eps, else avg = √v + eps; with momentum buf = μ·buf + g/avg, p −= lr·buf;
 * else p −= lr·g/avg. */
int32_t cs_rmsprop_step_f32(int64_t n, float* p, const float* grad, float* v, float* grad_avg, float* buf,
                            float lr, float alpha, float eps, float weight_decay, float momentum, int32_t maximize)
{
    if (!p || !grad || !v || (momentum != 0.0f && !buf)) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    const float sign = maximize ? -1.0f : 1.0f;
    for (int64_t i = 0; i < n; i++)
        cs_rmsprop_update(i, p, grad, v, grad_avg, buf, lr, alpha, eps, weight_decay, momentum, sign);
    return CS_OK;
}

/* *result = Σ x² (accumulated in double) or max |x| (norm_type 0 here means infinity). */
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
