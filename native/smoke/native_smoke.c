/* A C consumer of libconvsharp_native for a build that the .NET tests cannot load, such as the
 * linux-arm64 cross build run under qemu-user or the win-x64 DLL run under Wine: one 3x3 convolution as im2col + cblas_sgemm and one
 * unary map, each checked against a naive double-precision loop. Exit code 0 means every check passed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "convsharp_native.h"

/* The OpenBLAS entry points the library re-exports (see native/exports.map). */
enum { RowMajor = 101, NoTrans = 111 };
void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
char* openblas_get_corename(void);

#define N 2
#define C 3
#define H 7
#define W 6
#define K 4
#define KH 3
#define KW 3

static int fail(const char* what, double got, double want)
{
    fprintf(stderr, "FAILED %s: got %.9g, want %.9g\n", what, got, want);
    return 1;
}

int main(void)
{
    static float x[N * C * H * W], w[K * C * KH * KW];
    unsigned seed = 12345;
    for (int i = 0; i < N * C * H * W; i++) x[i] = (float)((seed = seed * 1103515245u + 12345u) >> 8) / 16777216.0f - 0.5f;
    for (int i = 0; i < K * C * KH * KW; i++) w[i] = (float)((seed = seed * 1103515245u + 12345u) >> 8) / 16777216.0f - 0.5f;

    if (cs_native_abi_version() < 1) return fail("cs_native_abi_version", cs_native_abi_version(), 1);

    /* stride 2, padding 1: OH = 4, OW = 3 */
    cs_conv_geometry g = { N, C, H, W, KH, KW, 2, 2, 1, 1, 1, 1 };
    int oh = (int)cs_conv_out_size(H, KH, 2, 1, 1), ow = (int)cs_conv_out_size(W, KW, 2, 1, 1);
    int rows = C * KH * KW, cols = N * oh * ow;
    float* col = malloc(sizeof(float) * rows * cols);
    float* y = malloc(sizeof(float) * K * cols);
    if (cs_im2col_f32(x, &g, col) != CS_OK) return fail("cs_im2col_f32 status", -1, 0);
    cblas_sgemm(RowMajor, NoTrans, NoTrans, K, cols, rows, 1.0f, w, rows, col, cols, 0.0f, y, cols);

    double worst = 0;
    for (int n = 0; n < N; n++) for (int k = 0; k < K; k++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++)
    {
        double ref = 0;
        for (int c = 0; c < C; c++) for (int r = 0; r < KH; r++) for (int s = 0; s < KW; s++)
        {
            int hi = i * 2 - 1 + r, wi = j * 2 - 1 + s;
            if (hi >= 0 && hi < H && wi >= 0 && wi < W)
                ref += (double)w[((k * C + c) * KH + r) * KW + s] * x[((n * C + c) * H + hi) * W + wi];
        }
        double got = y[(size_t)k * cols + (n * oh + i) * ow + j];
        if (fabs(got - ref) > worst) worst = fabs(got - ref);
        if (fabs(got - ref) > 1e-5) return fail("convolution (im2col + sgemm)", got, ref);
    }

    float t[N * C * H * W];
    if (cs_unary_f32(CS_U_TANH, N * C * H * W, x, t, 0, 0) != CS_OK) return fail("cs_unary_f32 status", -1, 0);
    for (int i = 0; i < N * C * H * W; i++)
        if (fabs(t[i] - tanh(x[i])) > 1e-6) return fail("tanh", t[i], tanh(x[i]));

    printf("native smoke passed: ABI %d, kernels ISA %s, OpenBLAS core %s, conv %dx%d output max |error| %.2g\n",
           cs_native_abi_version(), cs_kernel_isa(), openblas_get_corename(), oh, ow, worst);
    free(col);
    free(y);
    return 0;
}
