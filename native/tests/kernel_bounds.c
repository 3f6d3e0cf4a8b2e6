/* Sanitizer driver for the window kernels: im2col/col2im (batch and per image), the direct convolution
 * (forward, weight and input gradients, both tile families) and max/avg pooling,
 * forward and backward, over thousands of random geometries (stride, padding, dilation, ceil mode, odd
 * sizes), each buffer malloc'd at exactly the size the header documents, so AddressSanitizer sees any
 * read or write past it and UBSan any overflow or bad shift. Not part of CI; see docs/reliability.md:
 *   gcc -fsanitize=address,undefined -g -Inative/include native/tests/kernel_bounds.c \
 *       -L<out> -lconvsharp_native -Wl,-rpath,<out> -o kernel_bounds && ./kernel_bounds 5000 */
#include <stdio.h>
#include <stdlib.h>
#include "convsharp_native.h"

static unsigned long long state = 88172645463325252ull;
static int next(int lo, int hi)  /* uniform in [lo, hi] (xorshift64) */
{
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return lo + (int)(state % (unsigned long long)(hi - lo + 1));
}

static float* floats(int64_t n)
{
    float* p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++) p[i] = (float)next(-100, 100) / 37.0f;
    return p;
}

static int conv_case(void)
{
    cs_conv_geometry g = { next(1, 3), next(1, 4), next(1, 13), next(1, 13), next(1, 5), next(1, 5),
                           next(1, 3), next(1, 3), next(0, 3), next(0, 3), next(1, 3), next(1, 3) };
    int64_t oh = cs_conv_out_size(g.h, g.kh, g.sh, g.ph, g.dh), ow = cs_conv_out_size(g.w, g.kw, g.sw, g.pw, g.dw);
    if (oh < 1 || ow < 1) return 0;
    int64_t rows = (int64_t)g.c * g.kh * g.kw, cols = (int64_t)g.n * oh * ow, in = (int64_t)g.n * g.c * g.h * g.w;
    float *x = floats(in), *col = floats(rows * cols), *dx = floats(in);
    int bad = cs_im2col_f32(x, &g, col) != CS_OK || cs_col2im_f32(col, &g, dx) != CS_OK;
    for (int i = 0; i < g.n && !bad; i++)  /* per image into its own column block of the batch matrix */
        bad = cs_im2col_image_f32(x + (int64_t)i * g.c * g.h * g.w, &g, col, cols, i * oh * ow) != CS_OK ||
              cs_col2im_image_f32(col, cols, i * oh * ow, &g, dx + (int64_t)i * g.c * g.h * g.w) != CS_OK;
    free(x); free(col); free(dx);
    return bad ? -1 : 1;
}

/* Direct convolution: channel counts on both sides of the channel-lane threshold, planes from 1×1 to ones split
 * into bands, strides 1-3 (the input gradient for stride 1), every part of a 1-3 way split. */
static int direct_case(void)
{
    int big = next(0, 9) == 0, stride = next(0, 1) ? 1 : next(2, 3);
    cs_conv_geometry g = { next(1, 3), next(1, 20), big ? next(60, 90) : next(1, 12), big ? next(60, 90) : next(1, 12),
                           next(1, 5), next(1, 5), stride, stride, next(0, 3), next(0, 3), next(1, 3), next(1, 3) };
    int64_t k = next(1, 40), parts = next(1, 3);
    int64_t oh = cs_conv_out_size(g.h, g.kh, g.sh, g.ph, g.dh), ow = cs_conv_out_size(g.w, g.kw, g.sw, g.pw, g.dw);
    if (oh < 1 || ow < 1) return 0;
    int64_t in = (int64_t)g.n * g.c * g.h * g.w, out = (int64_t)g.n * k * oh * ow, wn = k * g.c * g.kh * g.kw;
    float *x = floats(in), *w = floats(wn), *b = floats(k), *y = floats(out), *dw = floats(wn), *dx = floats(in);
    float* scratch = floats(cs_conv_direct_scratch(&g, k, parts));
    int bad = 0;
    for (int64_t part = 0; part < parts && !bad; part++)
        bad = cs_conv_direct_f32(&g, k, x, w, next(0, 1) ? b : NULL, y, scratch, part, parts) != CS_OK ||
              cs_conv_direct_grad_weight_f32(&g, k, x, y, dw, scratch, part, parts) != CS_OK;
    if (!bad && stride == 1) bad = cs_conv_direct_grad_input_f32(&g, k, w, y, dx, scratch) != CS_OK;
    free(x); free(w); free(b); free(y); free(dw); free(dx); free(scratch);
    return bad ? -1 : 1;
}

static int pool_case(void)
{
    cs_pool_geometry g = { next(1, 2), next(1, 3), next(1, 13), next(1, 13), next(1, 4), next(1, 4),
                           next(1, 3), next(1, 3), 0, 0, 1, 1, next(0, 1), 0, 0 };
    g.ph = next(0, g.kh / 2); g.pw = next(0, g.kw / 2);
    int avg = next(0, 1);
    if (!avg) { g.dh = next(1, 2); g.dw = next(1, 2); }
    g.oh = (int32_t)cs_pool_out_size(g.h, g.kh, g.sh, g.ph, g.dh, g.ceil_mode);
    g.ow = (int32_t)cs_pool_out_size(g.w, g.kw, g.sw, g.pw, g.dw, g.ceil_mode);
    if (g.oh < 1 || g.ow < 1) return 0;
    int64_t planes = (int64_t)g.n * g.c, in = planes * g.h * g.w, out = planes * g.oh * g.ow;
    float *x = floats(in), *y = floats(out), *dx = floats(in);
    int bad;
    if (avg)
    {
        int include = next(0, 1), divisor = next(0, 1) ? 0 : next(1, 9);
        bad = cs_avg_pool2d_f32(x, &g, include, divisor, y) != CS_OK || cs_avg_pool2d_backward_f32(y, &g, include, divisor, dx) != CS_OK;
    }
    else
    {
        int32_t* indices = malloc((size_t)out * sizeof(int32_t));
        bad = cs_max_pool2d_f32(x, &g, y, indices) != CS_OK ||
              cs_max_pool2d_backward_f32(y, indices, planes, (int64_t)g.h * g.w, (int64_t)g.oh * g.ow, dx) != CS_OK ||
              cs_max_pool2d_f32(x, &g, y, NULL) != CS_OK;
        free(indices);
    }
    free(x); free(y); free(dx);
    return bad ? -1 : 1;
}

int main(int argc, char** argv)
{
    int cases = argc > 1 ? atoi(argv[1]) : 2000, conv = 0, direct = 0, pool = 0;
    for (int i = 0; i < cases; i++)
    {
        int c = conv_case(), d = direct_case(), p = pool_case();
        if (c < 0 || d < 0 || p < 0) { fprintf(stderr, "case %d: a kernel refused a valid geometry\n", i); return 1; }
        conv += c; direct += d; pool += p;
    }
    printf("%d convolution, %d direct convolution and %d pooling geometries ran clean (%s kernels)\n", conv, direct, pool, cs_kernel_isa());
    return 0;
}
