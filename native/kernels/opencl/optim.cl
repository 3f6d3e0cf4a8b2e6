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
