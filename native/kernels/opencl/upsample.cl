/* Nearest and bilinear upsampling (upsample.c) with PyTorch's source-index rules. The backward gathers:
 * each input element adds the share of every output that reads it (rows and columns found by scanning
 * the index rule, which is cheap next to the memory traffic). */

/* Output coordinate o of an axis: the two source indices and the weight of the second. */
inline void up_axis(long o, long in, float scale, int bilinear, int alignCorners, long* i0, long* i1, float* lambda)
{
    if (!bilinear) {
        long s = (long)floor((float)o * scale);
        *i0 = *i1 = s < in - 1 ? s : in - 1;
        *lambda = 0.0f;
        return;
    }
    float s = alignCorners ? (float)o * scale : ((float)o + 0.5f) * scale - 0.5f;
    if (!alignCorners && s < 0.0f) s = 0.0f;
    long a = (long)s;
    if (a > in - 1) a = in - 1;
    *i0 = a;
    *i1 = a < in - 1 ? a + 1 : a;
    *lambda = s - (float)a;
}

/* g: planes, H, W, OH, OW as a long8 (s0..s4); flags: s0 bilinear, s1 align corners. */
__kernel void cs_upsample(long8 g, float scaleH, float scaleW, int2 flags, __global const float* x, long xo, __global float* y, long yo)
{
    long t = GID0;
    const long P = g.s0, H = g.s1, W = g.s2, OH = g.s3, OW = g.s4;
    if (t >= P * OH * OW) return;
    long j = t % OW, i = (t / OW) % OH, p = t / (OW * OH);
    long h0, h1, w0, w1;
    float lh, lw;
    up_axis(i, H, scaleH, flags.s0, flags.s1, &h0, &h1, &lh);
    up_axis(j, W, scaleW, flags.s0, flags.s1, &w0, &w1, &lw);
    __global const float* xp = x + xo + p * H * W;
    const float a = 1.0f - lh, b = lh, c = 1.0f - lw, d = lw;
    __global const float* r0 = xp + h0 * W;
    __global const float* r1 = xp + h1 * W;
    y[yo + t] = a * (c * r0[w0] + d * r0[w1]) + b * (c * r1[w0] + d * r1[w1]);
}

__kernel void cs_upsample_backward(long8 g, float scaleH, float scaleW, int2 flags, __global const float* dy, long dyo,
                                   __global float* dx, long dxo)
{
    long t = GID0;
    const long P = g.s0, H = g.s1, W = g.s2, OH = g.s3, OW = g.s4;
    if (t >= P * H * W) return;
    long iw = t % W, ih = (t / W) % H, p = t / (W * H);
    __global const float* gp = dy + dyo + p * OH * OW;
    float acc = dx[dxo + t];
    for (long i = 0; i < OH; i++) {
        long h0, h1;
        float lh;
        up_axis(i, H, scaleH, flags.s0, flags.s1, &h0, &h1, &lh);
        float wh = (h0 == ih ? 1.0f - lh : 0.0f) + (h1 == ih ? lh : 0.0f);
        if (h0 != ih && h1 != ih) continue;
        for (long j = 0; j < OW; j++) {
            long w0, w1;
            float lw;
            up_axis(j, W, scaleW, flags.s0, flags.s1, &w0, &w1, &lw);
            if (w0 != iw && w1 != iw) continue;
            float ww = (w0 == iw ? 1.0f - lw : 0.0f) + (w1 == iw ? lw : 0.0f);
            acc += wh * ww * gp[i * OW + j];
        }
    }
    dx[dxo + t] = acc;
}
