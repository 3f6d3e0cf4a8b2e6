/* One instruction-set dispatch for the whole kernel library.
 *
 * The kernel sources are compiled once per instruction set (CMake: AVX-512F, AVX2 + FMA and SSE2 on x86-64,
 * one generic build elsewhere), with every entry point of cs_exports.def renamed to <name>_<isa> and hidden.
 * Each instantiation contributes one table (isa_table.c); isa.c picks a table once, from cpuid and xgetbv
 * (the CPU must have the instructions and the OS must save their registers) capped by CONVSHARP_ISA, and
 * defines the exported entry points as calls through it. Code inside one instantiation that needs the vector
 * width tests the compiler's own macros (__AVX512F__, __AVX2__), which the per-ISA flags set. */
#ifndef CS_ISA_H
#define CS_ISA_H

#include "convsharp_native.h"

typedef struct cs_isa_table {
    const char* name;  /* "avx512", "avx2", "sse2" or "generic": what cs_kernel_isa reports */
#define CS_EXPORT(ret, name, params, args) ret (*name) params;
#include "cs_exports.def"
#undef CS_EXPORT
} cs_isa_table;

#endif
