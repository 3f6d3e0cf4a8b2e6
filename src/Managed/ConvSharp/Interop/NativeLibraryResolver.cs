using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace ConvSharp;

/// <summary>The one DllImport resolver of this assembly: finds libconvsharp_native.so (convsharp_native.dll on Windows) in the
/// package's runtimes/&lt;rid&gt;/native folder first, then next to the app, then on the system, and
/// says exactly what it tried when none of them loads.</summary>
internal static partial class NativeLibraryResolver
{
    /// <summary>Runtime identifiers this build ships native assets for (stamped by ConvSharp.csproj: linux-x64,
    /// linux-arm64 and win-x64, the runtimes/ folders of the package).</summary>
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

    /// <summary>The runtime identifier whose native asset this process needs: os-arch, with glibc and musl
    /// Linux told apart (a glibc build does not load on musl), e.g. linux-x64, linux-musl-x64, win-x64, osx-arm64.</summary>
    internal static string CurrentRid
    {
        get
        {
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string os = OperatingSystem.IsLinux() ? (IsMusl(arch) ? "linux-musl" : "linux")
                : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : "unknown";
            return $"{os}-{arch}";
        }
    }

    // RuntimeInformation.RuntimeIdentifier names musl on the portable musl runtime; distribution-built runtimes
    // report their own names (alpine.3.20-x64), so the musl dynamic loader's presence is the fallback.
    private static bool IsMusl(string arch) =>
        RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal) ||
        RuntimeInformation.RuntimeIdentifier.StartsWith("alpine", StringComparison.Ordinal) ||
        File.Exists($"/lib/ld-musl-{(arch == "x64" ? "x86_64" : arch == "arm64" ? "aarch64" : arch)}.so.1");

    internal static string FileName(string name) => FileName(name, CurrentRid);

    /// <summary>The file a native library <paramref name="name"/> has on <paramref name="rid"/>'s operating system.</summary>
    internal static string FileName(string name, string rid) =>
        rid.StartsWith("win-", StringComparison.Ordinal) ? name + ".dll"
        : rid.StartsWith("osx-", StringComparison.Ordinal) ? "lib" + name + ".dylib" : "lib" + name + ".so";

    /// <summary>Loads <paramref name="name"/> from the first of <paramref name="directories"/> that has it,
    /// else from the system search path; throws <see cref="DllNotFoundException"/> listing every place tried.</summary>
    internal static IntPtr Load(string name, Assembly assembly, DllImportSearchPath? searchPath, IEnumerable<string> directories) =>
        Load(name, assembly, searchPath, directories, CurrentRid);

    /// <summary>As <see cref="Load(string, Assembly, DllImportSearchPath?, IEnumerable{string})"/>, for the
    /// runtime identifier <paramref name="rid"/> (tests name one this process is not).</summary>
    internal static IntPtr Load(string name, Assembly assembly, DllImportSearchPath? searchPath, IEnumerable<string> directories, string rid)
    {
        string file = FileName(name, rid);
        var tried = new StringBuilder();

        foreach (string dir in directories)
        {
            string path = Path.Combine(dir, file);
            if (!File.Exists(path)) { tried.AppendLine($"  {path} (not found)"); continue; }
            try { return CheckAbi(NativeLibrary.Load(path), path); }
            catch (DllNotFoundException e) { tried.AppendLine($"  {path} (found, but failed to load: {e.Message})"); }
            catch (BadImageFormatException e) { tried.AppendLine($"  {path} (found, but failed to load: {e.Message})"); }
        }
        if (NativeLibrary.TryLoad(file, assembly, searchPath, out IntPtr handle))
            return CheckAbi(handle, "the system search path");
        string systemPath = rid.StartsWith("win-", StringComparison.Ordinal) ? "the application folder, the Windows system folders, PATH"
            : rid.StartsWith("osx-", StringComparison.Ordinal) ? "DYLD_LIBRARY_PATH, the default library folders"
            : "LD_LIBRARY_PATH, ldconfig cache";
        tried.AppendLine($"  the system search path for '{file}' ({systemPath}; not found)");

        string supported = string.Join(", ", SupportedRids);
        if (!SupportedRids.Contains(rid))
            throw new DllNotFoundException(
                $"ConvSharp could not load its native library '{file}' for runtime {rid}. ConvSharp ships native assets only for " +
                $"{supported}; there is none for {rid}. Tried:{Environment.NewLine}{tried}" +
                $"Fix: run on one of {supported}, or build {file} for {rid} from a source checkout on such a machine " +
                "(README, Platforms: native/toolchains/openblas.sh and CMake) and put it in " +
                $"runtimes/{rid}/native/ next to the application.");
        throw new DllNotFoundException(
            $"ConvSharp could not load its native library '{file}' for runtime {rid}. Tried:{Environment.NewLine}{tried}" +
            $"Fix: in a source checkout run `./build.sh --target=Native` (it builds artifacts/native/{rid}/" +
            $"{file}, which the next build copies into the output), or reference the ConvSharp NuGet package, " +
            $"which carries runtimes/{rid}/native/{file} (supported: {supported}).");
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
