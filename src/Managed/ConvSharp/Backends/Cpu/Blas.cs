using System.Runtime.InteropServices;

namespace ConvSharp;

/// <summary>The OpenBLAS linked into ConvSharp's native library: its thread count and which CPU
/// kernels it picked at load time.</summary>
public static unsafe class Blas
{
    /// <summary>Threads OpenBLAS uses for one GEMM (PyTorch's <c>get_num_threads</c>/<c>set_num_threads</c>).</summary>
    public static int NumThreads
    {
        get => Interop.OpenBlas.openblas_get_num_threads();
        set
        {
            Guard.Positive(value);
            Interop.OpenBlas.openblas_set_num_threads(value);
        }
    }

    /// <summary>The CPU kernel family OpenBLAS chose for this machine, e.g. "Cooperlake" or "Haswell".</summary>
    public static string CoreName => Marshal.PtrToStringUTF8((IntPtr)Interop.OpenBlas.openblas_get_corename()) ?? "";

    /// <summary>OpenBLAS's build configuration string (version, DYNAMIC_ARCH, MAX_THREADS).</summary>
    public static string Config => Marshal.PtrToStringUTF8((IntPtr)Interop.OpenBlas.openblas_get_config()) ?? "";
}
