/* NN layer kernels (softmax.c, losses.c, batchnorm.c, dropout.c on the CPU; formulas in cs_nn.h).
 * Layout (outer, n, inner): the reduced axis has n entries, inner apart. Class losses: scores (N, C, inner),
 * targets (N, inner); reductions 0 none, 1 mean, 2 sum (CS_REDUCTION_*). */

enum { RED_NONE = 0, RED_MEAN = 1, RED_SUM = 2 };

/* One work-item per (o, i): the three passes of a numerically stable softmax along n. */
__kernel void cs_softmax(long outer, long n, long inner, __global const float* x, long xo, __global float* y, long yo, int logMode)
{
    long t = GID0;
    if (t >= outer * inner) return;
    long base = (t / inner) * n * inner + t % inner;
    __global const float* xs = x + xo + base;
    __global float* ys = y + yo + base;
    float m = xs[0];
    for (long k = 1; k < n; k++) m = xs[k * inner] > m ? xs[k * inner] : m;
    float s = 0.0f;
    for (long k = 0; k < n; k++) s += exp(xs[k * inner] - m);
    if (logMode) {
        float lse = m + log(s);
        for (long k = 0; k < n; k++) ys[k * inner] = xs[k * inner] - lse;
    } else {
        float inv = 1.0f / s;
        for (long k = 0; k < n; k++) ys[k * inner] = exp(xs[k * inner] - m) * inv;
    }
}

__kernel void cs_softmax_backward(long outer, long n, long inner, __global const float* y, long yo, __global const float* dy, long dyo,
                                  __global float* dx, long dxo, int logMode)
{
    long t = GID0;
    if (t >= outer * inner) return;
    long base = (t / inner) * n * inner + t % inner;
    __global const float* ys = y + yo + base;
    __global const float* gs = dy + dyo + base;
    __global float* ds = dx + dxo + base;
    float s = 0.0f;
    for (long k = 0; k < n; k++) s += logMode ? gs[k * inner] : gs[k * inner] * ys[k * inner];
    for (long k = 0; k < n; k++) {
        long at = k * inner;
        ds[at] += logMode ? gs[at] - exp(ys[at]) * s : ys[at] * (gs[at] - s);
    }
}

#define nn_class_of cs_class_of  /* shared/losses.h */

/* result[0] = min position holding a bad class index (the host fills it with INT_MAX first). */
__kernel void cs_find_invalid_class(__global const float* target, long to, long count, long classes, long ignoreIndex,
                                    __global int* result)
{
    long i = GID0;
    if (i >= count) return;
    if (nn_class_of(target[to + i], classes, ignoreIndex) == -2) atomic_min(result, (int)i);
}

inline float nn_weight(__global const float* w, long wo, long k) { return w ? w[wo + k] : 1.0f; }

/* Per position (i, j): the smoothed NLL term and its class weight; written to loss (no reduction) or to
 * terms[2·at], terms[2·at + 1] for cs_class_loss_total. With `invalid` (the deferred class-index check, set to INT_MAX
 * before), the first position whose target is not a class index is left there (atomic_min), and it adds nothing. */
__kernel void cs_class_loss_terms(long n, long c, long inner, __global const float* logp, long lo,
                                  __global const float* target, long to, __global const float* weight, long wo,
                                  long ignoreIndex, float labelSmoothing, int reduction,
                                  __global float* loss, long losso, __global float* terms, __global int* invalid)
{
    long at = GID0;
    if (at >= n * inner) return;
    long i = at / inner, j = at % inner;
    __global const float* lp = logp + lo + i * c * inner + j;
    const acc_t keep = ACC(1.0) - (acc_t)labelSmoothing, spread = (acc_t)labelSmoothing / (acc_t)c;
    long cls = nn_class_of(target[to + at], c, ignoreIndex);
    if (cls == -2 && invalid) atomic_min(invalid, (int)at);
    acc_t value = 0, wt = 0;
    if (cls >= 0) {
        wt = nn_weight(weight, wo, cls);
        value = -keep * wt * lp[cls * inner];
        if (labelSmoothing > 0.0f) {
            acc_t smooth = 0;
            for (long k = 0; k < c; k++) smooth += (acc_t)nn_weight(weight, wo, k) * lp[k * inner];
            value -= spread * smooth;
        }
    }
    if (reduction == RED_NONE) loss[losso + at] = (float)value;
    else { terms[2 * at] = (float)value; terms[2 * at + 1] = (float)wt; }
}

/* One work-item: the sum (or weighted mean) of the terms, in position order as on the CPU. */
__kernel void cs_class_loss_total(long count, int reduction, __global const float* terms, __global float* loss, long losso)
{
    if (get_global_id(0) != 0) return;
    acc_t total = 0, wsum = 0;
    for (long i = 0; i < count; i++) { total += terms[2 * i]; wsum += terms[2 * i + 1]; }
    loss[losso] = reduction == RED_SUM ? (float)total : (float)(total / wsum);
}

/* One work-item: scratch[0] = the MEAN reduction's 1/Σw[t] (1 otherwise), scratch[1] = Σ_k w[k] (or c). */
__kernel void cs_class_loss_scales(long count, long c, __global const float* target, long to, __global const float* weight, long wo,
                                   long ignoreIndex, int reduction, __global float* scratch)
{
    if (get_global_id(0) != 0) return;
    acc_t wsum = 0, total = 0;
    for (long i = 0; i < count; i++) {
        long k = nn_class_of(target[to + i], c, ignoreIndex);
        if (k >= 0) wsum += nn_weight(weight, wo, k);
    }
    for (long k = 0; k < c; k++) total += nn_weight(weight, wo, k);
    scratch[0] = reduction == RED_MEAN ? (float)(ACC(1.0) / wsum) : 1.0f;
    scratch[1] = (float)total;
}

inline float nn_upstream(__global const float* dloss, long dlo, int reduction, long at, float meanScale)
{
    return reduction == RED_NONE ? dloss[dlo + at] : dloss[dlo] * meanScale;
}

/* dlogits += g·(A·softmax − a) per position; one work-item owns the c scores of its position. */
__kernel void cs_cross_entropy_backward(long n, long c, long inner, __global const float* logp, long lo,
                                        __global const float* target, long to, __global const float* weight, long wo,
                                        long ignoreIndex, float labelSmoothing, int reduction,
                                        __global const float* dloss, long dlo, __global const float* scales,
                                        __global float* dx, long dxo)
{
    long at = GID0;
    if (at >= n * inner) return;
    long cls = nn_class_of(target[to + at], c, ignoreIndex);
    if (cls < 0) return;
    long i = at / inner, j = at % inner;
    const float keep = 1.0f - labelSmoothing, spread = labelSmoothing / (float)c;
    const float g = nn_upstream(dloss, dlo, reduction, at, scales[0]), wt = nn_weight(weight, wo, cls);
    const float gAll = g * (keep * wt + spread * scales[1]), gSpread = g * spread;
    __global const float* lp = logp + lo + i * c * inner + j;
    __global float* d = dx + dxo + i * c * inner + j;
    for (long k = 0; k < c; k++) d[k * inner] += gAll * exp(lp[k * inner]) - gSpread * nn_weight(weight, wo, k);
    d[cls * inner] -= g * keep * wt;
}

__kernel void cs_nll_loss_backward(long n, long c, long inner, __global const float* target, long to,
                                   __global const float* weight, long wo, long ignoreIndex, float labelSmoothing, int reduction,
                                   __global const float* dloss, long dlo, __global const float* scales, __global float* dx, long dxo)
{
    long at = GID0;
    if (at >= n * inner) return;
    long cls = nn_class_of(target[to + at], c, ignoreIndex);
    if (cls < 0) return;
    long i = at / inner, j = at % inner;
    const float keep = 1.0f - labelSmoothing, spread = labelSmoothing / (float)c;
    const float g = nn_upstream(dloss, dlo, reduction, at, scales[0]);
    __global float* d = dx + dxo + i * c * inner + j;
    if (labelSmoothing > 0.0f)
        for (long k = 0; k < c; k++) d[k * inner] -= g * spread * nn_weight(weight, wo, k);
    d[cls * inner] -= g * keep * nn_weight(weight, wo, cls);
}

/* ---- binary cross-entropy ---- */

__kernel void cs_bce_check(long count, __global const float* x, long xo, __global const float* t, long to, __global int* result)
{
    long i = GID0;
    if (i >= count) return;
    float xv = x[xo + i], tv = t[to + i];
    if (!(xv >= 0.0f && xv <= 1.0f && tv >= 0.0f && tv <= 1.0f)) atomic_min(result, (int)i);
}

__kernel void cs_bce(long count, __global const float* x, long xo, __global const float* t, long to, __global float* loss, long lso)
{
    long i = GID0;
    if (i >= count) return;
    float xv = x[xo + i], tv = t[to + i];
    loss[lso + i] = cs_bce_loss(xv, tv);
}

__kernel void cs_bce_backward(long count, __global const float* x, long xo, __global const float* t, long to,
                              __global const float* dy, long dyo, __global float* dx, long dxo, __global float* dt, long dto)
{
    long i = GID0;
    if (i >= count) return;
    float xv = x[xo + i], tv = t[to + i], g = dy[dyo + i];
    if (dx) dx[dxo + i] += cs_bce_dx(xv, tv, g);
    if (dt) dt[dto + i] += cs_bce_dt(xv, g);
}

__kernel void cs_bce_logits(long count, __global const float* x, long xo, __global const float* t, long to,
                            __global const float* pw, long pwo, __global float* loss, long lso)
{
    long i = GID0;
    if (i >= count) return;
    float xv = x[xo + i], tv = t[to + i];
    loss[lso + i] = cs_bce_logits_loss(xv, tv, pw ? pw[pwo + i] : 1.0f);
}

__kernel void cs_bce_logits_backward(long count, __global const float* x, long xo, __global const float* t, long to,
                                     __global const float* pw, long pwo, __global const float* dy, long dyo,
                                     __global float* dx, long dxo, __global float* dt, long dto, __global float* dpw, long dpwo)
{
    long i = GID0;
    if (i >= count) return;
    float xv = x[xo + i], tv = t[to + i], g = dy[dyo + i], p = pw ? pw[pwo + i] : 1.0f;
    if (dx) dx[dxo + i] += cs_bce_logits_dx(xv, tv, p, g);
    if (dt) dt[dto + i] += cs_bce_logits_dt(xv, p, g);
    if (dpw) dpw[dpwo + i] += cs_bce_logits_dpw(xv, tv, g);
}

/* ---- batch norm over (n, c, l): one work-group of BN_GROUP items per channel for the statistics ---- */
#define BN_GROUP 64

inline acc_t bn_group_sum(__local acc_t* part, acc_t v)
{
    const int l = get_local_id(0);
    part[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = BN_GROUP / 2; w > 0; w >>= 1) {
        if (l < w) part[l] += part[l + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    acc_t s = part[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return s;
}

__kernel __attribute__((reqd_work_group_size(BN_GROUP, 1, 1)))
void cs_batchnorm_stats(long n, long c, long l, __global const float* x, long xo,
                        __global float* runMean, long rmo, __global float* runVar, long rvo,
                        int training, float momentum, float eps, __global float* saveMean, long smo, __global float* saveInvStd, long sio,
                        __global float* shift)
{
    __local acc_t part[BN_GROUP];
    const long k = get_group_id(0), lid = get_local_id(0), count = n * l;
    acc_t mean, var;
    if (training) {
        acc_t s = 0;
        for (long e = lid; e < count; e += BN_GROUP) s += x[xo + ((e / l) * c + k) * l + e % l];
        mean = bn_group_sum(part, s) / (acc_t)count;
        acc_t q = 0;
        for (long e = lid; e < count; e += BN_GROUP) { acc_t d = x[xo + ((e / l) * c + k) * l + e % l] - mean; q += d * d; }
        var = bn_group_sum(part, q) / (acc_t)count;
    } else {
        mean = runMean[rmo + k];
        var = runVar[rvo + k];
    }
    if (lid != 0) return;
    if (training && runMean) {
        runMean[rmo + k] = (float)((ACC(1.0) - momentum) * runMean[rmo + k] + momentum * mean);
        runVar[rvo + k] = (float)((ACC(1.0) - momentum) * runVar[rvo + k] + momentum * var * (acc_t)count / (acc_t)(count - 1));
    }
    const float m = (float)mean;
    saveMean[smo + k] = m;
    saveInvStd[sio + k] = (float)(ACC(1.0) / sqrt(var + (acc_t)eps));
    shift[k] = (float)(mean - (acc_t)m);  /* the float remainder of the mean, as on the CPU */
}

__kernel void cs_batchnorm_apply(long n, long c, long l, __global const float* x, long xo, __global const float* weight, long wo,
                                 __global const float* bias, long bo, __global const float* saveMean, long smo,
                                 __global const float* saveInvStd, long sio, __global const float* shift, __global float* y, long yo)
{
    long t = GID0;
    if (t >= n * c * l) return;
    long k = (t / l) % c;
    const float scale = saveInvStd[sio + k] * (weight ? weight[wo + k] : 1.0f), b = bias ? bias[bo + k] : 0.0f;
    y[yo + t] = ((x[xo + t] - saveMean[smo + k]) - shift[k]) * scale + b;
}

/* Per channel: Σdy and Σdy·(x − mean) into dweight/dbias, and the dx coefficients a, b, c0 into coef[3k..]. */
__kernel __attribute__((reqd_work_group_size(BN_GROUP, 1, 1)))
void cs_batchnorm_backward_stats(long n, long c, long l, __global const float* x, long xo, __global const float* dy, long dyo,
                                 __global const float* weight, long wo, __global const float* saveMean, long smo,
                                 __global const float* saveInvStd, long sio, int training,
                                 __global float* dweight, long dwo, __global float* dbias, long dbo, __global float* coef)
{
    __local acc_t part[BN_GROUP];
    const long k = get_group_id(0), lid = get_local_id(0), count = n * l;
    const float m = saveMean[smo + k], invstd = saveInvStd[sio + k], gamma = weight ? weight[wo + k] : 1.0f;
    acc_t sdy = 0, sdyx = 0;
    for (long e = lid; e < count; e += BN_GROUP) {
        long at = ((e / l) * c + k) * l + e % l;
        float g = dy[dyo + at];
        sdy += g;
        sdyx += g * (x[xo + at] - m);
    }
    sdy = bn_group_sum(part, sdy);
    sdyx = bn_group_sum(part, sdyx);
    if (lid != 0) return;
    if (dweight) dweight[dwo + k] += (float)(sdyx * invstd);
    if (dbias) dbias[dbo + k] += (float)sdy;
    const float a = gamma * invstd;
    float b = 0.0f, c0 = 0.0f;
    if (training) {
        b = (float)(-(acc_t)gamma * invstd * invstd * invstd * sdyx / (acc_t)count);
        c0 = (float)(-(acc_t)a * sdy / (acc_t)count);
    }
    coef[3 * k] = a;
    coef[3 * k + 1] = b;
    coef[3 * k + 2] = c0;
}

__kernel void cs_batchnorm_backward_apply(long n, long c, long l, __global const float* x, long xo, __global const float* dy, long dyo,
                                          __global const float* saveMean, long smo, __global const float* coef, __global float* dx, long dxo)
{
    long t = GID0;
    if (t >= n * c * l) return;
    long k = (t / l) % c;
    dx[dxo + t] += coef[3 * k] * dy[dyo + t] + coef[3 * k + 1] * (x[xo + t] - saveMean[smo + k]) + coef[3 * k + 2];
}

/* ---- dropout: Philox-4x32-10 keyed by the 64-bit key, block g/4, word g%4 (shared/philox.h) ---- */

__kernel void cs_dropout_mask(long groups, ulong key, uint threshold, float scale, __global float* mask, long mo)
{
    long g = GID0;
    if (g >= groups) return;
    mask[mo + g] = cs_dropout_mask_value(cs_philox_word((ulong)g / 4, key, (int)(g % 4)), threshold, scale);
}

__kernel void cs_dropout_apply(long count, long groupSize, __global const float* x, long xo, __global const float* mask, long mo,
                               __global float* y, long yo)
{
    long i = GID0;
    if (i >= count) return;
    y[yo + i] = x[xo + i] * mask[mo + i / groupSize];
}

__kernel void cs_dropout_backward(long count, long groupSize, __global const float* mask, long mo, __global const float* dy, long dyo,
                                  __global float* dx, long dxo)
{
    long i = GID0;
    if (i >= count) return;
    dx[dxo + i] += dy[dyo + i] * mask[mo + i / groupSize];
}
