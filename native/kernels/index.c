/* Gather and scatter-add along one dimension (cs_index.h): the kernels of Gather, IndexSelect and Flip. */
#include "convsharp_native.h"

int32_t cs_gather_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k,
                            const float* x, const float* index, float* y)
{
    if (!x || !index || !y) return CS_E_NULL;
    if (outer < 1 || n < 1 || inner < 1 || k < 1) return CS_E_RANGE;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < k; j++) {
            const float* idx = index + (o * k + j) * inner;
            float* yo = y + (o * k + j) * inner;
            const float* xo = x + o * n * inner;
            for (int64_t i = 0; i < inner; i++) {
                float f = idx[i];
                int64_t at = (int64_t)f;
                if (!(f >= 0.0f) || at >= n) return CS_E_RANGE;
                yo[i] = xo[at * inner + i];
            }
        }
    return CS_OK;
}

int32_t cs_scatter_add_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k,
                                 const float* g, const float* index, float* dx)
{
    if (!g || !index || !dx) return CS_E_NULL;
    if (outer < 1 || n < 1 || inner < 1 || k < 1) return CS_E_RANGE;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < k; j++) {
            const float* idx = index + (o * k + j) * inner;
            const float* go = g + (o * k + j) * inner;
            float* dxo = dx + o * n * inner;
            for (int64_t i = 0; i < inner; i++) {
                float f = idx[i];
                int64_t at = (int64_t)f;
                if (!(f >= 0.0f) || at >= n) return CS_E_RANGE;
                dxo[at * inner + i] += go[i];
            }
        }
    return CS_OK;
}
