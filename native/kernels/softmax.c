/* Softmax and log-softmax along one axis, forward and backward.
 *
 * Layout (outer, n, inner): the reduction axis has n entries, inner consecutive positions apart.
 * inner == 1 (the last dimension, the common case) is a contiguous row; otherwise NN_TILE inner
 * positions are processed together so that every inner loop runs over contiguous memory.
 * Backward ADDS into dx. */
#include "convsharp_native.h"
#include "nn_common.h"

static int32_t check_layout(int64_t outer, int64_t n, int64_t inner)
{
    return outer < 1 || n < 1 || inner < 1 ? CS_E_RANGE : CS_OK;
}

int32_t cs_softmax_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* y, int32_t log)
{
    if (!x || !y) return CS_E_NULL;
    if (check_layout(outer, n, inner) != CS_OK) return CS_E_RANGE;
    const int64_t slice = n * inner;
    for (int64_t o = 0; o < outer; o++) nn_softmax_slice(n, inner, x + o * slice, y + o * slice, log != 0);
    return CS_OK;
}

/* One outer slice of the backward. */
NN_INLINE void softmax_backward_slice(int64_t n, int64_t inner, const float* y, const float* dy, float* dx, int log)
{
    if (inner == 1) {
        if (log) {
            const float s = nn_row_sum(dy, n);
            for (int64_t k = 0; k < n; k++) dx[k] += dy[k] - nn_expf(y[k]) * s;
        } else {
            const float s = nn_row_dot(dy, y, n);
            for (int64_t k = 0; k < n; k++) dx[k] += y[k] * (dy[k] - s);
        }
        return;
    }
    float s[NN_TILE];
    for (int64_t j0 = 0; j0 < inner; j0 += NN_TILE) {
        const int64_t w = nn_min64(NN_TILE, inner - j0);
        for (int64_t j = 0; j < w; j++) s[j] = 0.0f;
        for (int64_t k = 0; k < n; k++) {
            const int64_t at = k * inner + j0;
            if (log) for (int64_t j = 0; j < w; j++) s[j] += dy[at + j];
            else for (int64_t j = 0; j < w; j++) s[j] += dy[at + j] * y[at + j];
        }
        for (int64_t k = 0; k < n; k++) {
            const int64_t at = k * inner + j0;
            if (log) for (int64_t j = 0; j < w; j++) dx[at + j] += dy[at + j] - nn_expf(y[at + j]) * s[j];
            else for (int64_t j = 0; j < w; j++) dx[at + j] += y[at + j] * (dy[at + j] - s[j]);
        }
    }
}

int32_t cs_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, const float* y, const float* dy,
                                float* dx, int32_t log)
{
    if (!y || !dy || !dx) return CS_E_NULL;
    if (check_layout(outer, n, inner) != CS_OK) return CS_E_RANGE;
    const int64_t slice = n * inner;
    for (int64_t o = 0; o < outer; o++)
        softmax_backward_slice(n, inner, y + o * slice, dy + o * slice, dx + o * slice, log != 0);
    return CS_OK;
}
