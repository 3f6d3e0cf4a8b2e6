/* Proves the sanitizer build really checks the kernels: calls cs_im2col_f32 with a column buffer one
 * float short, which the managed side makes impossible (CpuKernels checks every length first).
 * Built and run by hand (docs/reliability.md); an ASan heap-buffer-overflow report is the expected output. */
#include <stdio.h>
#include <stdlib.h>
#include "convsharp_native.h"

int main(void)
{
    cs_conv_geometry g = { .n = 1, .c = 1, .h = 4, .w = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 0, .pw = 0, .dh = 1, .dw = 1 };
    size_t col_len = 1 * 3 * 3 * 2 * 2;  /* C·KH·KW × N·OH·OW */
    float* x = calloc(16, sizeof(float));
    float* col = malloc((col_len - 1) * sizeof(float));
    int32_t status = cs_im2col_f32(x, &g, col);
    printf("status %d (not reached under ASan)\n", status);
    free(col);
    free(x);
    return 0;
}
