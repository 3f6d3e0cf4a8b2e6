using System.Runtime.InteropServices;

namespace ConvSharp;

/// <summary>ConvSharp's own CPU kernels (libconvsharp_native), as opposed to the OpenBLAS linked into the same
/// library (<see cref="Blas"/>).</summary>
public static unsafe class NativeKernels
{
    /// <summary>The instruction set the kernels run with, chosen once at load from the CPU: "avx512" (AVX-512F),
    /// "avx2" (AVX2 + FMA) or "sse2" on x86-64, "generic" on other CPUs. The environment variable
    /// <c>CONVSHARP_ISA</c> (sse2, avx2 or avx512), read at load, lowers it; asking for more than the CPU supports
    /// gets the best it supports.</summary>
    public static string Isa => Marshal.PtrToStringUTF8((IntPtr)Interop.Native.cs_kernel_isa()) ?? "";
}
