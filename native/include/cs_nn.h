/* cs_nn.h: softmax, losses, batch norm, dropout. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_NN_H
#define CS_NN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- softmax (softmax.c) ----
 * Layout (outer, n, inner): the softmax runs along the middle axis of length n, for every one of
 * the outer * inner positions around it (dim d of a contiguous tensor: outer = product of the
 * sizes before d, inner = product of the sizes after it). Numerically stable: the row maximum is
 * subtracted before exp. */

/* y = softmax(x) (log = 0) or log_softmax(x) (log = 1); y may not alias x. */
CS_API int32_t cs_softmax_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* y, int32_t log);

/* ADDS the input gradient into dx, given the forward's output y:
 *   softmax:     dx += y * (dy - sum_n(dy * y))
 *   log_softmax: dx += dy - exp(y) * sum_n(dy) */
CS_API int32_t cs_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, const float* y, const float* dy,
                                       float* dx, int32_t log);

/* ---- losses (losses.c) ---- */

/* Reductions of the loss kernels (PyTorch's numbering). */
enum { CS_REDUCTION_NONE = 0, CS_REDUCTION_MEAN = 1, CS_REDUCTION_SUM = 2 };

/* Class-index losses. Scores (logits, or log-probabilities for NLL) are laid out (n, c, inner):
 * n samples, c classes, inner positions per sample (d1*d2*... of an [N, C, d1, ...] input).
 * target holds n * inner class indices as floats, each a whole number in [0, c) or equal to
 * ignore_index (the caller checks this first; a bad index makes the kernel return CS_E_RANGE).
 * weight (nullable) holds c per-class weights. With label smoothing e, the loss of one position
 * with target t is
 *   (1 - e) * (-w[t] * logp[t]) + (e / c) * (-sum_k w[k] * logp[k]),   0 where t == ignore_index,
 * and reduction MEAN divides the sum by sum(w[t]) over the positions not ignored (PyTorch's
 * weighted mean; 0/0 = NaN when every position is ignored). loss holds n * inner values for
 * CS_REDUCTION_NONE, else 1. */

/* Fused log-softmax + NLL: writes logp (n*c*inner, the log-softmax over classes, kept for the
 * backward) and loss. */
CS_API int32_t cs_cross_entropy_f32(int64_t n, int64_t c, int64_t inner, const float* logits, const float* target,
                                    const float* weight, int64_t ignore_index, float label_smoothing,
                                    int32_t reduction, float* logp, float* loss);

/* ADDS d(loss)/d(logits) into dlogits: g * (A * softmax - a), with a[k] = (1 - e) * w[t] * [k == t]
 * + (e / c) * w[k], A = sum_k a[k], and g the upstream gradient of that position (dloss[i] for
 * NONE, dloss[0] for SUM, dloss[0] / sum(w[t]) for MEAN). Without weights and smoothing that is
 * g * (softmax - onehot). */
CS_API int32_t cs_cross_entropy_backward_f32(int64_t n, int64_t c, int64_t inner, const float* logp,
                                             const float* target, const float* weight, int64_t ignore_index,
                                             float label_smoothing, int32_t reduction, const float* dloss,
                                             float* dlogits);

/* NLL over log-probabilities logp (same layout and rules as above, label smoothing included). */
CS_API int32_t cs_nll_loss_f32(int64_t n, int64_t c, int64_t inner, const float* logp, const float* target,
                               const float* weight, int64_t ignore_index, float label_smoothing, int32_t reduction,
                               float* loss);

/* ADDS d(loss)/d(logp) = -g * a[k] into dlogp. */
CS_API int32_t cs_nll_loss_backward_f32(int64_t n, int64_t c, int64_t inner, const float* target, const float* weight,
                                        int64_t ignore_index, float label_smoothing, int32_t reduction,
                                        const float* dloss, float* dlogp);

/* Element-wise binary cross-entropy on probabilities, unreduced, logs clamped to >= -100 like
 * PyTorch: loss = -(t * max(log x, -100) + (1 - t) * max(log(1 - x), -100)).
 * *bad is set to the first index where x or t lies outside [0, 1] (or is NaN), else -1. */
CS_API int32_t cs_bce_f32(int64_t n, const float* x, const float* t, float* loss, int64_t* bad);

/* ADDS into dx (nullable): dy * (x - t) / max(x * (1 - x), 1e-12), and into dt (nullable):
 * dy * (max(log(1 - x), -100) - max(log x, -100)). */
CS_API int32_t cs_bce_backward_f32(int64_t n, const float* x, const float* t, const float* dy, float* dx, float* dt);

/* Element-wise binary cross-entropy on logits, unreduced, in the stable form
 *   loss = (1 - t) * x + (1 + (pw - 1) * t) * softplus(-x),  softplus(z) = max(z, 0) + log1p(exp(-|z|)),
 * pw (nullable: 1) the positive-class weight of each element (n values). */
CS_API int32_t cs_bce_logits_f32(int64_t n, const float* x, const float* t, const float* pw, float* loss);

/* ADDS, each output nullable: dx += dy * ((1 + (pw - 1) t) * sigmoid(x) - pw * t),
 * dt += dy * ((pw - 1) * softplus(-x) - x), dpw += dy * t * softplus(-x). */
CS_API int32_t cs_bce_logits_backward_f32(int64_t n, const float* x, const float* t, const float* pw, const float* dy,
                                          float* dx, float* dt, float* dpw);

/* ---- batch norm (batchnorm.c) ----
 * Layout (n, c, l): channel k's values are x[(i*c + k)*l + j], i < n, j < l ([N, C] has l = 1,
 * [N, C, L] l = L, [N, C, H, W] l = H*W). weight/bias (nullable: 1 and 0) and the running
 * statistics hold c values. */

/* training = 1: normalises with the batch mean and biased variance (n*l >= 2 values per channel),
 * and, when running_mean/running_var are given, updates them in place with
 *   running = (1 - momentum) * running + momentum * batch statistic,
 * the UNBIASED variance for running_var. training = 0: normalises with the running statistics.
 * Writes y, and save_mean / save_invstd (c values: the mean and 1/sqrt(var + eps) used) for the
 * backward. */
CS_API int32_t cs_batchnorm_forward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* weight,
                                        const float* bias, float* running_mean, float* running_var,
                                        int32_t training, float momentum, float eps,
                                        float* y, float* save_mean, float* save_invstd);

/* ADDS, each output nullable, with xhat = (x - save_mean) * save_invstd and M = n*l:
 *   dweight += sum(dy * xhat), dbias += sum(dy),
 *   dx += weight * save_invstd * (dy - sum(dy)/M - xhat * sum(dy * xhat)/M)   (training = 1),
 *   dx += weight * save_invstd * dy                                            (training = 0). */
CS_API int32_t cs_batchnorm_backward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* dy,
                                         const float* weight, const float* save_mean, const float* save_invstd,
                                         int32_t training, float* dx, float* dweight, float* dbias);

/* ---- dropout (dropout.c) ----
 * The keep/drop decision of group g (an element for Dropout, a whole channel for Dropout2d) is a
 * pure function of (key, g), so any backend reproduces the same mask bit for bit:
 *   r = cs_philox4x32_10(counter = {lo32(g/4), hi32(g/4), 0, 0}, key = {lo32(key), hi32(key)})[g % 4],
 *   keep  <=>  (float)(r >> 8) * 2^-24 < keep_prob. */

/* Philox-4x32-10 (Salmon et al., SC'11; Random123's reference round function and constants). */
CS_API void cs_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* mask[g] = keep(g) ? scale : 0 for g < groups (scale = 1 / keep_prob, given by the caller so that
 * every backend uses the same float), then y[i] = x[i] * mask[i / group_size], i < groups * group_size. */
CS_API int32_t cs_dropout_f32(int64_t groups, int64_t group_size, uint64_t key, float keep_prob, float scale,
                              const float* x, float* y, float* mask);

/* ADDS dy[i] * mask[i / group_size] into dx. */
CS_API int32_t cs_dropout_backward_f32(int64_t groups, int64_t group_size, const float* mask, const float* dy,
                                       float* dx);

#ifdef __cplusplus
}
#endif
#endif
