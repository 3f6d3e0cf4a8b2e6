/* Batch normalisation over (n, c, l): per channel k, its n*l values x[(i*c + k)*l + j].
 *
 * Forward (training): batch mean and biased variance per channel (two passes, double sums), the
 * running statistics updated with the unbiased variance; (eval) the running statistics.
 * y = (x - mean) * (weight / sqrt(var + eps)) + bias. The mean and 1/sqrt(var + eps) actually used
 * are saved for the backward, which ADDS into dx, dweight and dbias. */
#include <math.h>

#include "convsharp_native.h"
#include "nn_common.h"

/* Sum of n contiguous floats, in eight double lanes (vectorizable, and exact enough for the mean). */
NN_INLINE double sum_f32(const float* x, int64_t n)
{
    double lane[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) lane[k] += x[i + k];
    double s = 0.0;
    for (; i < n; i++) s += x[i];
    for (int k = 0; k < 8; k++) s += lane[k];
    return s;
}

/* Sum of (x - mean)^2 over n contiguous floats. */
NN_INLINE double sum_sq_dev(const float* x, int64_t n, double mean)
{
    double lane[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) { double d = x[i + k] - mean; lane[k] += d * d; }
    double s = 0.0;
    for (; i < n; i++) { double d = x[i] - mean; s += d * d; }
    for (int k = 0; k < 8; k++) s += lane[k];
    return s;
}

/* Sums of dy and of dy * (x - mean) over n contiguous floats. */
NN_INLINE void sum_dy(const float* x, const float* dy, int64_t n, double mean, double* s_dy, double* s_dyx)
{
    double a[8] = {0}, b[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) { a[k] += dy[i + k]; b[k] += dy[i + k] * (x[i + k] - mean); }
    double sa = 0.0, sb = 0.0;
    for (; i < n; i++) { sa += dy[i]; sb += dy[i] * (x[i] - mean); }
    for (int k = 0; k < 8; k++) { sa += a[k]; sb += b[k]; }
    *s_dy += sa;
    *s_dyx += sb;
}

int32_t cs_batchnorm_forward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* weight,
                                 const float* bias, float* running_mean, float* running_var,
                                 int32_t training, float momentum, float eps,
                                 float* y, float* save_mean, float* save_invstd)
{
    if (!x || !y || !save_mean || !save_invstd) return CS_E_NULL;
    if (!training && (!running_mean || !running_var)) return CS_E_NULL;
    if ((running_mean == 0) != (running_var == 0)) return CS_E_NULL;
    if (n < 1 || c < 1 || l < 1 || !(eps >= 0.0f) || !(momentum >= 0.0f && momentum <= 1.0f)) return CS_E_RANGE;
    const int64_t count = n * l;
    if (training && count < 2) return CS_E_RANGE;

    for (int64_t k = 0; k < c; k++) {
        double mean, var;
        if (training) {
            double s = 0.0;
            for (int64_t i = 0; i < n; i++) s += sum_f32(x + (i * c + k) * l, l);
            mean = s / (double)count;
            double q = 0.0;
            for (int64_t i = 0; i < n; i++) q += sum_sq_dev(x + (i * c + k) * l, l, mean);
            var = q / (double)count;
            if (running_mean) {
                running_mean[k] = (float)((1.0 - momentum) * running_mean[k] + momentum * mean);
                running_var[k] = (float)((1.0 - momentum) * running_var[k] + momentum * var * (double)count / (double)(count - 1));
            }
        } else {
            mean = running_mean[k];
            var = running_var[k];
        }
        /* The mean as a float plus the float remainder: x - m is exact for x near m, so subtracting
         * the remainder afterwards keeps the precision of a double mean when |mean| >> std. */
        const float m = (float)mean, m_lo = (float)(mean - (double)m);
        const float invstd = (float)(1.0 / sqrt(var + (double)eps));
        save_mean[k] = m;
        save_invstd[k] = invstd;
        const float scale = invstd * (weight ? weight[k] : 1.0f), shift = bias ? bias[k] : 0.0f;
        for (int64_t i = 0; i < n; i++) {
            const float* xs = x + (i * c + k) * l;
            float* ys = y + (i * c + k) * l;
            for (int64_t j = 0; j < l; j++) ys[j] = ((xs[j] - m) - m_lo) * scale + shift;
        }
    }
    return CS_OK;
}

int32_t cs_batchnorm_backward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* dy,
                                  const float* weight, const float* save_mean, const float* save_invstd,
                                  int32_t training, float* dx, float* dweight, float* dbias)
{
    if (!x || !dy || !save_mean || !save_invstd) return CS_E_NULL;
    if (n < 1 || c < 1 || l < 1) return CS_E_RANGE;
    const int64_t count = n * l;

    for (int64_t k = 0; k < c; k++) {
        const float m = save_mean[k], invstd = save_invstd[k], gamma = weight ? weight[k] : 1.0f;
        double s_dy = 0.0, s_dyx = 0.0;
        if (dweight || dbias || (dx && training))
            for (int64_t i = 0; i < n; i++) sum_dy(x + (i * c + k) * l, dy + (i * c + k) * l, l, m, &s_dy, &s_dyx);
        if (dweight) dweight[k] += (float)(s_dyx * invstd);
        if (dbias) dbias[k] += (float)s_dy;
        if (!dx) continue;
        /* dx += a*dy + b*(x - mean) + c0 */
        const float a = gamma * invstd;
        float b = 0.0f, c0 = 0.0f;
        if (training) {
            b = (float)(-(double)gamma * invstd * invstd * invstd * s_dyx / (double)count);
            c0 = (float)(-(double)a * s_dy / (double)count);
        }
        for (int64_t i = 0; i < n; i++) {
            const float* xs = x + (i * c + k) * l;
            const float* gs = dy + (i * c + k) * l;
            float* ds = dx + (i * c + k) * l;
            for (int64_t j = 0; j < l; j++) ds[j] += a * gs[j] + b * (xs[j] - m) + c0;
        }
    }
    return CS_OK;
}
