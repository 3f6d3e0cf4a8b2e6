/* The per-element updates of the fused optimizer steps (PyTorch's torch.optim update rules), for the CPU loops
 * (optim.c) and one OpenCL work-item per element (optim.cl). Each updates element i of p and of its state
 * buffers in place; an optional buffer (buf without momentum, vmax without amsgrad, grad_avg uncentered) is
 * not touched. Scalars that depend only on the step count are computed by the caller once per step. */
#ifndef CS_SHARED_OPTIM_H
#define CS_SHARED_OPTIM_H

#include "cs_dialect.h"

/* g = ±grad + wd·p; with momentum: buf = g on the first step, else μ·buf + (1 − τ)·g;
 * g = g + μ·buf (Nesterov) or buf; p −= lr·g. sign is −1 to maximize. */
CS_DEVICE void cs_sgd_update(cs_index i, CS_GLOBAL float* p, CS_GLOBAL const float* grad, CS_GLOBAL float* buf,
                             float lr, float momentum, float dampening, float weight_decay, int nesterov, float sign,
                             int first_step)
{
    const float pi = p[i];
    float g = sign * grad[i] + weight_decay * pi;
    if (momentum != 0.0f) {
        float b = first_step ? g : momentum * buf[i] + (1.0f - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
    }
    p[i] = pi - lr * g;
}

/* Adam / AdamW. g = ±grad + coupled·p; p ← p·decay (AdamW: 1 − lr·wd); m = β1·m + (1 − β1)·g;
 * v = β2·v + (1 − β2)·g²; with amsgrad (vmax) vmax = max(vmax, v), used in place of v;
 * p −= step_size · m / (√v · inv_sqrt_bc2 + eps), step_size = lr/bc1, inv_sqrt_bc2 = 1/√bc2. */
CS_DEVICE void cs_adam_update(cs_index i, CS_GLOBAL float* p, CS_GLOBAL const float* grad, CS_GLOBAL float* m,
                              CS_GLOBAL float* v, CS_GLOBAL float* vmax, float beta1, float beta2, float eps, float sign,
                              float decay, float coupled, float step_size, float inv_sqrt_bc2)
{
    const float p0 = p[i];
    float g = sign * grad[i] + coupled * p0;
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    if (vmax) { float old = vmax[i]; vi = old > vi ? old : vi; vmax[i] = vi; }
    p[i] = p0 * decay - step_size * mi / (CS_SQRTF(vi) * inv_sqrt_bc2 + eps);
}

/* Adamax. g = ±grad + wd·p; m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps); p −= clr · m / u, clr = lr/bc1. */
CS_DEVICE void cs_adamax_update(cs_index i, CS_GLOBAL float* p, CS_GLOBAL const float* grad, CS_GLOBAL float* m,
                                CS_GLOBAL float* u, float beta1, float beta2, float eps, float weight_decay, float sign,
                                float clr)
{
    const float pi = p[i];
    float g = sign * grad[i] + weight_decay * pi;
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float a = CS_FABSF(g) + eps, b = beta2 * u[i];
    float ui = b > a ? b : a;
    m[i] = mi;
    u[i] = ui;
    p[i] = pi - clr * mi / ui;
}

/* RMSprop. g = ±grad + wd·p; v = α·v + (1 − α)·g²; centered (grad_avg): ga = α·ga + (1 − α)·g and
 * avg = √(v − ga²) + eps, else avg = √v + eps; with momentum buf = μ·buf + g/avg, p −= lr·buf; else p −= lr·g/avg. */
CS_DEVICE void cs_rmsprop_update(cs_index i, CS_GLOBAL float* p, CS_GLOBAL const float* grad, CS_GLOBAL float* v,
                                 CS_GLOBAL float* grad_avg, CS_GLOBAL float* buf, float lr, float alpha, float eps,
                                 float weight_decay, float momentum, float sign)
{
    const float pi = p[i];
    float g = sign * grad[i] + weight_decay * pi;
    float vi = alpha * v[i] + (1.0f - alpha) * g * g;
    v[i] = vi;
    float avg;
    if (grad_avg) {
        float ga = alpha * grad_avg[i] + (1.0f - alpha) * g;
        grad_avg[i] = ga;
        avg = CS_SQRTF(vi - ga * ga) + eps;
    } else {
        avg = CS_SQRTF(vi) + eps;
    }
    if (momentum != 0.0f) {
        float b = momentum * buf[i] + g / avg;
        buf[i] = b;
        p[i] = pi - lr * b;
    } else {
        p[i] = pi - lr * g / avg;
    }
}

#endif
