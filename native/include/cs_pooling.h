/* cs_pooling.h: pooling kernels (max, average, Lp, adaptive, fractional) and their backward. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_POOLING_H
#define CS_POOLING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
