/* Fused optimizer updates, one work-item per parameter element (formulas in optim.c). */

__kernel void cs_sgd_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* buf, long bo,
                          float lr, float momentum, float dampening, float weightDecay, int nesterov, int maximize, int firstStep)
{
    long i = GID0;
    if (i >= n) return;
    const float sign = maximize ? -1.0f : 1.0f, pi = p[po + i];
    float g = sign * grad[go + i] + weightDecay * pi;
    if (momentum != 0.0f) {
        float b = firstStep ? g : momentum * buf[bo + i] + (1.0f - dampening) * g;
        buf[bo + i] = b;
        g = nesterov ? g + momentum * b : b;
    }
    p[po + i] = pi - lr * g;
}

__kernel void cs_adam_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* m, long mo,
                           __global float* v, long vo, __global float* vmax, long vmo, float lr, float beta1, float beta2, float eps,
                           float weightDecay, float biasCorrection1, float biasCorrection2, int decoupled, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    const float sign = maximize ? -1.0f : 1.0f;
    const float stepSize = lr / biasCorrection1, invSqrtBc2 = 1.0f / sqrt(biasCorrection2);
    const float decay = decoupled ? 1.0f - lr * weightDecay : 1.0f, coupled = decoupled ? 0.0f : weightDecay;
    const float p0 = p[po + i];
    float pi = p0 * decay;
    float g = sign * grad[go + i] + coupled * p0;
    float mi = beta1 * m[mo + i] + (1.0f - beta1) * g;
    float vi = beta2 * v[vo + i] + (1.0f - beta2) * g * g;
    m[mo + i] = mi;
    v[vo + i] = vi;
    if (vmax) { float old = vmax[vmo + i]; vi = old > vi ? old : vi; vmax[vmo + i] = vi; }
    p[po + i] = pi - stepSize * mi / (sqrt(vi) * invSqrtBc2 + eps);
}

__kernel void cs_adamax_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* m, long mo,
                             __global float* u, long uo, float lr, float beta1, float beta2, float eps, float weightDecay,
                             float biasCorrection1, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    const float sign = maximize ? -1.0f : 1.0f, clr = lr / biasCorrection1, pi = p[po + i];
    float g = sign * grad[go + i] + weightDecay * pi;
    float mi = beta1 * m[mo + i] + (1.0f - beta1) * g;
    float a = fabs(g) + eps, b = beta2 * u[uo + i];
    float ui = b > a ? b : a;
    m[mo + i] = mi;
    u[uo + i] = ui;
    p[po + i] = pi - clr * mi / ui;
}

__kernel void cs_rmsprop_step(long n, __global float* p, long po, __global const float* grad, long go, __global float* v, long vo,
                              __global float* gradAvg, long gao, __global float* buf, long bo, float lr, float alpha, float eps,
                              float weightDecay, float momentum, int maximize)
{
    long i = GID0;
    if (i >= n) return;
    const float sign = maximize ? -1.0f : 1.0f, pi = p[po + i];
    float g = sign * grad[go + i] + weightDecay * pi;
    float vi = alpha * v[vo + i] + (1.0f - alpha) * g * g;
    v[vo + i] = vi;
    float avg;
    if (gradAvg) {
        float ga = alpha * gradAvg[gao + i] + (1.0f - alpha) * g;
        gradAvg[gao + i] = ga;
        avg = sqrt(vi - ga * ga) + eps;
    } else {
        avg = sqrt(vi) + eps;
    }
    if (momentum != 0.0f) {
        float b = momentum * buf[bo + i] + g / avg;
        buf[bo + i] = b;
        p[po + i] = pi - lr * b;
    } else {
        p[po + i] = pi - lr * g / avg;
    }
}
