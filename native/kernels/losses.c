/* Loss kernels: the fused softmax cross-entropy (log-softmax + NLL in one call, the training hot
 * path), NLL on log-probabilities, and the element-wise binary cross-entropies.
 *
 * Letters: n samples, c classes, inner positions per sample (d1*d2*... of [N, C, d1, ...]); the
 * scores are laid out (n, c, inner) and the targets (n, inner). e is the label smoothing, w the
 * per-class weights (1 when absent). Totals and weight sums accumulate in double. Every backward
 * ADDS into its gradient. */
#include <math.h>

#include "convsharp_native.h"
#include "nn_common.h"
#include "shared/losses.h"

#define class_of cs_class_of

static int32_t check_class_args(int64_t n, int64_t c, int64_t inner, const float* target, int64_t ignore_index,
                                float label_smoothing, int32_t reduction)
{
    if (n < 1 || c < 1 || inner < 1) return CS_E_RANGE;
    if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f)) return CS_E_RANGE;
    if (reduction != CS_REDUCTION_NONE && reduction != CS_REDUCTION_MEAN && reduction != CS_REDUCTION_SUM) return CS_E_RANGE;
    for (int64_t i = 0; i < n * inner; i++)
        if (class_of(target[i], c, ignore_index) == -2) return CS_E_RANGE;
    return CS_OK;
}

NN_INLINE float weight_of(const float* weight, int64_t k) { return weight ? weight[k] : 1.0f; }

/* sum(w[t]) over the positions that are not ignored: the denominator of the MEAN reduction. */
static double target_weight_sum(int64_t count, int64_t c, const float* target, const float* weight, int64_t ignore_index)
{
    double sum = 0.0;
    for (int64_t i = 0; i < count; i++) {
        int64_t k = class_of(target[i], c, ignore_index);
        if (k >= 0) sum += weight_of(weight, k);
    }
    return sum;
}

/* The NLL-with-smoothing loss of every position, reduced as asked; logp is (n, c, inner). */
NN_INLINE void class_loss(int64_t n, int64_t c, int64_t inner, const float* logp, const float* target, const float* weight,
                       int64_t ignore_index, float label_smoothing, int32_t reduction, float* loss)
{
    const double keep = 1.0 - (double)label_smoothing, spread = (double)label_smoothing / (double)c;
    const int smoothing = label_smoothing > 0.0f;
    double total = 0.0, weight_sum = 0.0;
    double smooth[NN_TILE];
    for (int64_t i = 0; i < n; i++) {
        const float* lp = logp + i * c * inner;
        for (int64_t j0 = 0; j0 < inner; j0 += NN_TILE) {
            const int64_t w = nn_min64(NN_TILE, inner - j0);
            if (smoothing && inner == 1) {
                /* smooth[0] = sum_k w[k] * logp[k], a contiguous row: eight double lanes. */
                double lane[8] = {0};
                int64_t k = 0;
                for (; k + 8 <= c; k += 8)
                    for (int l = 0; l < 8; l++) lane[l] += (double)weight_of(weight, k + l) * lp[k + l];
                smooth[0] = 0.0;
                for (; k < c; k++) smooth[0] += (double)weight_of(weight, k) * lp[k];
                for (int l = 0; l < 8; l++) smooth[0] += lane[l];
            } else if (smoothing) {
                /* smooth[j] = sum_k w[k] * logp[k][j] */
                for (int64_t j = 0; j < w; j++) smooth[j] = 0.0;
                for (int64_t k = 0; k < c; k++) {
                    const float* row = lp + k * inner + j0;
                    const double wk = weight_of(weight, k);
                    for (int64_t j = 0; j < w; j++) smooth[j] += wk * row[j];
                }
            }
            for (int64_t j = 0; j < w; j++) {
                const int64_t at = i * inner + j0 + j;
                const int64_t cls = class_of(target[at], c, ignore_index);
                double value = 0.0;
                if (cls >= 0) {
                    const double wt = weight_of(weight, cls);
                    value = -keep * wt * lp[cls * inner + j0 + j];
                    if (smoothing) value -= spread * smooth[j];
                    weight_sum += wt;
                }
                if (reduction == CS_REDUCTION_NONE) loss[at] = (float)value;
                else total += value;
            }
        }
    }
    if (reduction == CS_REDUCTION_SUM) loss[0] = (float)total;
    else if (reduction == CS_REDUCTION_MEAN) loss[0] = (float)(total / weight_sum);
}

/* The upstream gradient of one position, before the per-position scaling. */
NN_INLINE float upstream(const float* dloss, int32_t reduction, int64_t at, float mean_scale)
{
    return reduction == CS_REDUCTION_NONE ? dloss[at] : dloss[0] * mean_scale;
}

int32_t cs_cross_entropy_f32(int64_t n, int64_t c, int64_t inner, const float* logits, const float* target,
                             const float* weight, int64_t ignore_index, float label_smoothing,
                             int32_t reduction, float* logp, float* loss)
{
    if (!logits || !target || !logp || !loss) return CS_E_NULL;
    int32_t status = check_class_args(n, c, inner, target, ignore_index, label_smoothing, reduction);
    if (status != CS_OK) return status;
    for (int64_t i = 0; i < n; i++) nn_softmax_slice(c, inner, logits + i * c * inner, logp + i * c * inner, 1);
    class_loss(n, c, inner, logp, target, weight, ignore_index, label_smoothing, reduction, loss);
    return CS_OK;
}

int32_t cs_cross_entropy_backward_f32(int64_t n, int64_t c, int64_t inner, const float* logp,
                                      const float* target, const float* weight, int64_t ignore_index,
                                      float label_smoothing, int32_t reduction, const float* dloss,
                                      float* dlogits)
{
    if (!logp || !target || !dloss || !dlogits) return CS_E_NULL;
    int32_t status = check_class_args(n, c, inner, target, ignore_index, label_smoothing, reduction);
    if (status != CS_OK) return status;

    const float keep = 1.0f - label_smoothing, spread = label_smoothing / (float)c;
    float weight_total = (float)c;
    if (weight) {
        double s = 0.0;
        for (int64_t k = 0; k < c; k++) s += weight[k];
        weight_total = (float)s;
    }
    const float mean_scale = reduction == CS_REDUCTION_MEAN
        ? (float)(1.0 / target_weight_sum(n * inner, c, target, weight, ignore_index)) : 1.0f;

    if (inner == 1) {
        /* [N, C]: each row is contiguous, so the class loop is one vectorizable map. */
        for (int64_t i = 0; i < n; i++) {
            const int64_t cls = class_of(target[i], c, ignore_index);
            if (cls < 0) continue;
            const float g = upstream(dloss, reduction, i, mean_scale), wt = weight_of(weight, cls);
            const float g_all = g * (keep * wt + spread * weight_total), g_spread = g * spread;
            const float* lp = logp + i * c;
            float* dx = dlogits + i * c;
            if (weight) for (int64_t k = 0; k < c; k++) dx[k] += g_all * nn_expf(lp[k]) - g_spread * weight[k];
            else for (int64_t k = 0; k < c; k++) dx[k] += g_all * nn_expf(lp[k]) - g_spread;
            dx[cls] -= g * keep * wt;
        }
        return CS_OK;
    }

    float g_all[NN_TILE], g_spread[NN_TILE];
    for (int64_t i = 0; i < n; i++) {
        const float* lp = logp + i * c * inner;
        float* dx = dlogits + i * c * inner;
        for (int64_t j0 = 0; j0 < inner; j0 += NN_TILE) {
            const int64_t w = nn_min64(NN_TILE, inner - j0);
            /* Per position: g * A (the softmax coefficient) and g * e/c (the smoothing term). */
            for (int64_t j = 0; j < w; j++) {
                const int64_t at = i * inner + j0 + j;
                const int64_t cls = class_of(target[at], c, ignore_index);
                if (cls < 0) { g_all[j] = 0.0f; g_spread[j] = 0.0f; continue; }
                const float g = upstream(dloss, reduction, at, mean_scale);
                g_all[j] = g * (keep * weight_of(weight, cls) + spread * weight_total);
                g_spread[j] = g * spread;
            }
            for (int64_t k = 0; k < c; k++) {
                const float* row = lp + k * inner + j0;
                float* drow = dx + k * inner + j0;
                const float wk = weight_of(weight, k);
                for (int64_t j = 0; j < w; j++) drow[j] += g_all[j] * nn_expf(row[j]) - g_spread[j] * wk;
            }
            /* The one-hot part: -g * (1 - e) * w[t] at the target class. */
            for (int64_t j = 0; j < w; j++) {
                const int64_t at = i * inner + j0 + j;
                const int64_t cls = class_of(target[at], c, ignore_index);
                if (cls < 0) continue;
                dx[cls * inner + j0 + j] -= upstream(dloss, reduction, at, mean_scale) * keep * weight_of(weight, cls);
            }
        }
    }
    return CS_OK;
}

int32_t cs_nll_loss_f32(int64_t n, int64_t c, int64_t inner, const float* logp, const float* target,
                        const float* weight, int64_t ignore_index, float label_smoothing, int32_t reduction,
                        float* loss)
{
    if (!logp || !target || !loss) return CS_E_NULL;
    int32_t status = check_class_args(n, c, inner, target, ignore_index, label_smoothing, reduction);
    if (status != CS_OK) return status;
    class_loss(n, c, inner, logp, target, weight, ignore_index, label_smoothing, reduction, loss);
    return CS_OK;
}

int32_t cs_nll_loss_backward_f32(int64_t n, int64_t c, int64_t inner, const float* target, const float* weight,
                                 int64_t ignore_index, float label_smoothing, int32_t reduction,
                                 const float* dloss, float* dlogp)
{
    if (!target || !dloss || !dlogp) return CS_E_NULL;
    int32_t status = check_class_args(n, c, inner, target, ignore_index, label_smoothing, reduction);
    if (status != CS_OK) return status;
    const float keep = 1.0f - label_smoothing, spread = label_smoothing / (float)c;
    const float mean_scale = reduction == CS_REDUCTION_MEAN
        ? (float)(1.0 / target_weight_sum(n * inner, c, target, weight, ignore_index)) : 1.0f;
    for (int64_t i = 0; i < n; i++) {
        float* dx = dlogp + i * c * inner;
        for (int64_t j = 0; j < inner; j++) {
            const int64_t at = i * inner + j;
            const int64_t cls = class_of(target[at], c, ignore_index);
            if (cls < 0) continue;
            const float g = upstream(dloss, reduction, at, mean_scale);
            if (label_smoothing > 0.0f)
                for (int64_t k = 0; k < c; k++) dx[k * inner + j] -= g * spread * weight_of(weight, k);
            dx[cls * inner + j] -= g * keep * weight_of(weight, cls);
        }
    }
    return CS_OK;
}

int32_t cs_bce_f32(int64_t n, const float* x, const float* t, float* loss, int64_t* bad)
{
    if (!x || !t || !loss || !bad) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    *bad = -1;
    for (int64_t i = 0; i < n; i++)
        if (!(x[i] >= 0.0f && x[i] <= 1.0f && t[i] >= 0.0f && t[i] <= 1.0f)) { *bad = i; return CS_OK; }
    for (int64_t i = 0; i < n; i++) loss[i] = cs_bce_loss(x[i], t[i]);
    return CS_OK;
}

int32_t cs_bce_backward_f32(int64_t n, const float* x, const float* t, const float* dy, float* dx, float* dt)
{
    if (!x || !t || !dy) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    if (dx)
        for (int64_t i = 0; i < n; i++) dx[i] += cs_bce_dx(x[i], t[i], dy[i]);
    if (dt)
        for (int64_t i = 0; i < n; i++) dt[i] += cs_bce_dt(x[i], dy[i]);
    return CS_OK;
}

int32_t cs_bce_logits_f32(int64_t n, const float* x, const float* t, const float* pw, float* loss)
{
    if (!x || !t || !loss) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    for (int64_t i = 0; i < n; i++) loss[i] = cs_bce_logits_loss(x[i], t[i], pw ? pw[i] : 1.0f);
    return CS_OK;
}

int32_t cs_bce_logits_backward_f32(int64_t n, const float* x, const float* t, const float* pw, const float* dy,
                                   float* dx, float* dt, float* dpw)
{
    if (!x || !t || !dy) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    for (int64_t i = 0; i < n; i++) {
        const float p = pw ? pw[i] : 1.0f;
        if (dx) dx[i] += cs_bce_logits_dx(x[i], t[i], p, dy[i]);
        if (dt) dt[i] += cs_bce_logits_dt(x[i], p, dy[i]);
        if (dpw) dpw[i] += cs_bce_logits_dpw(x[i], t[i], dy[i]);
    }
    return CS_OK;
}
