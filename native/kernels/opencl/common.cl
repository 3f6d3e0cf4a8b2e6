/* Shared by every ConvSharp OpenCL kernel; the program is the concatenation of common.cl and the other
 * .cl files of this folder (Backends/OpenCL/OpenCLProgram.cs), compiled once per device and process.
 *
 * Conventions: every buffer argument is followed by its offset in floats (a BufferSlice is a cl_mem
 * plus an offset), so kernels never need sub-buffers. An optional buffer is passed as NULL. Backward
 * kernels ADD into their gradients, as the CPU kernels do. No kernel uses atomics on floats: where the
 * CPU scatters, these gather (or one work-item owns a whole plane), so results are deterministic.
 *
 * acc_t is the accumulator of long sums: double where the device has fp64 (as the CPU kernels sum),
 * else float. ACC(1.0) writes a literal of that type. */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#define CS_HAS_FP64 1
#define ACC(lit) lit
#else
typedef float acc_t;
#define CS_HAS_FP64 0
#define ACC(lit) lit##f
#endif

#define GID0 ((long)get_global_id(0))
#define GID1 ((long)get_global_id(1))

/* Rounds x (an exact integer value) to a long without UB outside the range. */
inline long cs_index_of(float v) { return (long)v; }

__kernel void cs_fill(__global float* y, long yo, long n, float value)
{
    long i = GID0;
    if (i < n) y[yo + i] = value;
}

/* The 4-word lanes of a uchar buffer stored in a float buffer: bytes -> floats. */
__kernel void cs_bytes_to_float(__global const uchar* src, long n, __global float* y, long yo, float scale)
{
    long i = GID0;
    if (i < n) y[yo + i] = scale * (float)src[i];
}
