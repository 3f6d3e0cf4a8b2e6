/* Element-wise kernels: the strided binary kernel behind broadcasting, permutes, slices and sums to a
 * shape (elementwise.c on the CPU), and the contiguous unary maps with their derivatives.
 *
 * cs_elementwise: the host merges contiguous dimensions (as the CPU kernel does) and splits them into
 * "parallel" dimensions (output stride != 0: one work-item per output position) and "reduced" ones
 * (output stride 0: walked in order inside the work-item). So a sum to a shape adds its terms in the
 * CPU's row-major order, and no two work-items ever write the same output element. */

enum { EW_ADD = 0, EW_SUB, EW_MUL, EW_DIV, EW_POW, EW_MAXIMUM, EW_MINIMUM, EW_COPY_A, EW_GT_MASK, EW_EQ_MASK };

inline float cs_binary(int op, float a, float b)
{
    switch (op) {
    case EW_ADD: return a + b;
    case EW_SUB: return a - b;
    case EW_MUL: return a * b;
    case EW_DIV: return a / b;
    case EW_POW: return pow(a, b);
    case EW_MAXIMUM: return a > b || a != a ? a : b;
    case EW_MINIMUM: return a < b || a != a ? a : b;
    case EW_COPY_A: return a;
    case EW_GT_MASK: return a > b ? 1.0f : 0.0f;
    case EW_EQ_MASK: return a == b ? 1.0f : 0.0f;
    default: return 0.0f;
    }
}

#define DIM(v, d) ((d) == 0 ? (v).s0 : (d) == 1 ? (v).s1 : (d) == 2 ? (v).s2 : (d) == 3 ? (v).s3 : \
                   (d) == 4 ? (v).s4 : (d) == 5 ? (v).s5 : (d) == 6 ? (v).s6 : (v).s7)

__kernel void cs_elementwise(int op, __global float* out, long oo, __global const float* a, long ao,
                             __global const float* b, long bo, float alpha, int accumulate,
                             int npar, long8 pdims, long8 pso, long8 psa, long8 psb,
                             int nred, long8 rdims, long8 rsa, long8 rsb, long total)
{
    long g = GID0;
    if (g >= total) return;
    long o = oo, ia = ao, ib = bo;
    for (int d = npar - 1; d >= 0; d--) {
        long n = DIM(pdims, d), i = g % n;
        g /= n;
        o += i * DIM(pso, d);
        ia += i * DIM(psa, d);
        ib += i * DIM(psb, d);
    }
    float acc = accumulate ? out[o] : 0.0f;
    if (nred == 0) {
        float v = alpha * cs_binary(op, a[ia], b ? b[ib] : 0.0f);
        out[o] = accumulate ? acc + v : v;
        return;
    }
    long idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (;;) {
        long ra = ia, rb = ib;
        for (int d = 0; d < nred; d++) { ra += idx[d] * DIM(rsa, d); rb += idx[d] * DIM(rsb, d); }
        float v = alpha * cs_binary(op, a[ra], b ? b[rb] : 0.0f);
        acc = accumulate ? acc + v : v;
        int d = nred - 1;
        while (d >= 0 && ++idx[d] == DIM(rdims, d)) { idx[d] = 0; d--; }
        if (d < 0) break;
    }
    out[o] = acc;
}

enum { U_NEG = 0, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_SIGMOID, U_TANH, U_GELU, U_ELU, U_LEAKY_RELU, U_POW, U_CLAMP, U_AFFINE };

inline float cs_sigmoid(float v)
{
    if (v >= 0.0f) return 1.0f / (1.0f + exp(-v));
    float e = exp(v);
    return e / (1.0f + e);
}

__kernel void cs_unary(int op, long n, __global const float* x, long xo, __global float* y, long yo, float alpha, float beta)
{
    long i = GID0;
    if (i >= n) return;
    float v = x[xo + i], r;
    switch (op) {
    case U_NEG: r = -v; break;
    case U_EXP: r = exp(v); break;
    case U_LOG: r = log(v); break;
    case U_SQRT: r = sqrt(v); break;
    case U_ABS: r = fabs(v); break;
    case U_RELU: r = v <= 0.0f ? 0.0f : v; break;  /* NaN passes through, as in PyTorch and elementwise.c */
    case U_SIGMOID: r = cs_sigmoid(v); break;
    case U_TANH: r = tanh(v); break;
    case U_GELU: r = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f)); break;
    case U_ELU: r = v > 0.0f ? v : alpha * expm1(v); break;
    case U_LEAKY_RELU: r = v > 0.0f ? v : alpha * v; break;
    case U_POW: r = pow(v, alpha); break;
    case U_CLAMP: { float c = v < alpha ? alpha : v; r = c > beta ? beta : c; } break;
    case U_AFFINE: r = alpha * v + beta; break;
    default: r = 0.0f; break;
    }
    y[yo + i] = r;
}

__kernel void cs_unary_backward(int op, long n, __global const float* x, long xo, __global const float* y, long yo,
                                __global const float* dy, long dyo, __global float* dx, long dxo, float alpha, float beta)
{
    long i = GID0;
    if (i >= n) return;
    float v = x[xo + i], out = y[yo + i], g = dy[dyo + i], d;
    switch (op) {
    case U_NEG: d = -g; break;
    case U_EXP: d = g * out; break;
    case U_LOG: d = g / v; break;
    case U_SQRT: d = g * 0.5f / out; break;
    case U_ABS: d = v > 0.0f ? g : v < 0.0f ? -g : 0.0f; break;
    case U_RELU: d = v <= 0.0f ? 0.0f : g; break;  /* PyTorch's threshold_backward: NaN passes the gradient on */
    case U_SIGMOID: d = g * out * (1.0f - out); break;
    case U_TANH: d = g * (1.0f - out * out); break;
    case U_GELU: {
        float cdf = 0.5f * (1.0f + erf(v * 0.70710678118654752f));
        float pdf = 0.39894228040143268f * exp(-0.5f * v * v);
        d = g * (cdf + v * pdf);
    } break;
    case U_ELU: d = v > 0.0f ? g : g * (out + alpha); break;
    case U_LEAKY_RELU: d = v > 0.0f ? g : alpha * g; break;
    case U_POW: d = g * alpha * pow(v, alpha - 1.0f); break;
    case U_CLAMP: d = v >= alpha && v <= beta ? g : 0.0f; break;
    case U_AFFINE: d = alpha * g; break;
    default: d = 0.0f; break;
    }
    dx[dxo + i] += d;
}
