using System.Runtime.InteropServices;
using System.Text;

namespace ConvSharp;

// The MPI half of the resolver: libmpi is a system library (Debian's openmpi-bin + libopenmpi-dev), loaded
// only when ConvSharp.Distributed runs under an MPI launcher, and only the Open MPI ABI is accepted, since
// the handle representation differs between MPI implementations (Open MPI: pointers to exported globals;
// MPICH and its derivatives: integer constants baked into mpi.h).
internal static partial class NativeLibraryResolver
{
    /// <summary>Names the environment variable that points ConvSharp at a specific libmpi file.</summary>
    internal const string MpiLibraryVariable = "CONVSHARP_MPI_LIBRARY";

    private static IntPtr s_mpiHandle;

    /// <summary>The loaded Open MPI library; loads and checks it on first use.</summary>
    internal static IntPtr MpiHandle
    {
        get
        {
            lock (s_gate)
            {
                if (s_mpiHandle == IntPtr.Zero) s_mpiHandle = LoadMpi();
                return s_mpiHandle;
            }
        }
    }

    /// <summary>The address of an exported global of the MPI library (Open MPI's predefined handles).</summary>
    internal static nint MpiGlobal(string symbol) =>
        NativeLibrary.TryGetExport(MpiHandle, symbol, out IntPtr address)
            ? address
            : throw new EntryPointNotFoundException($"The MPI library has no export '{symbol}'; ConvSharp.Distributed needs Open MPI 4 or 5 (libmpi.so.40).");

    private static IntPtr LoadMpi()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(MpiLibraryVariable) is { Length: > 0 } chosen) candidates.Add(chosen);
        // Open MPI 4/5 first, then the generic development link, then MPICH's soname (recognised, then refused).
        candidates.AddRange(["libmpi.so.40", "libmpi.so", "libmpi.so.12"]);
        var tried = new StringBuilder();
        foreach (string candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                tried.AppendLine($"  {candidate} (not found or failed to load)");
                continue;
            }
            CheckOpenMpi(handle, candidate);
            return handle;
        }
        throw new DllNotFoundException(
            $"ConvSharp.Distributed could not load the MPI library. Tried:{Environment.NewLine}{tried}" +
            "Fix: install Open MPI (Debian/Ubuntu, as root: `apt-get install openmpi-bin libopenmpi-dev`; it provides libmpi.so.40), " +
            $"or set {MpiLibraryVariable} to the full path of Open MPI's libmpi.so.40.");
    }

    private static unsafe void CheckOpenMpi(IntPtr handle, string file)
    {
        if (NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _)) return;
        string version = "an MPI library of unknown origin";
        if (NativeLibrary.TryGetExport(handle, "MPI_Get_library_version", out IntPtr fn))
        {
            // MPI_MAX_LIBRARY_VERSION_STRING is 8192 in MPICH, 256 in Open MPI: the larger buffer fits both.
            byte* text = stackalloc byte[8192];
            int length = 0;
            if (((delegate* unmanaged<byte*, int*, int>)fn)(text, &length) == 0)
                version = Encoding.ASCII.GetString(text, Math.Clamp(length, 0, 8192)).Split('\n')[0].Trim();
        }
        NativeLibrary.Free(handle);
        bool mpich = version.Contains("MPICH", StringComparison.OrdinalIgnoreCase) || version.Contains("Intel", StringComparison.OrdinalIgnoreCase) ||
                     file.EndsWith(".so.12", StringComparison.Ordinal);
        throw new NotSupportedException(
            $"The MPI library {file} is {version}{(mpich ? " (the MPICH ABI: integer handles)" : "")}, which ConvSharp.Distributed does not support: " +
            "it speaks Open MPI's ABI only (handles are addresses of exported globals such as ompi_mpi_comm_world). " +
            $"Install Open MPI (`apt-get install openmpi-bin libopenmpi-dev`), launch with its mpirun, or set {MpiLibraryVariable} to Open MPI's libmpi.so.40.");
    }
}
