/* Single-thread timing of the direct convolution kernels against OpenBLAS's sgemm at the same GEMM size:
 *   gcc -O2 -Inative/include native/bench/conv_bench.c -Lartifacts/native/linux-x64 -lconvsharp_native -o /tmp/conv_bench
 *   LD_LIBRARY_PATH=artifacts/native/linux-x64 /tmp/conv_bench N C K H W [KH PAD STRIDE]
 * Prints the median of 15 runs of each kernel (forward, weight gradient, input gradient) and its GFLOP/s. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "convsharp_native.h"

void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                 float beta, float* c, int ldc);
void openblas_set_num_threads(int threads);

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }

int main(int argc, char** argv)
{
    if (argc < 6) { fprintf(stderr, "usage: conv_bench N C K H W [KH PAD STRIDE]\n"); return 2; }
    int n = atoi(argv[1]), c = atoi(argv[2]), k = atoi(argv[3]), h = atoi(argv[4]), w = atoi(argv[5]);
    int kh = argc > 6 ? atoi(argv[6]) : 3, pad = argc > 7 ? atoi(argv[7]) : 1, stride = argc > 8 ? atoi(argv[8]) : 1;
    cs_conv_geometry g = {n, c, h, w, kh, kh, stride, stride, pad, pad, 1, 1};
    int64_t oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kh) / stride + 1;
    float* x = malloc(sizeof(float) * n * c * h * w);
    float* wt = malloc(sizeof(float) * k * c * kh * kh);
    float* y = malloc(sizeof(float) * n * k * oh * ow);
    float* dw = calloc((size_t)k * c * kh * kh, sizeof(float));
    float* dx = calloc((size_t)n * c * h * w, sizeof(float));
    for (int64_t i = 0; i < (int64_t)n * c * h * w; i++) x[i] = (float)rand() / RAND_MAX;
    for (int64_t i = 0; i < (int64_t)k * c * kh * kh; i++) wt[i] = (float)rand() / RAND_MAX;
    for (int64_t i = 0; i < (int64_t)n * k * oh * ow; i++) y[i] = (float)rand() / RAND_MAX;
    float* scratch = malloc(sizeof(float) * cs_conv_direct_scratch(&g, k, 1));
    double flops = 2.0 * n * k * c * kh * kh * oh * ow;
    const char* names[4] = {"forward", "weight gradient", "input gradient", "sgemm 512^3"};
    openblas_set_num_threads(1);
    float* big = calloc(3 * 512 * 512, sizeof(float));
    for (int which = 0; which < 4; which++) {
        double times[15];
        for (int r = 0; r < 15; r++) {
            double t0 = now();
            int reps = 0;
            do {
                if (which == 0) cs_conv_direct_f32(&g, k, x, wt, NULL, y, scratch, 0, 1);
                else if (which == 1) cs_conv_direct_grad_weight_f32(&g, k, x, y, dw, scratch, 0, 1);
                else if (which == 2) { if (stride == 1) cs_conv_direct_grad_input_f32(&g, k, wt, y, dx, scratch); }
                else cblas_sgemm(101, 111, 111, 512, 512, 512, 1.0f, big, 512, big + 512 * 512, 512, 0.0f, big + 2 * 512 * 512, 512);
                reps++;
            } while (now() - t0 < 0.02);
            times[r] = (now() - t0) / reps;
        }
        qsort(times, 15, sizeof(double), cmp);
        if (which == 3) flops = 2.0 * 512 * 512 * 512;
        printf("%-16s %8.1f us  %6.1f GFLOP/s\n", names[which], times[7] * 1e6, flops / times[7] * 1e-9);
    }
    return 0;
}
