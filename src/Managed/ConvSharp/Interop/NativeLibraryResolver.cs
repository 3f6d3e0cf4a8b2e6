using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ConvSharp;

/// <summary>The one DllImport resolver of this assembly: finds libconvsharp_native.so in the
/// package's runtimes/&lt;rid&gt;/native folder first, then next to the app, then on the system, and
/// says exactly what it tried when none of them loads.</summary>
internal static partial class NativeLibraryResolver
{
    /// <summary>Runtime identifiers this build ships native assets for (stamped by ConvSharp.csproj: linux-x64,
    /// plus linux-arm64 when packed with --arm64).</summary>
    internal static string[] SupportedRids => s_supportedRids ??=
        typeof(NativeLibraryResolver).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ConvSharp.NativeRuntimeIdentifiers")?.Value?.Split(';') ?? ["linux-x64"];
    private static string[]? s_supportedRids;

    private static readonly Lock s_gate = new();
    private static IntPtr s_handle;

    // A library's resolver has to be in place before the first native call from any of its types;
    // a module initializer is the one hook that runs early enough.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name == Interop.Libraries.Mpi) return MpiHandle;
        if (name != Interop.Libraries.Native) return IntPtr.Zero;
        lock (s_gate)
        {
            if (s_handle == IntPtr.Zero)
                s_handle = Load(name, assembly, searchPath, CandidateDirectories(assembly, CurrentRid));
            return s_handle;
        }
    }

    internal static string CurrentRid
    {
        get
        {
            string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : "unknown";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            return $"{os}-{arch}";
        }
    }

    internal static string FileName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";

    /// <summary>Loads <paramref name="name"/> from the first of <paramref name="directories"/> that has it,
    /// else from the system search path; throws <see cref="DllNotFoundException"/> listing every place tried.</summary>
    internal static IntPtr Load(string name, Assembly assembly, DllImportSearchPath? searchPath, IEnumerable<string> directories)
    {
        string rid = CurrentRid;
        string file = FileName(name);
        var tried = new StringBuilder();

        foreach (string dir in directories)
        {
            string path = Path.Combine(dir, file);
            if (!File.Exists(path)) { tried.AppendLine($"  {path} (not found)"); continue; }
            try { return CheckAbi(NativeLibrary.Load(path), path); }
            catch (DllNotFoundException e) { tried.AppendLine($"  {path} (found, but failed to load: {e.Message})"); }
        }
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out IntPtr handle))
            return CheckAbi(handle, "the system search path");
        tried.AppendLine($"  the system search path for '{file}' (LD_LIBRARY_PATH, ldconfig cache; not found)");

        string ridNote = SupportedRids.Contains(rid)
            ? ""
            : $"This process runs on {rid}, and ConvSharp ships native assets only for {string.Join(", ", SupportedRids)}. ";
        throw new DllNotFoundException(
            $"ConvSharp could not load its native library '{file}' for runtime {rid}. {ridNote}Tried:{Environment.NewLine}{tried}" +
            "Fix: in a source checkout run `./build.sh --target=Native` (it builds artifacts/native/linux-x64/" +
            $"{file}, which the next build copies into the output), or reference the ConvSharp NuGet package, " +
            $"which carries runtimes/{(SupportedRids.Contains(rid) ? rid : SupportedRids[0])}/native/{file}.");
    }

    internal static IEnumerable<string> CandidateDirectories(Assembly assembly, string rid)
    {
        var roots = new List<string> { AppContext.BaseDirectory };
        string? asmDir = AssemblyDirectory(assembly);
        if (asmDir is not null && !roots.Contains(asmDir)) roots.Add(asmDir);
        foreach (string root in roots) yield return Path.Combine(root, "runtimes", rid, "native");
        foreach (string root in roots) yield return root;
    }

    // Hosts such as notebooks load the assembly from the package folder, away from the app. Location is
    // empty in single-file and Native AOT apps, where the base directory already covers it.
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location is handled: the app's base directory is probed first.")]
    private static string? AssemblyDirectory(Assembly assembly) =>
        string.IsNullOrEmpty(assembly.Location) ? null : Path.GetDirectoryName(assembly.Location);

    private static unsafe IntPtr CheckAbi(IntPtr handle, string where)
    {
        if (!NativeLibrary.TryGetExport(handle, "cs_native_abi_version", out IntPtr fn))
        {
            NativeLibrary.Free(handle);
            throw new DllNotFoundException($"The library loaded from {where} is not ConvSharp's native library (no cs_native_abi_version export).");
        }
        int abi = ((delegate* unmanaged<int>)fn)();
        if (abi != Interop.Native.AbiVersion)
        {
            NativeLibrary.Free(handle);
            throw new DllNotFoundException(
                $"The native library loaded from {where} has ABI version {abi}, but this ConvSharp needs {Interop.Native.AbiVersion}. " +
                "Rebuild it with `./build.sh --target=Native`, or use the native assets of the same ConvSharp package.");
        }
        return handle;
    }
}
