/* cs_conv.h: convolution-specific kernels (transposed convolution, upsampling). Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_CONV_H
#define CS_CONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
