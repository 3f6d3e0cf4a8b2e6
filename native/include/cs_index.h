/* cs_index.h: gathering and scattering along one dimension (index.c). Included by convsharp_native.h;
 * same conventions (CS_API, status codes).
 *
 * On the (outer, n, inner) view of the source and the (outer, k, inner) view of the index and of the
 * gathered values: element (o, j, i) of the index sits at (o*k + j)*inner + i and holds a whole number
 * in [0, n) as a float; it picks source element (o, index, i), which sits at (o*n + index)*inner + i. */
#ifndef CS_INDEX_H
#define CS_INDEX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* y[o, j, i] = x[o, index[o, j, i], i]. CS_E_RANGE (nothing promised about y) on an index outside [0, n). */
CS_API int32_t cs_gather_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k,
                                   const float* x, const float* index, float* y);
/* dx[o, index[o, j, i], i] += g[o, j, i], j ascending for every (o, i): the backward of the gather. */
CS_API int32_t cs_scatter_add_along_f32(int64_t outer, int64_t n, int64_t inner, int64_t k,
                                        const float* g, const float* index, float* dx);

#ifdef __cplusplus
}
#endif

#endif
