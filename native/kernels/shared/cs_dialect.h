/* What lets one body compile both as C (the CPU kernels, libconvsharp_native) and as OpenCL C (the OpenCL
 * program, which prepends the files of this folder to its source with their #include lines removed):
 *   CS_DEVICE   a function body the kernels call per element (C: static inline, always inlined, so a loop over
 *               it with a constant op folds to one branch-free vectorizable body; OpenCL C: inline);
 *   CS_GLOBAL   the address space of a buffer pointer (C: nothing; OpenCL C: __global);
 *   cs_index    element indices (int64_t / long: 64-bit on every host, unlike C's long on Windows);
 *   cs_u32, cs_u64, cs_i32  fixed-width integers;
 *   CS_*F       the float math functions (C's f-suffixed names; OpenCL C's overloaded built-ins).
 * Bodies use only these names, float arithmetic and ternaries, so GCC vectorizes the C loops over them. */
#ifndef CS_DIALECT_H
#define CS_DIALECT_H

#if defined(__OPENCL_C_VERSION__) || defined(__OPENCL_VERSION__)
#define CS_DEVICE inline
#define CS_GLOBAL __global
typedef long cs_index;
typedef uint cs_u32;
typedef ulong cs_u64;
typedef int cs_i32;
#define CS_EXPF(x) exp(x)
#define CS_EXPM1F(x) expm1(x)
#define CS_LOGF(x) log(x)
#define CS_LOG1PF(x) log1p(x)
#define CS_SQRTF(x) sqrt(x)
#define CS_ERFF(x) erf(x)
#define CS_POWF(x, y) pow(x, y)
#define CS_FABSF(x) fabs(x)
#define CS_RINTF(x) rint(x)
#define CS_TRUNCF(x) trunc(x)
#define CS_COPYSIGNF(x, y) copysign(x, y)
#define CS_MULHI32(a, b) mul_hi((uint)(a), (uint)(b))
CS_DEVICE float cs_float_from_bits(int bits) { return as_float(bits); }
#else
#include <math.h>
#include <stdint.h>
#include <string.h>
#define CS_DEVICE static inline __attribute__((always_inline))
#define CS_GLOBAL
typedef int64_t cs_index;
typedef uint32_t cs_u32;
typedef uint64_t cs_u64;
typedef int32_t cs_i32;
#define CS_EXPF(x) expf(x)
#define CS_EXPM1F(x) expm1f(x)
#define CS_LOGF(x) logf(x)
#define CS_LOG1PF(x) log1pf(x)
#define CS_SQRTF(x) sqrtf(x)
#define CS_ERFF(x) erff(x)
#define CS_POWF(x, y) powf(x, y)
#define CS_FABSF(x) __builtin_fabsf(x)
#define CS_RINTF(x) __builtin_rintf(x)
#define CS_TRUNCF(x) __builtin_truncf(x)
#define CS_COPYSIGNF(x, y) __builtin_copysignf(x, y)
#define CS_MULHI32(a, b) ((cs_u32)(((cs_u64)(cs_u32)(a) * (cs_u32)(b)) >> 32))
CS_DEVICE float cs_float_from_bits(int32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
#endif

#endif
