/* SGEMM, row-major: C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n (BLAS semantics: beta = 0
 * never reads C, so an uninitialised C holding NaN is overwritten).
 *
 * cs_sgemm_tiled_<tile>: each work-group computes a TM×TN block of C, stepping through k in slices of TK that it
 * stages in local memory, double-buffered: while the work-items multiply one slice they have already loaded the
 * next into the other buffer, so each slice costs one barrier. Operands are loaded four floats at a time (vload4)
 * along the dimension that is contiguous in memory (k for A, n for B, the other way round when transposed) where
 * all four lie inside the matrix, one by one at the edges, and staged zero-filled beyond them, so any m, n, k,
 * offset and leading dimension works with the same kernel (no separate edge kernel). Each work-item keeps an
 * RM×RN block of C in registers (rows ty + r·(TM/RM), columns tx + c·(TN/RN), so neighbouring work-items read
 * neighbouring local-memory words).
 * Tiles: "d" is the device's entry of OpenCLGemmTuning's table, compiled in with -D GEMM_*; with
 * GEMM_CANDIDATES (set when every candidate fits the device) the candidates CONVSHARP_OPENCL_TUNE=1 times are
 * compiled too (OpenCLGemmTuner.cs).
 * Split-k: when C has too few tiles to keep the device busy and k is long (a weight gradient: m, n small,
 * k = N·OH·OW), work-group z of the third dimension takes k-range [z·kChunk, (z+1)·kChunk) and writes its
 * partial product to slice z of a scratch buffer (cSplitStride apart, alpha 1, beta 0); cs_sgemm_splitk_sum
 * then adds the slices in order and applies alpha and beta.
 * cs_sgemm_naive: one work-item per element of C, for products under 32³ multiply-adds, too small to fill a tile. */
#ifndef GEMM_TM
#define GEMM_TM 32
#define GEMM_TN 32
#define GEMM_TK 16
#define GEMM_RM 4
#define GEMM_RN 4
#endif

inline float gemm_a(__global const float* a, int lda, int transA, int i, int p)
{
    return transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
}

inline float gemm_b(__global const float* b, int ldb, int transB, int p, int j)
{
    return transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
}

/* Stages op(A)[row0 + i, p0 + p] into As[buf][p][i] and op(B)[p0 + p, col0 + j] into Bs[buf][p][j]. */
#define GEMM_STAGE(TM, TN, TK, buf, p0)                                                                          \
    if (transA) {                                                                                               \
        for (int e = tid; e < TK * (TM / 4); e += threads) {                                                     \
            int p = e / (TM / 4), i = (e % (TM / 4)) * 4, gi = row0 + i, gp = (p0) + p;                          \
            if (gp < kEnd && gi + 3 < m) {                                                                       \
                float4 v = vload4(0, a + (long)gp * lda + gi);                                                   \
                As[buf][p][i] = v.s0; As[buf][p][i + 1] = v.s1; As[buf][p][i + 2] = v.s2; As[buf][p][i + 3] = v.s3; \
            } else                                                                                               \
                for (int q = 0; q < 4; q++) As[buf][p][i + q] = gp < kEnd && gi + q < m ? a[(long)gp * lda + gi + q] : 0.0f; \
        }                                                                                                        \
    } else {                                                                                                     \
        for (int e = tid; e < TM * (TK / 4); e += threads) {                                                     \
            int i = e / (TK / 4), p = (e % (TK / 4)) * 4, gi = row0 + i, gp = (p0) + p;                          \
            if (gi < m && gp + 3 < kEnd) {                                                                       \
                float4 v = vload4(0, a + (long)gi * lda + gp);                                                   \
                As[buf][p][i] = v.s0; As[buf][p + 1][i] = v.s1; As[buf][p + 2][i] = v.s2; As[buf][p + 3][i] = v.s3; \
            } else                                                                                               \
                for (int q = 0; q < 4; q++) As[buf][p + q][i] = gi < m && gp + q < kEnd ? a[(long)gi * lda + gp + q] : 0.0f; \
        }                                                                                                        \
    }                                                                                                            \
    if (transB) {                                                                                               \
        for (int e = tid; e < TN * (TK / 4); e += threads) {                                                     \
            int j = e / (TK / 4), p = (e % (TK / 4)) * 4, gj = col0 + j, gp = (p0) + p;                          \
            if (gj < n && gp + 3 < kEnd) {                                                                       \
                float4 v = vload4(0, b + (long)gj * ldb + gp);                                                   \
                Bs[buf][p][j] = v.s0; Bs[buf][p + 1][j] = v.s1; Bs[buf][p + 2][j] = v.s2; Bs[buf][p + 3][j] = v.s3; \
            } else                                                                                               \
                for (int q = 0; q < 4; q++) Bs[buf][p + q][j] = gj < n && gp + q < kEnd ? b[(long)gj * ldb + gp + q] : 0.0f; \
        }                                                                                                        \
    } else {                                                                                                     \
        for (int e = tid; e < TK * (TN / 4); e += threads) {                                                     \
            int p = e / (TN / 4), j = (e % (TN / 4)) * 4, gj = col0 + j, gp = (p0) + p;                          \
            if (gp < kEnd && gj + 3 < n) {                                                                       \
                float4 v = vload4(0, b + (long)gp * ldb + gj);                                                   \
                Bs[buf][p][j] = v.s0; Bs[buf][p][j + 1] = v.s1; Bs[buf][p][j + 2] = v.s2; Bs[buf][p][j + 3] = v.s3; \
            } else                                                                                               \
                for (int q = 0; q < 4; q++) Bs[buf][p][j + q] = gp < kEnd && gj + q < n ? b[(long)gp * ldb + gj + q] : 0.0f; \
        }                                                                                                        \
    }

#define CS_SGEMM_TILED(SUF, TM, TN, TK, RM, RN)                                                                   \
__kernel __attribute__((reqd_work_group_size(TN / RN, TM / RM, 1)))                                             \
void cs_sgemm_tiled_##SUF(int transA, int transB, int m, int n, int k, float alpha,                             \
                          __global const float* a0, long ao, int lda, __global const float* b0, long bo, int ldb, \
                          float beta, __global float* c0, long co, int ldc, int kChunk, long cSplitStride)     \
{                                                                                                               \
    const int WX = TN / RN, WY = TM / RM;                                                                       \
    __local float As[2][TK][TM + 1];                                                                            \
    __local float Bs[2][TK][TN + 1];                                                                            \
    __global const float* a = a0 + ao;                                                                          \
    __global const float* b = b0 + bo;                                                                          \
    const int z = get_group_id(2);                                                                              \
    __global float* c = c0 + co + z * cSplitStride;                                                             \
    const int kBegin = z * kChunk, kEnd = min(k, kBegin + kChunk);                                              \
    const int tx = get_local_id(0), ty = get_local_id(1);                                                       \
    const int tid = ty * WX + tx, threads = WX * WY;                                                            \
    const int row0 = get_group_id(1) * TM, col0 = get_group_id(0) * TN;                                         \
    float acc[RM][RN];                                                                                          \
    for (int r = 0; r < RM; r++)                                                                                \
        for (int q = 0; q < RN; q++) acc[r][q] = 0.0f;                                                          \
    int buf = 0;                                                                                                \
    if (kBegin < kEnd) { GEMM_STAGE(TM, TN, TK, 0, kBegin) }                                                    \
    barrier(CLK_LOCAL_MEM_FENCE);                                                                               \
    for (int p0 = kBegin; p0 < kEnd; p0 += TK) {                                                                \
        /* The other buffer was last read before the previous barrier: load the next slice into it now. */      \
        if (p0 + TK < kEnd) { GEMM_STAGE(TM, TN, TK, buf ^ 1, p0 + TK) }                                        \
        for (int p = 0; p < TK; p++) {                                                                          \
            float ar[RM], br[RN];                                                                               \
            for (int r = 0; r < RM; r++) ar[r] = As[buf][p][ty + r * WY];                                       \
            for (int q = 0; q < RN; q++) br[q] = Bs[buf][p][tx + q * WX];                                       \
            for (int r = 0; r < RM; r++)                                                                        \
                for (int q = 0; q < RN; q++) acc[r][q] = fma(ar[r], br[q], acc[r][q]);                          \
        }                                                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                                           \
        buf ^= 1;                                                                                               \
    }                                                                                                           \
    for (int r = 0; r < RM; r++) {                                                                              \
        int gi = row0 + ty + r * WY;                                                                            \
        if (gi >= m) continue;                                                                                  \
        for (int q = 0; q < RN; q++) {                                                                          \
            int gj = col0 + tx + q * WX;                                                                        \
            if (gj >= n) continue;                                                                              \
            __global float* cij = c + (long)gi * ldc + gj;                                                      \
            *cij = beta == 0.0f ? alpha * acc[r][q] : alpha * acc[r][q] + beta * *cij;                          \
        }                                                                                                       \
    }                                                                                                           \
}

CS_SGEMM_TILED(d, GEMM_TM, GEMM_TN, GEMM_TK, GEMM_RM, GEMM_RN)
#ifdef GEMM_CANDIDATES
/* The candidates of CONVSHARP_OPENCL_TUNE=1, by name TM x TN (TK 16) _ RM x RN: OpenCLGemmTuner.Candidates. */
CS_SGEMM_TILED(32x32_4x4, 32, 32, 16, 4, 4)
CS_SGEMM_TILED(64x64_4x4, 64, 64, 16, 4, 4)
CS_SGEMM_TILED(64x64_8x8, 64, 64, 16, 8, 8)
CS_SGEMM_TILED(128x64_8x4, 128, 64, 16, 8, 4)
#endif
/* C = alpha·Σ_z partial[z] + beta·C over the splits slices of an m×n scratch. */
__kernel void cs_sgemm_splitk_sum(int m, int n, int splits, __global const float* partial, float alpha, float beta,
                                  __global float* c0, long co, int ldc)
{
    const int j = get_global_id(0), i = get_global_id(1);
    if (i >= m || j >= n) return;
    float acc = 0.0f;
    for (int z = 0; z < splits; z++) acc += partial[((long)z * m + i) * n + j];
    __global float* cij = c0 + co + (long)i * ldc + j;
    *cij = beta == 0.0f ? alpha * acc : alpha * acc + beta * *cij;
}

__kernel void cs_sgemm_naive(int transA, int transB, int m, int n, int k, float alpha,
                             __global const float* a0, long ao, int lda, __global const float* b0, long bo, int ldb,
                             float beta, __global float* c0, long co, int ldc)
{
    const int j = get_global_id(0), i = get_global_id(1);
    if (i >= m || j >= n) return;
    __global const float* a = a0 + ao;
    __global const float* b = b0 + bo;
    float acc = 0.0f;
    for (int p = 0; p < k; p++) acc = fma(gemm_a(a, lda, transA, i, p), gemm_b(b, ldb, transB, p, j), acc);
    __global float* cij = c0 + co + (long)i * ldc + j;
    *cij = beta == 0.0f ? alpha * acc : alpha * acc + beta * *cij;
}
