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
#include "shared/binary.h"
#include "shared/unary.h"

#define apply_binary cs_binary_apply

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
    case CS_EW_RELU_MASK: INNER_LOOP(CS_EW_RELU_MASK) break;
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

/* One loop per op, each over the shared body with the op a constant, so the switch inside folds away. */
#define UNARY_CASE(c, cs) \
    case CS_U_##c: for (int64_t i = 0; i < n; i++) y[i] = cs_unary_forward(CS_U_##c, x[i], alpha, beta); break;
#define UNARY_BACKWARD_CASE(c, cs) \
    case CS_U_##c: for (int64_t i = 0; i < n; i++) dx[i] += cs_unary_backward_term(CS_U_##c, x[i], y[i], dy[i], alpha, beta); break;

int32_t cs_unary_f32(int32_t op, int64_t n, const float* x, float* y, float alpha, float beta)
{
    if (!x || !y) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    switch (op) {
    CS_UNARY_OPS(UNARY_CASE)
    default: return CS_E_RANGE;
    }
    return CS_OK;
}

int32_t cs_unary_backward_f32(int32_t op, int64_t n, const float* x, const float* y, const float* dy,
                              float* dx, float alpha, float beta)
{
    if (!x || !y || !dy || !dx) return CS_E_NULL;
    if (n < 0) return CS_E_RANGE;
    switch (op) {
    CS_UNARY_OPS(UNARY_BACKWARD_CASE)
    default: return CS_E_RANGE;
    }
    return CS_OK;
}

#define ENUM_VALUE(c, cs) if (!strcmp(value_name, #cs)) return value; value++;

int32_t cs_enum_value(const char* enum_name, const char* value_name)
{
    if (!enum_name) return -1;
    int32_t value = 0;
    if (!strcmp(enum_name, "BinaryOp")) {
        if (!value_name) return CS_EW_COUNT;
        CS_BINARY_OPS(ENUM_VALUE)
    } else if (!strcmp(enum_name, "UnaryOp")) {
        if (!value_name) return CS_U_COUNT;
        CS_UNARY_OPS(ENUM_VALUE)
    }
    return -1;
}
