/* Picks the kernel instantiation once and defines the exported entry points as calls through its table
 * (see cs_isa.h). Compiled once, for the baseline instruction set: it must run on any CPU of its family. */
#include <stdlib.h>
#include <string.h>

#include "cs_isa.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CS_X86 1
#endif

#ifdef CS_X86
extern const cs_isa_table cs_isa_table_avx512, cs_isa_table_avx2, cs_isa_table_sse2;

/* The OS's saved-state mask (XCR0); only valid when CPUID reports OSXSAVE. Inline assembly rather than the
 * _xgetbv intrinsic, which needs -mxsave on this baseline-compiled file. */
static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* 2: AVX-512F, 1: AVX2 + FMA, 0: SSE2 (every x86-64 has it). */
static int best_x86_level(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return 0;
    const uint64_t xcr = xcr0();
    if ((xcr & 0x6) != 0x6) return 0;  /* XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    if (avx512f && fma && (xcr & 0xE0) == 0xE0) return 2;  /* and opmask, ZMM0-15 upper halves, ZMM16-31 */
    return avx2 && fma ? 1 : 0;
}
#else
extern const cs_isa_table cs_isa_table_generic;
#endif

static const cs_isa_table* choose(void)
{
#ifdef CS_X86
    static const cs_isa_table* const levels[3] = {&cs_isa_table_sse2, &cs_isa_table_avx2, &cs_isa_table_avx512};
    int level = best_x86_level();
    /* CONVSHARP_ISA can only lower the choice: asking for more than the CPU has gets the CPU's best. */
    const char* forced = getenv("CONVSHARP_ISA");
    if (forced) {
        int want = !strcmp(forced, "sse2") ? 0 : !strcmp(forced, "avx2") ? 1 : !strcmp(forced, "avx512") ? 2 : -1;
        if (want >= 0 && want < level) level = want;
    }
    return levels[level];
#else
    return &cs_isa_table_generic;
#endif
}

/* Chosen on the first call from any thread; a race only makes two threads compute the same pointer. */
static const cs_isa_table* s_table;

static inline const cs_isa_table* cs_isa(void)
{
    const cs_isa_table* t = __atomic_load_n(&s_table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t == NULL, 0)) {
        t = choose();
        __atomic_store_n(&s_table, t, __ATOMIC_RELEASE);
    }
    return t;
}

#define CS_EXPORT(ret, name, params, args) ret name params { return cs_isa()->name args; }
#include "cs_exports.def"
#undef CS_EXPORT

const char* cs_kernel_isa(void) { return cs_isa()->name; }

int32_t cs_native_abi_version(void) { return CS_NATIVE_ABI_VERSION; }
