/* Reductions along one dimension, on the (outer, n, inner) view of a contiguous tensor: element
 * (o, j, i) sits at (o*n + j)*inner + i and the reduction runs over j. */
#include <math.h>

#include "convsharp_native.h"

int32_t cs_max_along_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* values, float* indices)
{
    if (!x || !values || !indices) return CS_E_NULL;
    if (outer < 1 || n < 1 || inner < 1) return CS_E_RANGE;
    for (int64_t o = 0; o < outer; o++) {
        const float* xo = x + o * n * inner;
        float* vo = values + o * inner;
        float* io = indices + o * inner;
        for (int64_t i = 0; i < inner; i++) { vo[i] = xo[i]; io[i] = 0.0f; }
        /* j outer, i inner: the inner loop runs over contiguous memory. NaN wins and stays (PyTorch). */
        for (int64_t j = 1; j < n; j++) {
            const float* row = xo + j * inner;
            for (int64_t i = 0; i < inner; i++) {
                float v = row[i];
                if ((v > vo[i] || v != v) && vo[i] == vo[i]) { vo[i] = v; io[i] = (float)j; }
            }
        }
    }
    return CS_OK;
}

