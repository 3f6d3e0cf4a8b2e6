/* cs_optim.h: fused optimizer updates (one pass over a parameter tensor) and gradient clipping. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_OPTIM_H
#define CS_OPTIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fused updates (optim.c); every state pointer covers the same n elements as p. bias_correction1/2
 * are 1 − β1^t and 1 − β2^t for step t ≥ 1. */
CS_API int32_t cs_sgd_step_f32(int64_t n, float* p, const float* grad, float* buf, float lr, float momentum,
                               float dampening, float weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step);
CS_API int32_t cs_adam_step_f32(int64_t n, float* p, const float* grad, float* m, float* v, float* vmax,
                                float lr, float beta1, float beta2, float eps, float weight_decay,
                                float bias_correction1, float bias_correction2, int32_t decoupled, int32_t maximize);
CS_API int32_t cs_adamax_step_f32(int64_t n, float* p, const float* grad, float* m, float* u, float lr, float beta1,
                                  float beta2, float eps, float weight_decay, float bias_correction1, int32_t maximize);
CS_API int32_t cs_rmsprop_step_f32(int64_t n, float* p, const float* grad, float* v, float* grad_avg, float* buf,
                                   float lr, float alpha, float eps, float weight_decay, float momentum, int32_t maximize);
/* Σ x² in double, or max |x| when infinity is non-zero (gradient clipping). */
CS_API int32_t cs_norm_f32(int64_t n, const float* x, int32_t infinity, double* result);

#ifdef __cplusplus
}
#endif
#endif
