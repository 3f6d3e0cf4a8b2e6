namespace ConvSharp;

internal static partial class Interop
{
    /// <summary>Native library names, as [LibraryImport] sees them. The resolver maps them to files.</summary>
    internal static class Libraries
    {
        /// <summary>Our kernels: native/kernels/*.c, built by native/CMakeLists.txt.</summary>
        internal const string Native = "convsharp_native";

        /// <summary>OpenBLAS is linked statically into libconvsharp_native.so and its entry points are
        /// re-exported from there (native/exports.map), so no system OpenBLAS is needed at run time.</summary>
        internal const string OpenBlas = Native;

        /// <summary>The system's MPI library (Open MPI's libmpi.so.40), loaded only by ConvSharp.Distributed
        /// under an MPI launcher; the resolver finds it and checks its ABI (NativeLibraryResolver.Mpi.cs).</summary>
        internal const string Mpi = "mpi";
    }
}
