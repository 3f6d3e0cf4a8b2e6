using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace ConvSharp.Tests.Interop;

public class NativeLoadingTests(ITestOutputHelper output)
{
    [Fact]
    public void OpenBlas_reports_the_core_it_picked()
    {
        string core = Blas.CoreName;
        // CI prints this line from the test results, so the log shows which kernels ran.
        output.WriteLine($"OpenBLAS core: {core}; config: {Blas.Config}; threads: {Blas.NumThreads}; ConvSharp kernels: {NativeKernels.Isa}");
        Assert.False(string.IsNullOrWhiteSpace(core));
        Assert.StartsWith("OpenBLAS ", Blas.Config);
        Assert.Contains(NativeKernels.Isa, new[] { "avx512", "avx2", "sse2", "generic" });
    }

    [Fact]
    public void Thread_count_can_be_set_and_read_back()
    {
        int original = Blas.NumThreads;
        try
        {
            Blas.NumThreads = 1;
            Assert.Equal(1, Blas.NumThreads);
        }
        finally
        {
            Blas.NumThreads = original;
        }
    }

    [Fact]
    public void The_loaded_library_is_ours_from_the_build_output_not_a_system_blas()
    {
        Assert.NotEmpty(Blas.CoreName);  // forces the load
        string maps = File.ReadAllText("/proc/self/maps");
        string expected = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libconvsharp_native.so");
        Assert.Contains(expected, maps);
        Assert.DoesNotContain("/usr/lib/x86_64-linux-gnu/libopenblas", maps);
    }

    [Fact]
    public void A_missing_library_is_reported_with_every_path_tried_and_the_fix()
    {
        string dir = Directory.CreateTempSubdirectory("convsharp-missing").FullName;
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryResolver.Load("convsharp_nonexistent", typeof(Tensor).Assembly, null, [Path.Combine(dir, "runtimes", "linux-x64", "native"), dir]));
            Assert.StartsWith("ConvSharp could not load its native library 'libconvsharp_nonexistent.so' for runtime linux-x64. Tried:", e.Message);
            Assert.Contains($"{dir}/runtimes/linux-x64/native/libconvsharp_nonexistent.so (not found)", e.Message);
            Assert.Contains($"{dir}/libconvsharp_nonexistent.so (not found)", e.Message);
            Assert.Contains("the system search path for 'libconvsharp_nonexistent.so'", e.Message);
            Assert.Contains("./build.sh --target=Native", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_library_is_reported_as_found_but_unloadable()
    {
        string dir = Directory.CreateTempSubdirectory("convsharp-corrupt").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "libconvsharp_corrupt.so"), "not an ELF file");
            var e = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryResolver.Load("convsharp_corrupt", typeof(Tensor).Assembly, null, [dir]));
            Assert.Contains($"{dir}/libconvsharp_corrupt.so (found, but failed to load:", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_library_without_our_abi_export_is_refused()
    {
        // libc is a real shared library, but not ours.
        string libc = "/lib/x86_64-linux-gnu/libc.so.6";
        string dir = Directory.CreateTempSubdirectory("convsharp-foreign").FullName;
        try
        {
            File.Copy(libc, Path.Combine(dir, "libconvsharp_foreign.so"));
            var e = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryResolver.Load("convsharp_foreign", typeof(Tensor).Assembly, null, [dir]));
            // The search goes on past a foreign file, and the final report says why it was skipped.
            Assert.Contains($"{dir}/libconvsharp_foreign.so (found, but failed to load: The library loaded from {dir}/libconvsharp_foreign.so is not ConvSharp's native library (no cs_native_abi_version export).)", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_current_rid_is_supported()
    {
        Assert.Equal(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "linux-x64" : NativeLibraryResolver.CurrentRid, NativeLibraryResolver.CurrentRid);
        Assert.Contains(NativeLibraryResolver.CurrentRid, NativeLibraryResolver.SupportedRids);
    }

    [Fact]
    public void The_assembly_is_stamped_with_the_rids_whose_native_library_it_ships()
    {
        // ConvSharp.csproj writes the list (the runtimes/ folders of the one package); the resolver's error message
        // reads it, so a missing stamp would silently fall back to a hard-coded guess.
        var stamp = typeof(Tensor).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "ConvSharp.NativeRuntimeIdentifiers");
        Assert.Equal(stamp.Value!.Split(';'), NativeLibraryResolver.SupportedRids);
        Assert.Equal(["linux-x64", "linux-arm64", "win-x64"], NativeLibraryResolver.SupportedRids);
    }

    [Theory]
    [InlineData("osx-arm64", "libconvsharp_absent.dylib")]
    [InlineData("linux-musl-x64", "libconvsharp_absent.so")]
    public void A_rid_without_a_native_asset_fails_naming_the_rid_the_supported_list_and_the_fix(string rid, string file)
    {
        // A name no process has loaded: dlopen of a bare "libconvsharp_native.so" would return this process's own copy.
        string dir = Directory.CreateTempSubdirectory("convsharp-rid").FullName;
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryResolver.Load("convsharp_absent", typeof(Tensor).Assembly, null, [Path.Combine(dir, "runtimes", rid, "native"), dir], rid));
            Assert.StartsWith($"ConvSharp could not load its native library '{file}' for runtime {rid}. ConvSharp ships native assets only " +
                              $"for linux-x64, linux-arm64, win-x64; there is none for {rid}. Tried:", e.Message);
            Assert.Contains($"{dir}/runtimes/{rid}/native/{file} (not found)", e.Message);
            Assert.Contains($"Fix: run on one of linux-x64, linux-arm64, win-x64, or build {file} for {rid} from a source checkout", e.Message);
            Assert.Contains($"runtimes/{rid}/native/ next to the application.", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void On_windows_the_resolver_probes_the_packages_win_x64_dll_and_lists_every_path_tried()
    {
        Assert.Equal("convsharp_native.dll", NativeLibraryResolver.FileName("convsharp_native", "win-x64"));
        var candidates = NativeLibraryResolver.CandidateDirectories(typeof(Tensor).Assembly, "win-x64").ToList();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "win-x64", "native"), candidates[0]);
        string dir = Directory.CreateTempSubdirectory("convsharp-win").FullName;
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() =>
                NativeLibraryResolver.Load("convsharp_native", typeof(Tensor).Assembly, null, [Path.Combine(dir, "runtimes", "win-x64", "native"), dir], "win-x64"));
            Assert.StartsWith("ConvSharp could not load its native library 'convsharp_native.dll' for runtime win-x64. Tried:", e.Message);
            Assert.Contains($"{dir}/runtimes/win-x64/native/convsharp_native.dll (not found)", e.Message);
            Assert.Contains($"{dir}/convsharp_native.dll (not found)", e.Message);
            Assert.Contains("the system search path for 'convsharp_native.dll' (the application folder, the Windows system folders, PATH; not found)", e.Message);
            Assert.Contains("which carries runtimes/win-x64/native/convsharp_native.dll", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void This_glibc_host_is_not_taken_for_musl()
    {
        Assert.DoesNotContain("musl", NativeLibraryResolver.CurrentRid);
        Assert.Equal("libconvsharp_native.so", NativeLibraryResolver.FileName("convsharp_native", "linux-musl-x64"));
    }
}
