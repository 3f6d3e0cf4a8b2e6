/* Gather and scatter-add along one dimension (index.c): the same (outer, n, inner) / (outer, k, inner) views. */

__kernel void cs_gather_along(long outer, long n, long inner, long k, __global const float* x, long xo,
                              __global const float* index, long io, __global float* y, long yo)
{
    long t = GID0;
    if (t >= outer * k * inner) return;
    long o = t / (k * inner), i = t % inner;
    float f = index[io + t];
    long at = (long)f;
    if (!(f >= 0.0f) || at >= n) return;  /* the host checks every index first; never read outside x */
    y[yo + t] = x[xo + (o * n + at) * inner + i];
}

/* One work-item per (o, i) walks j in the CPU's order, so repeated indices add deterministically without atomics. */
__kernel void cs_scatter_add_along(long outer, long n, long inner, long k, __global const float* g, long go,
                                   __global const float* index, long io, __global float* dx, long dxo)
{
    long t = GID0;
    if (t >= outer * inner) return;
    long o = t / inner, i = t % inner;
    for (long j = 0; j < k; j++) {
        long e = (o * k + j) * inner + i;
        float f = index[io + e];
        long at = (long)f;
        if (!(f >= 0.0f) || at >= n) continue;
        dx[dxo + (o * n + at) * inner + i] += g[go + e];
    }
}
