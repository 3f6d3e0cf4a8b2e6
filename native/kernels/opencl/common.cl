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

/* y_k[0, n_k) = value for up to 16 slices in one launch (zero-grad, a backward pass's intermediate gradients): the
 * work-items run over the slices back to back, lo.sK / hi.sK being where slice K (K + 8) ends in that flat range. */
#define CS_FILL_ARGS(k) , __global float* y##k, long yo##k
#define CS_FILL_PICK(k) case k: y = y##k + yo##k; break;
__kernel void cs_fill_multi(long8 lo, long8 hi, float value CS_FILL_ARGS(0) CS_FILL_ARGS(1) CS_FILL_ARGS(2) CS_FILL_ARGS(3)
                            CS_FILL_ARGS(4) CS_FILL_ARGS(5) CS_FILL_ARGS(6) CS_FILL_ARGS(7) CS_FILL_ARGS(8) CS_FILL_ARGS(9)
                            CS_FILL_ARGS(10) CS_FILL_ARGS(11) CS_FILL_ARGS(12) CS_FILL_ARGS(13) CS_FILL_ARGS(14) CS_FILL_ARGS(15))
{
    const long i = GID0;
    const long e[16] = { lo.s0, lo.s1, lo.s2, lo.s3, lo.s4, lo.s5, lo.s6, lo.s7, hi.s0, hi.s1, hi.s2, hi.s3, hi.s4, hi.s5, hi.s6, hi.s7 };
    int s = 0;
    long start = 0;
    while (s < 16 && i >= e[s]) start = e[s++];
    if (s == 16) return;
    __global float* y = 0;
    switch (s) {
        CS_FILL_PICK(0) CS_FILL_PICK(1) CS_FILL_PICK(2) CS_FILL_PICK(3) CS_FILL_PICK(4) CS_FILL_PICK(5) CS_FILL_PICK(6) CS_FILL_PICK(7)
        CS_FILL_PICK(8) CS_FILL_PICK(9) CS_FILL_PICK(10) CS_FILL_PICK(11) CS_FILL_PICK(12) CS_FILL_PICK(13) CS_FILL_PICK(14) CS_FILL_PICK(15)
    }
    y[i - start] = value;
}

/* The 4-word lanes of a uchar buffer stored in a float buffer: bytes -> floats. */
__kernel void cs_bytes_to_float(__global const uchar* src, long n, __global float* y, long yo, float scale)
{
    long i = GID0;
    if (i < n) y[yo + i] = scale * (float)src[i];
}
