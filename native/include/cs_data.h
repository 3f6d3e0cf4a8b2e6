/* cs_data.h: data transforms: image warps (resize, affine, perspective), crops, flips, colour. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_DATA_H
#define CS_DATA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
