/* SGEMM, row-major: C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n (BLAS semantics: beta = 0
 * never reads C, so an uninitialised C holding NaN is overwritten).
 *
 * cs_sgemm_tiled: each work-group computes a GEMM_TM×GEMM_TN block of C, stepping through k in slices
 * of GEMM_TK that it stages in local memory; each work-item keeps a GEMM_RM×GEMM_RN block of C in
 * registers (rows ty + r·(TM/RM), columns tx + c·(TN/RN), so neighbouring work-items read neighbouring
 * local-memory words). The tile sizes are compile-time constants the host picks per device
 * (OpenCLGemmTuning.cs). Edges are handled by zero-filling the staged tiles, so any m, n, k works.
 * Split-k: when C has too few tiles to keep the device busy and k is long (a weight gradient: m, n small,
 * k = N·OH·OW), work-group z of the third dimension takes k-range [z·kChunk, (z+1)·kChunk) and writes its
 * partial product to slice z of a scratch buffer (cSplitStride apart, alpha 1, beta 0); cs_sgemm_splitk_sum
 * then adds the slices in order and applies alpha and beta.
 * cs_sgemm_naive: one work-item per element of C, for products too small to fill a work-group. */
#ifndef GEMM_TM
#define GEMM_TM 32
#define GEMM_TN 32
#define GEMM_TK 16
#define GEMM_RM 4
#define GEMM_RN 4
#endif

#define GEMM_WX (GEMM_TN / GEMM_RN)
#define GEMM_WY (GEMM_TM / GEMM_RM)

inline float gemm_a(__global const float* a, int lda, int transA, int i, int p)
{
    return transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
}

inline float gemm_b(__global const float* b, int ldb, int transB, int p, int j)
{
    return transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
}

__kernel __attribute__((reqd_work_group_size(GEMM_WX, GEMM_WY, 1)))
void cs_sgemm_tiled(int transA, int transB, int m, int n, int k, float alpha,
                    __global const float* a0, long ao, int lda, __global const float* b0, long bo, int ldb,
                    float beta, __global float* c0, long co, int ldc, int kChunk, long cSplitStride)
{
    __local float As[GEMM_TK][GEMM_TM + 1];
    __local float Bs[GEMM_TK][GEMM_TN + 1];
    __global const float* a = a0 + ao;
    __global const float* b = b0 + bo;
    const int z = get_group_id(2);
    __global float* c = c0 + co + z * cSplitStride;
    const int kBegin = z * kChunk, kEnd = min(k, kBegin + kChunk);
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * GEMM_WX + tx, threads = GEMM_WX * GEMM_WY;
    const int row0 = get_group_id(1) * GEMM_TM, col0 = get_group_id(0) * GEMM_TN;

    float acc[GEMM_RM][GEMM_RN];
    for (int r = 0; r < GEMM_RM; r++)
        for (int q = 0; q < GEMM_RN; q++) acc[r][q] = 0.0f;

    for (int p0 = kBegin; p0 < kEnd; p0 += GEMM_TK) {
        /* Stage op(A)[row0.., p0..] and op(B)[p0.., col0..]; the fastest-varying index follows memory. */
        for (int e = tid; e < GEMM_TM * GEMM_TK; e += threads) {
            int i, p;
            if (transA) { p = e / GEMM_TM; i = e % GEMM_TM; } else { i = e / GEMM_TK; p = e % GEMM_TK; }
            int gi = row0 + i, gp = p0 + p;
            As[p][i] = gi < m && gp < kEnd ? gemm_a(a, lda, transA, gi, gp) : 0.0f;
        }
        for (int e = tid; e < GEMM_TK * GEMM_TN; e += threads) {
            int p, j;
            if (transB) { j = e / GEMM_TK; p = e % GEMM_TK; } else { p = e / GEMM_TN; j = e % GEMM_TN; }
            int gj = col0 + j, gp = p0 + p;
            Bs[p][j] = gj < n && gp < kEnd ? gemm_b(b, ldb, transB, gp, gj) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < GEMM_TK; p++) {
            float ar[GEMM_RM], br[GEMM_RN];
            for (int r = 0; r < GEMM_RM; r++) ar[r] = As[p][ty + r * GEMM_WY];
            for (int q = 0; q < GEMM_RN; q++) br[q] = Bs[p][tx + q * GEMM_WX];
            for (int r = 0; r < GEMM_RM; r++)
                for (int q = 0; q < GEMM_RN; q++) acc[r][q] = fma(ar[r], br[q], acc[r][q]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int r = 0; r < GEMM_RM; r++) {
        int gi = row0 + ty + r * GEMM_WY;
        if (gi >= m) continue;
        for (int q = 0; q < GEMM_RN; q++) {
            int gj = col0 + tx + q * GEMM_WX;
            if (gj >= n) continue;
            __global float* cij = c + (long)gi * ldc + gj;
            *cij = beta == 0.0f ? alpha * acc[r][q] : alpha * acc[r][q] + beta * *cij;
        }
    }
}

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
