/* Fixed-repetition driver of the direct convolution kernels for instruction counts (docs/benchmarks.md):
 *   gcc -O2 -Inative/include native/bench/conv_ir.c -L<lib dir> -lconvsharp_native -o /tmp/conv_ir
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/conv_ir WHICH REPS [N C K H W]   (0 forward, 1 dw, 2 dx, 3 none;
 *   default shape 16 16 32 28 28, 3×3 padding 1) */
#include <stdio.h>
#include <stdlib.h>
#include "convsharp_native.h"
int main(int argc, char** argv)
{
    int which = atoi(argv[1]), reps = atoi(argv[2]);
    int n = 16, c = 16, k = 32, h = 28, w = 28;
    if (argc > 7) { n = atoi(argv[3]); c = atoi(argv[4]); k = atoi(argv[5]); h = atoi(argv[6]); w = atoi(argv[7]); }
    cs_conv_geometry g = {n, c, h, w, 3, 3, 1, 1, 1, 1, 1, 1};
    float* x = calloc((size_t)n * c * h * w, 4); float* wt = calloc((size_t)k * c * 9, 4);
    float* y = calloc((size_t)n * k * h * w, 4); float* dw = calloc((size_t)k * c * 9, 4); float* dx = calloc((size_t)n * c * h * w, 4);
    float* s = malloc(4 * cs_conv_direct_scratch(&g, k, 1));
    for (int r = 0; r < reps; r++) {
        if (which == 0) cs_conv_direct_f32(&g, k, x, wt, NULL, y, s, 0, 1);
        else if (which == 1) cs_conv_direct_grad_weight_f32(&g, k, x, y, dw, s, 0, 1);
        else if (which == 2) cs_conv_direct_grad_input_f32(&g, k, wt, y, dx, s);
    }
    printf("%f\n", y[0] + dw[0] + dx[0]);
    return 0;
}
