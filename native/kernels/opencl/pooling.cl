/* Pooling (pooling.c on the CPU; window rule and argmax convention in cs_pooling.h). The geometry of a
 * max/avg/Lp pool travels as an int16: s0..s3 N C H W, s4 s5 KH KW, s6 s7 SH SW, s8 s9 PH PW,
 * sa sb DH DW, sc sd OH OW. Forward kernels: one work-item per output, taps in row-major window order
 * (the CPU's order, so ties and sums agree). Backward kernels gather: one work-item per input element
 * adds the outputs whose window holds it; the max-pool backward, whose indices may repeat, gives each
 * plane to one work-item, which adds in output order as the CPU does. Argmax offsets are int32 bits
 * in a float buffer, read and written here through an int pointer. */

/* Window bounds, divisors, comparisons and Lp windows: native/kernels/shared/pool.h (the CPU's too). */

__kernel void cs_max_pool2d(__global const float* x, long xo, int16 g, __global float* y, long yo,
                            __global int* idx, long io, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s2, W = g.s3, OH = g.sc, OW = g.sd;
    long ow = t % OW, oh = (t / OW) % OH, p = t / (OW * OH);
    __global const float* xp = x + xo + p * H * W;
    const long hstart = oh * g.s6 - g.s8, wstart = ow * g.s7 - g.s9;
    long r0, r1, s0, s1;
    cs_pool_tap_range(hstart, g.s4, g.sa, H, &r0, &r1);
    cs_pool_tap_range(wstart, g.s5, g.sb, W, &s0, &s1);
    float m = -INFINITY;
    int k = -1;
    for (long r = r0; r < r1; r++)
        for (long s = s0; s < s1; s++) {
            const long at = (hstart + r * g.sa) * W + wstart + s * g.sb;
            const float v = xp[at];
            if (cs_beats(v, m) || k < 0) { m = v; k = (int)at; }
        }
    y[yo + t] = m;
    if (idx) idx[io + t] = k;
}

__kernel void cs_max_pool2d_backward(__global const float* dy, long dyo, __global const int* idx, long io,
                                     long planes, long inPlane, long outPlane, __global float* dx, long dxo)
{
    long p = GID0;
    if (p >= planes) return;
    __global const float* gp = dy + dyo + p * outPlane;
    __global const int* ip = idx + io + p * outPlane;
    __global float* dp = dx + dxo + p * inPlane;
    for (long o = 0; o < outPlane; o++) {
        int k = ip[o];
        if (k >= 0 && k < inPlane) dp[k] += gp[o];
    }
}

inline long pool_avg_divisor(int16 g, long hstart, long wstart, int countIncludePad, int divisorOverride)
{
    return cs_pool_avg_divisor(g.s2, g.s3, g.s4, g.s5, g.s8, g.s9, hstart, wstart, countIncludePad, divisorOverride);
}

__kernel void cs_avg_pool2d(__global const float* x, long xo, int16 g, int countIncludePad, int divisorOverride,
                            __global float* y, long yo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s2, W = g.s3, OH = g.sc, OW = g.sd;
    long ow = t % OW, oh = (t / OW) % OH, p = t / (OW * OH);
    __global const float* xp = x + xo + p * H * W;
    const long hstart = oh * g.s6 - g.s8, wstart = ow * g.s7 - g.s9;
    long r0, r1, s0, s1;
    cs_pool_tap_range(hstart, g.s4, 1, H, &r0, &r1);
    cs_pool_tap_range(wstart, g.s5, 1, W, &s0, &s1);
    float sum = 0.0f;
    for (long r = r0; r < r1; r++)
        for (long s = s0; s < s1; s++) sum += xp[(hstart + r) * W + wstart + s];
    const long d = pool_avg_divisor(g, hstart, wstart, countIncludePad, divisorOverride);
    y[yo + t] = d == 0 ? 0.0f : sum / (float)d;
}

/* Outputs o along one axis whose window [o·S − P, o·S − P + K) holds input coordinate i: [*lo, *hi). */
inline void pool_covering(long i, long K, long S, long P, long O, long* lo, long* hi)
{
    long num = i + P - K + 1;
    long a = num <= 0 ? 0 : (num + S - 1) / S;
    long b = (i + P) / S + 1;
    if (b > O) b = O;
    *lo = a;
    *hi = a > b ? a : b;
}

__kernel void cs_avg_pool2d_backward(__global const float* dy, long dyo, int16 g, int countIncludePad, int divisorOverride,
                                     __global float* dx, long dxo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s2, W = g.s3, OH = g.sc, OW = g.sd;
    long iw = t % W, ih = (t / W) % H, p = t / (W * H);
    __global const float* gp = dy + dyo + p * OH * OW;
    long oh0, oh1, ow0, ow1;
    pool_covering(ih, g.s4, g.s6, g.s8, OH, &oh0, &oh1);
    pool_covering(iw, g.s5, g.s7, g.s9, OW, &ow0, &ow1);
    float acc = dx[dxo + t];
    for (long oh = oh0; oh < oh1; oh++)
        for (long ow = ow0; ow < ow1; ow++) {
            long d = pool_avg_divisor(g, oh * g.s6 - g.s8, ow * g.s7 - g.s9, countIncludePad, divisorOverride);
            if (d != 0) acc += gp[oh * OW + ow] / (float)d;
        }
    dx[dxo + t] = acc;
}


__kernel void cs_lp_pool2d(__global const float* x, long xo, int16 g, float p, __global float* y, long yo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s2, W = g.s3, OH = g.sc, OW = g.sd;
    long ow = t % OW, oh = (t / OW) % OH, q = t / (OW * OH);
    const long hs = oh * g.s6, he = min(hs + (long)g.s4, H), ws = ow * g.s7, we = min(ws + (long)g.s5, W);
    y[yo + t] = cs_pool_lp_window(x + xo + q * H * W, W, hs, he, ws, we, p);
}

__kernel void cs_lp_pool2d_backward(__global const float* x, long xo, __global const float* dy, long dyo, int16 g, float p,
                                    __global float* dx, long dxo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s2, W = g.s3, OH = g.sc, OW = g.sd;
    long iw = t % W, ih = (t / W) % H, q = t / (W * H);
    __global const float* xp = x + xo + q * H * W;
    __global const float* gp = dy + dyo + q * OH * OW;
    long oh0, oh1, ow0, ow1;
    pool_covering(ih, g.s4, g.s6, 0, OH, &oh0, &oh1);
    pool_covering(iw, g.s5, g.s7, 0, OW, &ow0, &ow1);
    const float xv = xp[ih * W + iw];
    float acc = dx[dxo + t];
    for (long oh = oh0; oh < oh1; oh++)
        for (long ow = ow0; ow < ow1; ow++) {
            const long hs = oh * g.s6, he = min(hs + (long)g.s4, H), ws = ow * g.s7, we = min(ws + (long)g.s5, W);
            if (ih >= he || iw >= we) continue;
            float yv = cs_pool_lp_window(xp, W, hs, he, ws, we, p);
            if (p != 1.0f && yv == 0.0f) continue;
            float d = p == 1.0f ? 1.0f : p == 2.0f ? xv / yv : pow(xv / yv, p - 1.0f);
            acc += gp[oh * OW + ow] * d;
        }
    dx[dxo + t] = acc;
}


/* The max of rows [hs, he) × columns [ws, we) by the sequential rule, and its offset. */
inline float pool_window_max(__global const float* x, long W, long hs, long he, long ws, long we, int* at)
{
    float m = -INFINITY;
    int k = (int)(hs * W + ws);
    for (long ih = hs; ih < he; ih++)
        for (long iw = ws; iw < we; iw++) {
            const float v = x[ih * W + iw];
            if (cs_beats(v, m)) { m = v; k = (int)(ih * W + iw); }
        }
    *at = k;
    return m;
}

/* g4: H W OH OW. */
__kernel void cs_adaptive_max_pool2d(__global const float* x, long xo, int4 g, __global float* y, long yo,
                                     __global int* idx, long io, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    long j = t % OW, i = (t / OW) % OH, p = t / (OW * OH);
    int k;
    float m = pool_window_max(x + xo + p * H * W, W, cs_pool_adaptive_start(i, H, OH), cs_pool_adaptive_end(i, H, OH),
                              cs_pool_adaptive_start(j, W, OW), cs_pool_adaptive_end(j, W, OW), &k);
    y[yo + t] = m;
    if (idx) idx[io + t] = k;
}

__kernel void cs_adaptive_avg_pool2d(__global const float* x, long xo, int4 g, __global float* y, long yo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    long j = t % OW, i = (t / OW) % OH, p = t / (OW * OH);
    __global const float* xp = x + xo + p * H * W;
    const long hs = cs_pool_adaptive_start(i, H, OH), he = cs_pool_adaptive_end(i, H, OH);
    const long ws = cs_pool_adaptive_start(j, W, OW), we = cs_pool_adaptive_end(j, W, OW);
    float sum = 0.0f;
    for (long ih = hs; ih < he; ih++)
        for (long iw = ws; iw < we; iw++) sum += xp[ih * W + iw];
    y[yo + t] = sum / (float)((he - hs) * (we - ws));
}

__kernel void cs_adaptive_avg_pool2d_backward(__global const float* dy, long dyo, int4 g, __global float* dx, long dxo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    long iw = t % W, ih = (t / W) % H, p = t / (W * H);
    __global const float* gp = dy + dyo + p * OH * OW;
    float acc = dx[dxo + t];
    /* Windows are monotone in i, so the covering rows form one run starting near ih·OH/H. */
    for (long i = (ih * OH) / H; i < OH && cs_pool_adaptive_start(i, H, OH) <= ih; i++) {
        if (cs_pool_adaptive_end(i, H, OH) <= ih) continue;
        const long hsz = cs_pool_adaptive_end(i, H, OH) - cs_pool_adaptive_start(i, H, OH);
        for (long j = (iw * OW) / W; j < OW && cs_pool_adaptive_start(j, W, OW) <= iw; j++) {
            if (cs_pool_adaptive_end(j, W, OW) <= iw) continue;
            const long wsz = cs_pool_adaptive_end(j, W, OW) - cs_pool_adaptive_start(j, W, OW);
            acc += gp[i * OW + j] / (float)(hsz * wsz);
        }
    }
    dx[dxo + t] = acc;
}


/* g8: H W KH KW OH OW. */
__kernel void cs_fractional_max_pool2d(__global const float* x, long xo, int8 g, __global const float* samples, long so,
                                       __global float* y, long yo, __global int* idx, long io, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long H = g.s0, W = g.s1, KH = g.s2, KW = g.s3, OH = g.s4, OW = g.s5;
    long j = t % OW, i = (t / OW) % OH, p = t / (OW * OH);
    const float uw = samples[so + 2 * p], uh = samples[so + 2 * p + 1];
    const long hs = cs_pool_fractional_start(uh, i, H, OH, KH), ws = cs_pool_fractional_start(uw, j, W, OW, KW);
    int k;
    float m = pool_window_max(x + xo + p * H * W, W, hs, hs + KH, ws, ws + KW, &k);
    y[yo + t] = m;
    if (idx) idx[io + t] = k;
}
