/* im2col / col2im (im2col.c on the CPU; letters in convsharp_native.h). The geometry travels as an int16:
 * s0..s3 N C H W, s4 s5 KH KW, s6 s7 SH SW, s8 s9 PH PW, sa sb DH DW, sc sd OH OW.
 * Column matrix: row (c·KH + r)·KW + s, column colOffset + img·OH·OW + oh·OW + ow, rows ld long.
 *
 * col2im gathers: one work-item per input element adds the column cells that read it, in tap order
 * (r, s) — the order the CPU adds them in — so no two work-items write the same element. */

__kernel void cs_im2col(__global const float* x, long xo, int16 g, __global float* col, long co, long ld, long colOffset, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long OH = g.sc, OW = g.sd, KH = g.s4, KW = g.s5, H = g.s2, W = g.s3, C = g.s1;
    const long per = OH * OW;
    long ow = t % OW, rest = t / OW;
    long oh = rest % OH; rest /= OH;
    long row = rest % (C * KH * KW), img = rest / (C * KH * KW);
    long s = row % KW, r = (row / KW) % KH, c = row / (KW * KH);
    long ih = oh * g.s6 - g.s8 + r * g.sa, iw = ow * g.s7 - g.s9 + s * g.sb;
    float v = 0.0f;
    if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = x[xo + ((img * C + c) * H + ih) * W + iw];
    col[co + row * ld + colOffset + img * per + oh * OW + ow] = v;
}

__kernel void cs_col2im(__global const float* col, long co, long ld, long colOffset, int16 g, __global float* x, long xo, long total)
{
    long t = GID0;
    if (t >= total) return;
    const long OH = g.sc, OW = g.sd, KH = g.s4, KW = g.s5, H = g.s2, W = g.s3, C = g.s1;
    const long SH = g.s6, SW = g.s7, PH = g.s8, PW = g.s9, DH = g.sa, DW = g.sb;
    long iw = t % W, rest = t / W;
    long ih = rest % H; rest /= H;
    long c = rest % C, img = rest / C;
    float acc = x[xo + t];
    for (long r = 0; r < KH; r++) {
        long hnum = ih + PH - r * DH;
        if (hnum < 0 || hnum % SH != 0) continue;
        long oh = hnum / SH;
        if (oh >= OH) continue;
        for (long s = 0; s < KW; s++) {
            long wnum = iw + PW - s * DW;
            if (wnum < 0 || wnum % SW != 0) continue;
            long ow = wnum / SW;
            if (ow >= OW) continue;
            long row = (c * KH + r) * KW + s;
            acc += col[co + row * ld + colOffset + img * OH * OW + oh * OW + ow];
        }
    }
    x[xo + t] = acc;
}
