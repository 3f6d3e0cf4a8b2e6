/* Implicit-GEMM convolution (OpenCLKernels.Conv.cs; letters in convsharp_native.h). Each of the three passes is one
 * launch over the whole batch and every group: a tiled GEMM whose operands are read straight from the tensors —
 * the column matrix of im2col exists only as index arithmetic, never in global memory. The geometry travels as the
 * int16 of im2col.cl (s0..s3 N C H W, s4 s5 KH KW, s6 s7 SH SW, s8 s9 PH PW, sa sb DH DW, sc sd OH OW) plus the
 * output channels K and groups G; Cg = C/G and Kg = K/G.
 *
 *   forward          y[n, g·Kg+i, pix]        = Σ_p w[g·Kg+i, p] · col_g[p, (n, pix)]   (+ bias)   M=Kg  N=N·OH·OW  K=Cg·KH·KW
 *   backward-data    dx[n, g·Cg+i, ih, iw]   += Σ_(k,r,s) w[g·Kg+k, i, r, s] · dy[n, g·Kg+k, oh, ow]  M=Cg  N=N·H·W  K=Kg·KH·KW
 *                    (oh, ow) the output cell tap (r, s) of input (ih, iw) feeds, or a zero where none does: a gather,
 *                    so no two work-items write one element)
 *   backward-filter  dw[g·Kg+i, p]           += Σ_(n, pix) dy[n, g·Kg+i, pix] · col_g[p, (n, pix)]  M=Kg  N=Cg·KH·KW  K=N·OH·OW
 *                    the batch is the reduction: split-K over work-group slices z (whole images when there are
 *                    several) writes partial products to scratch, added into dw in slice order by cs_conv_splitk_add —
 *                    deterministic, no float atomics. Each CT_K slice is summed in float registers and added into an
 *                    acc_t total (double where the device has fp64, as the CPU's long sums are), so a reduction over
 *                    tens of thousands of cells loses no more than a 16-term float sum each step.
 *
 * Tiles: a work-group computes CT_M×CT_N of its GEMM in CT_K steps staged in local memory; a work-item holds CT_RM×CT_RN
 * accumulators (rows ty + r·WY, columns tx + q·WX so neighbours read neighbouring local words). Two instantiations:
 * "w" (wide: the GEMM tile sizes of OpenCLGemmTuning) for layers with many output channels, "n" (narrow, 16 rows) for
 * the first layers and depthwise ones whose M is a handful of channels. The third range dimension is group × split. */

/* One im2col element of group-channel base c0: row p = (c·KH + r)·KW + s, column (n, oh·OW + ow). */
inline float conv_x_at(__global const float* x, int16 g, int c0, int p, int n, int pix)
{
    const int KH = g.s4, KW = g.s5, H = g.s2, W = g.s3, C = g.s1, OW = g.sd;
    int s = p % KW, rest = p / KW;
    int r = rest % KH, c = rest / KH;
    int oh = pix / OW, ow = pix - oh * OW;
    int ih = oh * g.s6 - g.s8 + r * g.sa, iw = ow * g.s7 - g.s9 + s * g.sb;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0.0f;
    return x[(((long)n * C + c0 + c) * H + ih) * W + iw];
}

/* dy at the output cell that tap (r, s) of channel kk reads from input (ih, iw), or 0 where no cell does. */
inline float conv_dy_at(__global const float* dy, int16 g, int K, int k0, int p, int n, int ihw)
{
    const int KH = g.s4, KW = g.s5, W = g.s3, OH = g.sc, OW = g.sd;
    int s = p % KW, rest = p / KW;
    int r = rest % KH, kk = rest / KH;
    int ih = ihw / W, iw = ihw - ih * W;
    int hn = ih + g.s8 - r * g.sa, wn = iw + g.s9 - s * g.sb;
    if (hn < 0 || wn < 0) return 0.0f;
    int oh = hn / g.s6, ow = wn / g.s7;
    if (oh * g.s6 != hn || ow * g.s7 != wn || oh >= OH || ow >= OW) return 0.0f;
    return dy[(((long)n * K + k0 + kk) * OH + oh) * OW + ow];
}

/* The multiply-accumulate of one staged CT_K slice, shared by every pass. */
#define CONV_MAC(TM, TN, TK, RM, RN, WX, WY)                                                   \
    for (int pp = 0; pp < TK; pp++) {                                                          \
        float ar[RM], br[RN];                                                                  \
        for (int r = 0; r < RM; r++) ar[r] = As[pp][ty + r * WY];                              \
        for (int q = 0; q < RN; q++) br[q] = Bs[pp][tx + q * WX];                              \
        for (int r = 0; r < RM; r++)                                                           \
            for (int q = 0; q < RN; q++) acc[r][q] = fma(ar[r], br[q], acc[r][q]);             \
    }

#define CONV_KERNELS(SUF, TM, TN, TK, RM, RN)                                                                       \
__kernel __attribute__((reqd_work_group_size(TN / RN, TM / RM, 1)))                                                 \
void cs_conv_fwd_##SUF(__global const float* x0, long xo, __global const float* w0, long wo,                        \
                       __global const float* b0, long bo, __global float* y0, long yo, int16 g, int K, int G,        \
                       int relu)                                                                                    \
{                                                                                                                   \
    const int WX = TN / RN, WY = TM / RM;                                                                           \
    __local float As[TK][TM + 1];                                                                                   \
    __local float Bs[TK][TN + 1];                                                                                   \
    __global const float* x = x0 + xo;                                                                              \
    __global const float* w = w0 + wo;                                                                              \
    __global float* y = y0 + yo;                                                                                    \
    const int Cg = g.s1 / G, Kg = K / G, grp = get_group_id(2);                                                     \
    const int plane = g.sc * g.sd, rows = Cg * g.s4 * g.s5, cols = g.s0 * plane;                                    \
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * WX + tx, threads = WX * WY;                    \
    const int row0 = get_group_id(1) * TM, col0 = get_group_id(0) * TN;                                             \
    float acc[RM][RN];                                                                                              \
    for (int r = 0; r < RM; r++) for (int q = 0; q < RN; q++) acc[r][q] = 0.0f;                                     \
    for (int p0 = 0; p0 < rows; p0 += TK) {                                                                         \
        for (int e = tid; e < TM * TK; e += threads) {                                                              \
            int i = e / TK, p = e % TK, gi = row0 + i, gp = p0 + p;                                                 \
            As[p][i] = gi < Kg && gp < rows ? w[(long)(grp * Kg + gi) * rows + gp] : 0.0f;                          \
        }                                                                                                           \
        for (int e = tid; e < TK * TN; e += threads) {                                                              \
            int p = e / TN, j = e % TN, gj = col0 + j, gp = p0 + p;                                                 \
            float v = 0.0f;                                                                                         \
            if (gj < cols && gp < rows) { int n = gj / plane; v = conv_x_at(x, g, grp * Cg, gp, n, gj - n * plane); } \
            Bs[p][j] = v;                                                                                           \
        }                                                                                                           \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
        CONV_MAC(TM, TN, TK, RM, RN, WX, WY)                                                                        \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    }                                                                                                               \
    for (int r = 0; r < RM; r++) {                                                                                  \
        int gi = row0 + ty + r * WY;                                                                                \
        if (gi >= Kg) continue;                                                                                     \
        int k = grp * Kg + gi;                                                                                      \
        float bias = b0 ? b0[bo + k] : 0.0f;                                                                        \
        for (int q = 0; q < RN; q++) {                                                                              \
            int gj = col0 + tx + q * WX;                                                                            \
            if (gj >= cols) continue;                                                                               \
            int n = gj / plane;                                                                                     \
            float v = acc[r][q] + bias;                                                                             \
            y[((long)n * K + k) * plane + (gj - n * plane)] = relu ? cs_unary_forward(CS_U_RELU, v, 0.0f, 0.0f) : v; \
        }                                                                                                           \
    }                                                                                                               \
}                                                                                                                   \
                                                                                                                    \
__kernel __attribute__((reqd_work_group_size(TN / RN, TM / RM, 1)))                                                 \
void cs_conv_bwd_data_##SUF(__global const float* w0, long wo, __global const float* dy0, long dyo,                  \
                            __global float* dx0, long dxo, int16 g, int K, int G)                                   \
{                                                                                                                   \
    const int WX = TN / RN, WY = TM / RM;                                                                           \
    __local float As[TK][TM + 1];                                                                                   \
    __local float Bs[TK][TN + 1];                                                                                   \
    __global const float* w = w0 + wo;                                                                              \
    __global const float* dy = dy0 + dyo;                                                                           \
    __global float* dx = dx0 + dxo;                                                                                 \
    const int Cg = g.s1 / G, Kg = K / G, grp = get_group_id(2), taps = g.s4 * g.s5;                                 \
    const int plane = g.s2 * g.s3, rows = Kg * taps, cols = g.s0 * plane, wrow = Cg * taps;                         \
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * WX + tx, threads = WX * WY;                    \
    const int row0 = get_group_id(1) * TM, col0 = get_group_id(0) * TN;                                             \
    float acc[RM][RN];                                                                                              \
    for (int r = 0; r < RM; r++) for (int q = 0; q < RN; q++) acc[r][q] = 0.0f;                                     \
    for (int p0 = 0; p0 < rows; p0 += TK) {                                                                         \
        for (int e = tid; e < TM * TK; e += threads) {                                                              \
            int i = e / TK, p = e % TK, gi = row0 + i, gp = p0 + p;                                                 \
            float v = 0.0f;                                                                                         \
            if (gi < Cg && gp < rows) { int kk = gp / taps, rs = gp - kk * taps;                                    \
                v = w[(long)(grp * Kg + kk) * wrow + gi * taps + rs]; }                                             \
            As[p][i] = v;                                                                                           \
        }                                                                                                           \
        for (int e = tid; e < TK * TN; e += threads) {                                                              \
            int p = e / TN, j = e % TN, gj = col0 + j, gp = p0 + p;                                                 \
            float v = 0.0f;                                                                                         \
            if (gj < cols && gp < rows) { int n = gj / plane; v = conv_dy_at(dy, g, K, grp * Kg, gp, n, gj - n * plane); } \
            Bs[p][j] = v;                                                                                           \
        }                                                                                                           \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
        CONV_MAC(TM, TN, TK, RM, RN, WX, WY)                                                                        \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    }                                                                                                               \
    for (int r = 0; r < RM; r++) {                                                                                  \
        int gi = row0 + ty + r * WY;                                                                                \
        if (gi >= Cg) continue;                                                                                     \
        for (int q = 0; q < RN; q++) {                                                                              \
            int gj = col0 + tx + q * WX;                                                                            \
            if (gj >= cols) continue;                                                                               \
            int n = gj / plane;                                                                                     \
            dx[((long)n * g.s1 + grp * Cg + gi) * plane + (gj - n * plane)] += acc[r][q];                           \
        }                                                                                                           \
    }                                                                                                               \
}                                                                                                                   \
                                                                                                                    \
/* z = grp·splits + split; split s reduces columns [s·chunk, (s+1)·chunk) of the batch; with splits = 1 it adds     \
 * straight into dw, else it writes slice s of partial (K·rows floats apart). */                                   \
__kernel __attribute__((reqd_work_group_size(TN / RN, TM / RM, 1)))                                                 \
void cs_conv_bwd_filter_##SUF(__global const float* x0, long xo, __global const float* dy0, long dyo,                \
                              __global float* dw0, long dwo, int16 g, int K, int G, int splits, int chunk)          \
{                                                                                                                   \
    const int WX = TN / RN, WY = TM / RM;                                                                           \
    __local float As[TK][TM + 1];                                                                                   \
    __local float Bs[TK][TN + 1];                                                                                   \
    __global const float* x = x0 + xo;                                                                              \
    __global const float* dy = dy0 + dyo;                                                                           \
    const int Cg = g.s1 / G, Kg = K / G;                                                                            \
    const int grp = get_group_id(2) / splits, split = get_group_id(2) - grp * splits;                               \
    const int plane = g.sc * g.sd, cols = Cg * g.s4 * g.s5, red = g.s0 * plane;                                     \
    const int kBegin = split * chunk, kEnd = min(red, kBegin + chunk);                                              \
    __global float* dw = dw0 + dwo + (splits > 1 ? (long)split * K * cols : 0L);                                    \
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * WX + tx, threads = WX * WY;                    \
    const int row0 = get_group_id(1) * TM, col0 = get_group_id(0) * TN;                                             \
    float acc[RM][RN];                                                                                              \
    acc_t tot[RM][RN];                                                                                              \
    for (int r = 0; r < RM; r++) for (int q = 0; q < RN; q++) tot[r][q] = ACC(0.0);                                 \
    for (int p0 = kBegin; p0 < kEnd; p0 += TK) {                                                                    \
        for (int r = 0; r < RM; r++) for (int q = 0; q < RN; q++) acc[r][q] = 0.0f;                                 \
        for (int e = tid; e < TM * TK; e += threads) {                                                              \
            int i = e / TK, p = e % TK, gi = row0 + i, gp = p0 + p;                                                 \
            float v = 0.0f;                                                                                         \
            if (gi < Kg && gp < kEnd) { int n = gp / plane;                                                         \
                v = dy[((long)n * K + grp * Kg + gi) * plane + (gp - n * plane)]; }                                 \
            As[p][i] = v;                                                                                           \
        }                                                                                                           \
        for (int e = tid; e < TK * TN; e += threads) {                                                              \
            int j = e / TK, p = e % TK, gj = col0 + j, gp = p0 + p;                                                 \
            float v = 0.0f;                                                                                         \
            if (gj < cols && gp < kEnd) { int n = gp / plane; v = conv_x_at(x, g, grp * Cg, gj, n, gp - n * plane); } \
            Bs[p][j] = v;                                                                                           \
        }                                                                                                           \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
        CONV_MAC(TM, TN, TK, RM, RN, WX, WY)                                                                        \
        for (int r = 0; r < RM; r++) for (int q = 0; q < RN; q++) tot[r][q] += acc[r][q];                           \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    }                                                                                                               \
    for (int r = 0; r < RM; r++) {                                                                                  \
        int gi = row0 + ty + r * WY;                                                                                \
        if (gi >= Kg) continue;                                                                                     \
        for (int q = 0; q < RN; q++) {                                                                              \
            int gj = col0 + tx + q * WX;                                                                            \
            if (gj >= cols) continue;                                                                               \
            __global float* cell = dw + (long)(grp * Kg + gi) * cols + gj;                                          \
            if (splits > 1) *cell = (float)tot[r][q]; else *cell += (float)tot[r][q];                                             \
        }                                                                                                           \
    }                                                                                                               \
}

#ifndef CONV_W_TM
#define CONV_W_TM GEMM_TM
#define CONV_W_TN GEMM_TN
#define CONV_W_TK GEMM_TK
#define CONV_W_RM GEMM_RM
#define CONV_W_RN GEMM_RN
#endif

CONV_KERNELS(w, CONV_W_TM, CONV_W_TN, CONV_W_TK, CONV_W_RM, CONV_W_RN)
CONV_KERNELS(n, 16, 64, 16, 2, 4)

/* dw[e] += partial[0][e], then += partial[1][e], ...: slice by slice in order, as the CPU adds image by image. */
__kernel void cs_conv_splitk_add(__global const float* partial, long po, int splits, long length, __global float* dw, long dwo)
{
    long e = GID0;
    if (e >= length) return;
    float sum = dw[dwo + e];
    for (int s = 0; s < splits; s++) sum += partial[po + s * length + e];
    dw[dwo + e] = sum;
}
