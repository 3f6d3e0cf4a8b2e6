/* cs_nn.h: softmax, losses, batch norm, dropout. Included by convsharp_native.h; same conventions (CS_API, status codes). */
#ifndef CS_NN_H
#define CS_NN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
