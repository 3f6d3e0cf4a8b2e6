/* Element-wise kernels: the strided binary kernel behind broadcasting, permutes, slices and sums to a
 * shape (elementwise.c on the CPU), and the contiguous unary maps with their derivatives.
 *
 * cs_elementwise: the host merges contiguous dimensions (as the CPU kernel does) and splits them into
 * "parallel" dimensions (output stride != 0: one work-item per output position) and "reduced" ones
 * (output stride 0: walked in order inside the work-item). So a sum to a shape adds its terms in the
 * CPU's row-major order, and no two work-items ever write the same output element. */

/* cs_binary_apply, cs_unary_forward and cs_unary_backward_term: native/kernels/shared/binary.h and unary.h. */

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
        float v = alpha * cs_binary_apply(op, a[ia], b ? b[ib] : 0.0f);
        out[o] = accumulate ? acc + v : v;
        return;
    }
    long idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (;;) {
        long ra = ia, rb = ib;
        for (int d = 0; d < nred; d++) { ra += idx[d] * DIM(rsa, d); rb += idx[d] * DIM(rsb, d); }
        float v = alpha * cs_binary_apply(op, a[ra], b ? b[rb] : 0.0f);
        acc = accumulate ? acc + v : v;
        int d = nred - 1;
        while (d >= 0 && ++idx[d] == DIM(rdims, d)) { idx[d] = 0; d--; }
        if (d < 0) break;
    }
    out[o] = acc;
}

__kernel void cs_unary(int op, long n, __global const float* x, long xo, __global float* y, long yo, float alpha, float beta)
{
    long i = GID0;
    if (i < n) y[yo + i] = cs_unary_forward(op, x[xo + i], alpha, beta);
}

__kernel void cs_unary_backward(int op, long n, __global const float* x, long xo, __global const float* y, long yo,
                                __global const float* dy, long dyo, __global float* dx, long dxo, float alpha, float beta)
{
    long i = GID0;
    if (i < n) dx[dxo + i] += cs_unary_backward_term(op, x[xo + i], y[yo + i], dy[dyo + i], alpha, beta);
}
