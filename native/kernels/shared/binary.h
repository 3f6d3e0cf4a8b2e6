/* The element body of the binary ops (ops.def's CS_BINARY_OPS) for cs_elementwise_f32 (elementwise.c) and the
 * OpenCL cs_elementwise kernel (elementwise.cl). Maximum and minimum propagate a NaN of a, as PyTorch does. */
#ifndef CS_SHARED_BINARY_H
#define CS_SHARED_BINARY_H

#include "cs_dialect.h"
#include "ops.def"

CS_DEVICE float cs_binary_apply(int op, float a, float b)
{
    switch (op) {
    case CS_EW_ADD: return a + b;
    case CS_EW_SUB: return a - b;
    case CS_EW_MUL: return a * b;
    case CS_EW_DIV: return a / b;
    case CS_EW_POW: return CS_POWF(a, b);
    case CS_EW_MAXIMUM: return a > b || a != a ? a : b;
    case CS_EW_MINIMUM: return a < b || a != a ? a : b;
    case CS_EW_COPY_A: return a;
    case CS_EW_GT_MASK: return a > b ? 1.0f : 0.0f;
    case CS_EW_EQ_MASK: return a == b ? 1.0f : 0.0f;
    case CS_EW_RELU_MASK: return b > 0.0f ? a : 0.0f;
    default: return 0.0f;
    }
}

#endif
