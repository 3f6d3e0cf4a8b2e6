/* Run-time SIMD selection: a function marked CS_MULTIVERSION is compiled once per instruction set
 * below and an ifunc resolver picks the best clone on first call, so one x86-64 binary uses
 * AVX-512 or AVX2 where the CPU has them and still runs on any x86-64. */
#ifndef CS_SIMD_H
#define CS_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CS_NO_MULTIVERSION)
#define CS_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CS_MULTIVERSION
#endif

#endif
