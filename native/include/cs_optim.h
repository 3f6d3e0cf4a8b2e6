/* cs_optim.h: fused optimizer updates (one pass over a parameter tensor) and gradient clipping. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_OPTIM_H
#define CS_OPTIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
