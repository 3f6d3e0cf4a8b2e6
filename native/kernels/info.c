/* Facts about this build that the managed side checks or logs. */
#include "convsharp_native.h"

const char* cs_native_isa(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512f";
    if (__builtin_cpu_supports("avx2")) return "avx2";
#endif
    return "default";
}

int32_t cs_native_abi_version(void) { return CS_NATIVE_ABI_VERSION; }
