/* Single-thread timing of the element-wise, pooling and optimizer kernels (the per-ISA loops):
 *   gcc -O2 -Inative/include native/bench/kernel_bench.c -Lartifacts/native/linux-x64 -lconvsharp_native -o /tmp/kernel_bench
 *   LD_LIBRARY_PATH=artifacts/native/linux-x64 [CONVSHARP_ISA=sse2] /tmp/kernel_bench
 * Prints the median of 15 runs of each kernel in ns per element (per output element for the pools).
 *   [CONVSHARP_ISA=...] valgrind --tool=callgrind /tmp/kernel_bench WHICH REPS
 * runs kernel WHICH (0-7, in the order printed) REPS times untimed, for instruction counts that do not depend on
 * the machine's load. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "convsharp_native.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }

#define N (1 << 16)
static float x[N], y[N], dy[N], dx[N], m[N], v[N];
static int32_t idx[N];

static void run(int which)
{
    /* 64 planes of 28x28 (a LeNet-sized batch of one channel): 12544 outputs at 2x2 stride 2 */
    static const cs_pool_geometry pool = {64, 1, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1, 0, 14, 14};
    static const int64_t shape[1] = {N}, unit[1] = {1};
    switch (which) {
    case 0: cs_unary_f32(CS_U_RELU, N, x, y, 0, 0); break;
    case 1: cs_unary_f32(CS_U_TANH, N, x, y, 0, 0); break;
    case 2: cs_unary_f32(CS_U_SIGMOID, N, x, y, 0, 0); break;
    case 3: cs_unary_backward_f32(CS_U_TANH, N, x, y, dy, dx, 0, 0); break;
    case 4: cs_elementwise_f32(CS_EW_ADD, 1, shape, y, unit, x, unit, dy, unit, 1.0f, 0); break;
    case 5: cs_max_pool2d_f32(x, &pool, y, idx); break;
    case 6: cs_avg_pool2d_f32(x, &pool, 1, 0, y); break;
    case 7: cs_adam_step_f32(N, y, dy, m, v, NULL, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 0.1f, 0.001f, 0, 0); break;
    }
}

int main(int argc, char** argv)
{
    const char* names[] = {"relu", "tanh", "sigmoid", "tanh backward", "add", "maxpool 2x2s2", "avgpool 2x2s2", "adam step"};
    const double elems[] = {N, N, N, N, N, 64 * 14 * 14, 64 * 14 * 14, N};
    for (int i = 0; i < N; i++) { x[i] = (float)rand() / RAND_MAX * 8 - 4; dy[i] = (float)rand() / RAND_MAX; y[i] = 0.5f; }
    printf("kernels: %s\n", cs_kernel_isa());
    if (argc == 3) {
        const int which = atoi(argv[1]), reps = atoi(argv[2]);
        for (int r = 0; r < reps; r++) run(which);
        return 0;
    }
    for (int which = 0; which < 8; which++) {
        double times[15];
        for (int r = 0; r < 15; r++) {
            double t0 = now();
            int reps = 0;
            do { run(which); reps++; } while (now() - t0 < 0.01);
            times[r] = (now() - t0) / reps;
        }
        qsort(times, 15, sizeof(double), cmp);
        printf("%-16s %8.3f ns/element\n", names[which], times[7] * 1e9 / elems[which]);
    }
    return 0;
}
