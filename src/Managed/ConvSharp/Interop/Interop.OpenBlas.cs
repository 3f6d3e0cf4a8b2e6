using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    /// <summary>OpenBLAS entry points (statically linked into libconvsharp_native.so).</summary>
    internal static unsafe partial class OpenBlas
    {
        internal const int RowMajor = 101;
        internal const int NoTrans = 111;
        internal const int Trans = 112;

        // void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB,
        //                  blasint m, blasint n, blasint k, float alpha, const float* a, blasint lda,
        //                  const float* b, blasint ldb, float beta, float* c, blasint ldc);
        [LibraryImport(Libraries.OpenBlas)]
        internal static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
            float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

        // void openblas_set_num_threads(int num_threads);
        [LibraryImport(Libraries.OpenBlas)]
        internal static partial void openblas_set_num_threads(int numThreads);

        // int openblas_get_num_threads(void);
        [LibraryImport(Libraries.OpenBlas)]
        internal static partial int openblas_get_num_threads();

        // char* openblas_get_corename(void);
        [LibraryImport(Libraries.OpenBlas)]
        internal static partial byte* openblas_get_corename();

        // char* openblas_get_config(void);
        [LibraryImport(Libraries.OpenBlas)]
        internal static partial byte* openblas_get_config();
    }
}
