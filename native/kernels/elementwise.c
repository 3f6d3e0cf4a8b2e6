/* Element-wise kernels.
 *
 * cs_elementwise_f32 is the one strided kernel behind broadcasting binary ops, materialized
 * permutes, slices, concatenation and reductions to a broadcast shape: every operand has its own
 * strides (0 on a broadcast dimension), so
 *   out[i] = (accumulate ? out[i] : 0) + alpha * (a[i] op b[i])
 * covers all of them. Adjacent dimensions that are contiguous in every operand are merged first,
 * so a plain same-shape op runs as one flat, vectorizable loop.
 *
 * cs_unary_f32 / cs_unary_backward_f32 are the contiguous maps of activations and math functions;
 * backward ADDS dy * f'(x) into dx. */
#include <math.h>
#include <string.h>

#include "convsharp_native.h"
#include "cs_fastmath.h"
#include "cs_simd.h"

static inline float apply_binary(int32_t op, float a, float b)
{
    switch (op) {
    case CS_EW_ADD: return a + b;
    case CS_EW_SUB: return a - b;
    case CS_EW_MUL: return a * b;
    case CS_EW_DIV: return a / b;
    case CS_EW_POW: return powf(a, b);
    case CS_EW_MAXIMUM: return a > b || a != a ? a : b;
    case CS_EW_MINIMUM: return a < b || a != a ? a : b;
    case CS_EW_COPY_A: return a;
    case CS_EW_GT_MASK: return a > b ? 1.0f : 0.0f;
    case CS_EW_EQ_MASK: return a == b ? 1.0f : 0.0f;
    default: return 0.0f;
    }
}

/* One inner run of n elements with the given strides; the op is a compile-time constant in each
 * instantiation. The common layouts (all unit stride, or b broadcast along the run: a bias, a scalar)
 * get their own loops with the strides and flags hoisted, so they vectorize; the rest is the general
 * strided loop. */
#define STRIDED_LOOP(OPCODE)                                                                       \
    for (int64_t i = 0; i < n; i++) {                                                              \
        float v = alpha * apply_binary(OPCODE, a[i * sa], b ? b[i * sb] : 0.0f);                     \
        out[i * so] = accumulate ? out[i * so] + v : v;                                            \
    }

/* A reduction of a unit-stride run into one output (a sum over the last axis): sixteen independent
 * partial sums instead of one serial chain of dependent adds, so it vectorizes and is more accurate. */
#define REDUCE_LOOP(OPCODE)                                                                        \
    {                                                                                              \
        float part[16] = {0};                                                                      \
        const float bv = b && sb == 0 ? b[0] : 0.0f;                                               \
        int64_t i = 0;                                                                             \
        for (; i + 16 <= n; i += 16)                                                               \
            for (int j = 0; j < 16; j++)                                                           \
                part[j] += apply_binary(OPCODE, a[i + j], b && sb == 1 ? b[i + j] : bv);           \
        float total = 0.0f;                                                                        \
        for (; i < n; i++) total += apply_binary(OPCODE, a[i], b && sb == 1 ? b[i] : bv);          \
        for (int j = 0; j < 16; j++) total += part[j];                                             \
        out[0] += alpha * total;                                                                   \
    }

#define INNER_LOOP(OPCODE)                                                                         \
    if (so == 0 && accumulate && sa == 1 && (!b || sb == 0 || sb == 1)) {                                        \
        REDUCE_LOOP(OPCODE)                                                                        \
    } else if (so == 1 && sa == 1 && b && sb == 1) {                                                      \
        if (accumulate) for (int64_t i = 0; i < n; i++) out[i] += alpha * apply_binary(OPCODE, a[i], b[i]); \
        else for (int64_t i = 0; i < n; i++) out[i] = alpha * apply_binary(OPCODE, a[i], b[i]);    \
    } else if (so == 1 && sa == 1 && (!b || sb == 0)) {                                            \
        const float bv = b ? b[0] : 0.0f;                                                          \
        if (accumulate) for (int64_t i = 0; i < n; i++) out[i] += alpha * apply_binary(OPCODE, a[i], bv); \
        else for (int64_t i = 0; i < n; i++) out[i] = alpha * apply_binary(OPCODE, a[i], bv);      \
    } else if (so == 1 && sa == 0 && b && sb == 1) {                                               \
        const float av = a[0];                                                                     \
        if (accumulate) for (int64_t i = 0; i < n; i++) out[i] += alpha * apply_binary(OPCODE, av, b[i]); \
        else for (int64_t i = 0; i < n; i++) out[i] = alpha * apply_binary(OPCODE, av, b[i]);     \
    } else {                                                                                       \
        STRIDED_LOOP(OPCODE)                                                                       \
    }

CS_MULTIVERSION
static void inner(int32_t op, int64_t n, float* out, int64_t so, const float* a, int64_t sa,
                  const float* b, int64_t sb, float alpha, int32_t accumulate)
{
    switch (op) {
    case CS_EW_ADD: INNER_LOOP(CS_EW_ADD) break;
    case CS_EW_SUB: INNER_LOOP(CS_EW_SUB) break;
    case CS_EW_MUL: INNER_LOOP(CS_EW_MUL) break;
    case CS_EW_DIV: INNER_LOOP(CS_EW_DIV) break;
    case CS_EW_POW: INNER_LOOP(CS_EW_POW) break;
    case CS_EW_MAXIMUM: INNER_LOOP(CS_EW_MAXIMUM) break;
    case CS_EW_MINIMUM: INNER_LOOP(CS_EW_MINIMUM) break;
    case CS_EW_COPY_A: INNER_LOOP(CS_EW_COPY_A) break;
    case CS_EW_GT_MASK: INNER_LOOP(CS_EW_GT_MASK) break;
    case CS_EW_EQ_MASK: INNER_LOOP(CS_EW_EQ_MASK) break;
    default: break;
    }
}

int32_t cs_elementwise_f32(int32_t op, int32_t ndim, const int64_t* shape,
                           float* out, const int64_t* out_strides,
                           const float* a, const int64_t* a_strides,
                           const float* b, const int64_t* b_strides,
                           float alpha, int32_t accumulate)
{
    if (!out || !a || !shape || !out_strides || !a_strides || (b && !b_strides)) return CS_E_NULL;
    if (op < 0 || op >= CS_EW_COUNT || ndim < 0 || ndim > CS_MAX_DIMS) return CS_E_RANGE;
    if (op != CS_EW_COPY_A && !b) return CS_E_NULL;

    /* Merge dimensions that are contiguous in every operand; drop size-1 dimensions. */
    int64_t dims[CS_MAX_DIMS + 1], so[CS_MAX_DIMS + 1], sa[CS_MAX_DIMS + 1], sb[CS_MAX_DIMS + 1];
    int nd = 0;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1) return CS_E_RANGE;
        if (shape[d] == 1) continue;
        int64_t bs = b ? b_strides[d] : 0;
        if (nd > 0 && so[nd - 1] == out_strides[d] * shape[d] && sa[nd - 1] == a_strides[d] * shape[d] &&
            sb[nd - 1] == bs * shape[d]) {
            dims[nd - 1] *= shape[d];
            so[nd - 1] = out_strides[d];
            sa[nd - 1] = a_strides[d];
            sb[nd - 1] = bs;
            continue;
        }
        dims[nd] = shape[d]; so[nd] = out_strides[d]; sa[nd] = a_strides[d]; sb[nd] = bs;
        nd++;
    }
    if (nd == 0) { dims[0] = 1; so[0] = sa[0] = sb[0] = 0; nd = 1; }

    /* Walk the outer dimensions with an odometer; the last one is the inner loop. */
    int64_t idx[CS_MAX_DIMS] = {0};
    const int64_t n = dims[nd - 1];
    for (;;) {
        int64_t oo = 0, oa = 0, ob = 0;
        for (int d = 0; d < nd - 1; d++) { oo += idx[d] * so[d]; oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
        inner(op, n, out + oo, so[nd - 1], a + oa, sa[nd - 1], b ? b + ob : NULL, sb[nd - 1], alpha, accumulate);
        int d = nd - 2;
        while (d >= 0 && ++idx[d] == dims[d]) { idx[d] = 0; d--; }
        if (d < 0) break;
    }
    return CS_OK;
}

static inline float gelu(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }

CS_MULTIVERSION
int32_t cs_unary_f32(int32_t op, int64_t n, const float* x, float* y, float alpha, float beta)
{
    if (!x || !y) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    switch (op) {
    case CS_U_NEG: for (int64_t i = 0; i < n; i++) y[i] = -x[i]; break;
    case CS_U_EXP: for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]); break;
    case CS_U_LOG: for (int64_t i = 0; i < n; i++) y[i] = logf(x[i]); break;
    case CS_U_SQRT: for (int64_t i = 0; i < n; i++) y[i] = sqrtf(x[i]); break;
    case CS_U_ABS: for (int64_t i = 0; i < n; i++) y[i] = fabsf(x[i]); break;
    /* x <= 0 is false for NaN, so NaN passes through as in PyTorch (relu(nan) = nan): a NaN weight behind a ReLU
       must not turn into a finite loss. */
    case CS_U_RELU: for (int64_t i = 0; i < n; i++) y[i] = x[i] <= 0.0f ? 0.0f : x[i]; break;
    case CS_U_SIGMOID:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i], e = cs_exp(-__builtin_fabsf(v));  /* stable on both sides: never exp of a large positive number */
            y[i] = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        }
        break;
    case CS_U_TANH: for (int64_t i = 0; i < n; i++) y[i] = cs_tanh(x[i]); break;
    case CS_U_GELU: for (int64_t i = 0; i < n; i++) y[i] = gelu(x[i]); break;
    case CS_U_ELU: for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * expm1f(x[i]); break;
    case CS_U_LEAKY_RELU: for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i]; break;
    case CS_U_POW: for (int64_t i = 0; i < n; i++) y[i] = powf(x[i], alpha); break;
    case CS_U_CLAMP:
        for (int64_t i = 0; i < n; i++) { float v = x[i] < alpha ? alpha : x[i]; y[i] = v > beta ? beta : v; }
        break;
    case CS_U_AFFINE: for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i] + beta; break;
    default: return CS_E_RANGE;
    }
    return CS_OK;
}

CS_MULTIVERSION
int32_t cs_unary_backward_f32(int32_t op, int64_t n, const float* x, const float* y, const float* dy,
                              float* dx, float alpha, float beta)
{
    if (!x || !y || !dy || !dx) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    switch (op) {
    case CS_U_NEG: for (int64_t i = 0; i < n; i++) dx[i] -= dy[i]; break;
    case CS_U_EXP: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * y[i]; break;
    case CS_U_LOG: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] / x[i]; break;
    case CS_U_SQRT: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * 0.5f / y[i]; break;
    case CS_U_ABS:
        for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : x[i] < 0.0f ? -dy[i] : 0.0f;
        break;
    /* PyTorch's threshold_backward: x <= 0 ? 0 : dy, so a NaN input passes its gradient on. */
    case CS_U_RELU: for (int64_t i = 0; i < n; i++) dx[i] += x[i] <= 0.0f ? 0.0f : dy[i]; break;
    case CS_U_SIGMOID: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1.0f - y[i]); break;
    case CS_U_TANH: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * (1.0f - y[i] * y[i]); break;
    case CS_U_GELU:
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + erff(v * 0.70710678118654752f));
            float pdf = 0.39894228040143268f * expf(-0.5f * v * v);
            dx[i] += dy[i] * (cdf + v * pdf);
        }
        break;
    case CS_U_ELU: for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : dy[i] * (y[i] + alpha); break;
    case CS_U_LEAKY_RELU: for (int64_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : alpha * dy[i]; break;
    case CS_U_POW: for (int64_t i = 0; i < n; i++) dx[i] += dy[i] * alpha * powf(x[i], alpha - 1.0f); break;
    case CS_U_CLAMP: for (int64_t i = 0; i < n; i++) dx[i] += x[i] >= alpha && x[i] <= beta ? dy[i] : 0.0f; break;
    case CS_U_AFFINE: for (int64_t i = 0; i < n; i++) dx[i] += alpha * dy[i]; break;
    default: return CS_E_RANGE;
    }
    (void)beta;
    return CS_OK;
}
