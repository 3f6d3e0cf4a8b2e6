/* Fused optimizer updates, one work-item per parameter element; the updates are shared/optim.h's bodies,
 * the CPU's (optim.c) too. */

__kernel void cs_sgd_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* buf, long bo,
                          float lr, float momentum, float dampening, float weightDecay, int nesterov, int maximize, int firstStep)
{
    long i = GID0;
    if (i >= n) return;
    cs_sgd_update(i, p + po, grad + go, buf ? buf + bo : buf, lr, momentum, dampening, weightDecay, nesterov,
                  maximize ? -1.0f : 1.0f, firstStep);
}

__kernel void cs_adam_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* m, long mo,
                           __global float* v, long vo, __global float* vmax, long vmo, float lr, float beta1, float beta2, float eps,
                           float weightDecay, float biasCorrection1, float biasCorrection2, int decoupled, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    const float decay = decoupled ? 1.0f - lr * weightDecay : 1.0f, coupled = decoupled ? 0.0f : weightDecay;
    cs_adam_update(i, p + po, grad + go, m + mo, v + vo, vmax ? vmax + vmo : vmax, beta1, beta2, eps, maximize ? -1.0f : 1.0f,
                   decay, coupled, lr / biasCorrection1, 1.0f / sqrt(biasCorrection2));
}

__kernel void cs_adamax_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* m, long mo,
                             __global float* u, long uo, float lr, float beta1, float beta2, float eps, float weightDecay,
                             float biasCorrection1, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    cs_adamax_update(i, p + po, grad + go, m + mo, u + uo, beta1, beta2, eps, weightDecay, maximize ? -1.0f : 1.0f,
                     lr / biasCorrection1);
}

__kernel void cs_rmsprop_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* v, long vo,
                              __global float* gradAvg, long gao, __global float* buf, long bo, float lr, float alpha, float eps,
                              float weightDecay, float momentum, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    cs_rmsprop_update(i, p + po, grad + go, v + vo, gradAvg ? gradAvg + gao : gradAvg, buf ? buf + bo : buf, lr, alpha, eps,
                      weightDecay, momentum, maximize ? -1.0f : 1.0f);
}

/* Multi-tensor steps (PyTorch's "foreach" optimizers): one launch updates up to CS_MULTI parameters with the same
 * hyper-parameters. The work-items run over the parameters' elements back to back: ends.sK is where parameter K's
 * elements end in that flat range (unused slots repeat the last end, so no item selects them). Each slot passes the
 * parameter, its gradient and three state slices (NULL where the kind does not use one). */
#define CS_MULTI 8
#define CS_SLOT_ARGS(k) , __global float* p##k, long po##k, __global float* g##k, long go##k, __global float* a##k, long ao##k, \
                          __global float* b##k, long bo##k, __global float* c##k, long co##k
#define CS_SLOTS CS_SLOT_ARGS(0) CS_SLOT_ARGS(1) CS_SLOT_ARGS(2) CS_SLOT_ARGS(3) CS_SLOT_ARGS(4) CS_SLOT_ARGS(5) \
                 CS_SLOT_ARGS(6) CS_SLOT_ARGS(7)
#define CS_SLOT_PICK(k) case k: p = p##k + po##k; g = g##k + go##k; a = a##k ? a##k + ao##k : a##k; \
                                b = b##k ? b##k + bo##k : b##k; c = c##k ? c##k + co##k : c##k; break;
/* Finds the slot of flat item GID0 and its element index j there, or returns. */
#define CS_SLOT_SELECT                                                                                   \
    const long i = GID0;                                                                                 \
    const long e[CS_MULTI] = { ends.s0, ends.s1, ends.s2, ends.s3, ends.s4, ends.s5, ends.s6, ends.s7 }; \
    int s = 0;                                                                                           \
    long start = 0;                                                                                      \
    while (s < CS_MULTI && i >= e[s]) start = e[s++];                                                    \
    if (s == CS_MULTI) return;                                                                           \
    const long j = i - start;                                                                            \
    __global float *p = 0, *g = 0, *a = 0, *b = 0, *c = 0;                                               \
    switch (s) { CS_SLOT_PICK(0) CS_SLOT_PICK(1) CS_SLOT_PICK(2) CS_SLOT_PICK(3) CS_SLOT_PICK(4)         \
                 CS_SLOT_PICK(5) CS_SLOT_PICK(6) CS_SLOT_PICK(7) }

__kernel void cs_sgd_step_multi(long8 ends, float lr, float momentum, float dampening, float weightDecay, int nesterov, int maximize,
                                int firstStep CS_SLOTS)
{
    CS_SLOT_SELECT
    cs_sgd_update(j, p, g, a, lr, momentum, dampening, weightDecay, nesterov, maximize ? -1.0f : 1.0f, firstStep);
}

__kernel void cs_adam_step_multi(long8 ends, float lr, float beta1, float beta2, float eps, float weightDecay, float biasCorrection1,
                                 float biasCorrection2, int decoupled, int maximize CS_SLOTS)
{
    CS_SLOT_SELECT
    const float decay = decoupled ? 1.0f - lr * weightDecay : 1.0f, coupled = decoupled ? 0.0f : weightDecay;
    cs_adam_update(j, p, g, a, b, c, beta1, beta2, eps, maximize ? -1.0f : 1.0f, decay, coupled, lr / biasCorrection1,
                   1.0f / sqrt(biasCorrection2));
}

__kernel void cs_adamax_step_multi(long8 ends, float lr, float beta1, float beta2, float eps, float weightDecay, float biasCorrection1,
                                   int maximize CS_SLOTS)
{
    CS_SLOT_SELECT
    cs_adamax_update(j, p, g, a, b, beta1, beta2, eps, weightDecay, maximize ? -1.0f : 1.0f, lr / biasCorrection1);
}

__kernel void cs_rmsprop_step_multi(long8 ends, float lr, float alpha, float eps, float weightDecay, float momentum, int maximize CS_SLOTS)
{
    CS_SLOT_SELECT
    cs_rmsprop_update(j, p, g, a, b, c, lr, alpha, eps, weightDecay, momentum, maximize ? -1.0f : 1.0f);
}
