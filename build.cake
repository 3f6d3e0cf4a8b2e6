// ConvSharp's build: ./build.sh --target=<Task>. Tasks: Native, NativeArm64, NativeWin, Build, Test, Train, Bench, Pack, PackSmoke, Publish, DeviceCheck.
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchArgs = Argument("bench-args", "--filter *");
var trainArgs = Argument("train-args", "");

var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var nativeBuild = artifacts.Combine("obj/native");
var testResults = artifacts.Combine("test-results");
var solution = root.CombineWithFilePath("Interop.sln");

void Run(string tool, string arguments, DirectoryPath workingDirectory = null)
{
    int code = StartProcess(tool, new ProcessSettings { Arguments = arguments, WorkingDirectory = workingDirectory ?? root });
    if (code != 0) throw new Exception($"`{tool} {arguments}` exited with {code}.");
}

// OpenBLAS built from source (native/toolchains/openblas.sh, one recipe for every RID) into a cache outside the
// clone, reused while the recipe is unchanged; returns its prefix.
string OpenBlas(string rid)
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    int code = StartProcess("bash", new ProcessSettings { Arguments = $"native/toolchains/openblas.sh {rid}", WorkingDirectory = root, RedirectStandardOutput = true },
                            out IEnumerable<string> output);
    if (code != 0) throw new Exception($"native/toolchains/openblas.sh {rid} exited with {code}.");
    string prefix = output.Last().Trim();
    Information($"OpenBLAS for {rid}: {prefix} ({watch.Elapsed.TotalSeconds:F0} s)");
    return prefix;
}

// Configures and builds native/ for one RID on the source-built OpenBLAS; returns the output folder.
DirectoryPath BuildNative(string rid, string toolchain)
{
    string openBlas = OpenBlas(rid);
    var build = artifacts.Combine(rid == "linux-x64" ? "obj/native" : $"obj/native-{rid}");
    string toolchainArg = toolchain is null ? "" : $" -DCMAKE_TOOLCHAIN_FILE=\"{root}/native/toolchains/{toolchain}\"";
    Run("cmake", $"-S native -B \"{build}\" -DCMAKE_BUILD_TYPE=Release -DCONVSHARP_RID={rid} -DCONVSHARP_OPENBLAS=\"{openBlas}\"{toolchainArg}");
    Run("cmake", $"--build \"{build}\" --parallel");
    var lib = artifacts.Combine($"native/{rid}");
    string file = rid.StartsWith("win-") ? "convsharp_native.dll" : "libconvsharp_native.so";
    Information($"{rid}: {file} {new System.IO.FileInfo(lib.CombineWithFilePath(file).FullPath).Length / 1e6:F2} MB");
    return lib;
}

void RequireTool(string path, string packages)
{
    if (!System.IO.File.Exists(path))
        throw new Exception($"{path} is missing: as root run ./build.sh (it installs {packages}), or apt-get install -y --no-install-recommends {packages}");
}

Task("Native")
    .Description("Builds OpenBLAS from source for linux-x64 (cached outside the clone) and native/ with CMake into artifacts/native/linux-x64/.")
    .Does(() =>
{
    BuildNative("linux-x64", null);
});

Task("NativeArm64")
    .Description("Cross-compiles native/ for linux-arm64 (Debian's aarch64 cross gcc, OpenBLAS from source) and runs a C smoke test of it under qemu-user.")
    .Does(() =>
{
    RequireTool("/usr/bin/aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross");
    RequireTool("/usr/bin/qemu-aarch64", "qemu-user");
    var lib = BuildNative("linux-arm64", "linux-arm64.cmake");
    var smoke = artifacts.CombineWithFilePath("obj/native-linux-arm64/native_smoke");
    Run("aarch64-linux-gnu-gcc", $"-O2 -Wall -Wextra -Werror -Inative/include native/smoke/native_smoke.c -L\"{lib}\" -lconvsharp_native -lm -o \"{smoke}\"");
    // OpenBLAS's thread pool hangs under qemu-user; one thread runs the same kernels.
    Run("qemu-aarch64", $"-L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=\"{lib}\" -E OPENBLAS_NUM_THREADS=1 \"{smoke}\"");
});

Task("NativeWin")
    .Description("Cross-compiles native/ for win-x64 as convsharp_native.dll (MinGW-w64, OpenBLAS from source, libgcc linked in), checks with objdump -p that it imports Windows system DLLs only, and runs a C smoke test of it under Wine.")
    .Does(() =>
{
    RequireTool("/usr/bin/x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
    RequireTool(WineProgram, "wine64");
    var lib = BuildNative("win-x64", "win-x64.cmake");
    var dll = lib.CombineWithFilePath("convsharp_native.dll");
    CheckWindowsImports(dll);
    var smoke = artifacts.CombineWithFilePath("obj/native-win-x64/native_smoke.exe");
    Run("x86_64-w64-mingw32-gcc", $"-O2 -Wall -Wextra -Werror -Inative/include native/smoke/native_smoke.c \"{dll}\" -static -o \"{smoke}\"");
    CopyFileToDirectory(dll, smoke.GetDirectory());
    RunWine(smoke.FullPath, "");
});

// The DLLs convsharp_native.dll may import: Windows' own (the C runtime msvcrt included), never MinGW's libgcc_s,
// libwinpthread or a Visual C++ redistributable, so a Windows machine needs nothing installed.
static string[] WindowsSystemDlls() => new[] { "KERNEL32.dll", "msvcrt.dll", "ADVAPI32.dll", "USER32.dll", "ntdll.dll", "WS2_32.dll" };

void CheckWindowsImports(FilePath dll)
{
    int code = StartProcess("x86_64-w64-mingw32-objdump", new ProcessSettings { Arguments = $"-p \"{dll}\"", RedirectStandardOutput = true }, out IEnumerable<string> output);
    if (code != 0) throw new Exception($"objdump -p {dll} exited with {code}.");
    var imports = output.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\s*DLL Name: (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
    var foreign = imports.Where(i => !WindowsSystemDlls().Contains(i, StringComparer.OrdinalIgnoreCase)).ToList();
    Information($"convsharp_native.dll imports: {string.Join(", ", imports)}");
    if (imports.Count == 0 || foreign.Count > 0)
        throw new Exception($"convsharp_native.dll imports DLLs that are not part of Windows: {string.Join(", ", foreign)} (allowed: {string.Join(", ", WindowsSystemDlls())})");
}

// Wine from Debian's wine64 package, in a private prefix under artifacts/ (created on first use, ~4 s), quiet.
// Wine 8 presents itself as Windows 7 by default, below .NET 10's minimum: the prefix is set to Windows 10 first.
const string WineProgram = "/usr/lib/wine/wine64";
List<string> RunWine(string program, string arguments)
{
    var prefix = artifacts.Combine("wine-prefix");
    EnsureDirectoryExists(prefix);
    // mshtml= skips the Gecko download prompt; mscoree must stay enabled: with it disabled Wine's loader refuses the
    // IL-only assemblies CoreCLR maps (System.Runtime.dll "Module not found").
    var env = new Dictionary<string, string> { ["WINEPREFIX"] = prefix.FullPath, ["WINEDEBUG"] = "-all", ["WINEDLLOVERRIDES"] = "mshtml=" };
    if (StartProcess(WineProgram, new ProcessSettings { Arguments = "winecfg /v win10", EnvironmentVariables = env }) != 0)
        throw new Exception($"`wine64 winecfg /v win10` failed in {prefix}");
    int code = StartProcess(WineProgram, new ProcessSettings
    {
        Arguments = $"\"{program}\" {arguments}",
        EnvironmentVariables = env,
        RedirectStandardOutput = true,
    }, out IEnumerable<string> output);
    var lines = output.Select(l => l.TrimEnd('\r')).ToList();
    foreach (var line in lines.Where(l => !l.StartsWith("probabilities "))) Information(line);
    if (code != 0) throw new Exception($"{program} under Wine exited with {code}.");
    return lines;
}

Task("Build")
    .Description("Builds every project of Interop.sln (the library, CLI, tests; the benchmarks and their 600 MB TorchSharp peer are built by Bench only).")
    .IsDependentOn("Native")
    .Does(() =>
{
    Run("dotnet", $"build \"{solution}\" -c {configuration} --nologo -v q");
});

Task("DeviceCheck")
    .Description("Builds the GPU device-check bundle (artifacts/device/: Native AOT DeviceCheck, libconvsharp_native.so, libOpenCL.so.1) and runs it here on PoCL at small sizes (tools/device/gpu-check.sh --local), so the bundle cannot rot.")
    .IsDependentOn("Native")
    .Does(() =>
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var env = new Dictionary<string, string>
    {
        ["POCL_CACHE_DIR"] = artifacts.Combine("opencl-cache/pocl").FullPath,
        ["CONVSHARP_OPENCL_CACHE"] = artifacts.Combine("opencl-cache/convsharp").FullPath,
        ["OUT"] = artifacts.Combine("device-local").FullPath,
    };
    foreach (var folder in new[] { env["POCL_CACHE_DIR"], env["CONVSHARP_OPENCL_CACHE"] }) EnsureDirectoryExists(folder);
    int code = StartProcess("bash", new ProcessSettings { Arguments = "tools/device/gpu-check.sh --local", EnvironmentVariables = env, WorkingDirectory = root });
    if (code != 0) throw new Exception($"tools/device/gpu-check.sh --local exited with {code} (results in {env["OUT"]}).");
    Information($"Device check (bundle build + PoCL run) took {watch.Elapsed.TotalSeconds:F0} s");
});

Task("Test")
    .Description("Runs the xunit tests (after the package smoke test and the local device check) and prints `N passed, N failed` from their TRX results.")
    .IsDependentOn("Build")
    .IsDependentOn("PackSmoke")
    .IsDependentOn("DeviceCheck")
    .Does(() =>
{
    CleanDirectory(testResults);
    // The OpenCL tests run on PoCL: its kernel cache and ConvSharp's program-binary cache live under
    // artifacts/, so CI needs no writable $HOME and a second run starts without compiling.
    var openClCaches = new Dictionary<string, string>
    {
        ["POCL_CACHE_DIR"] = artifacts.Combine("opencl-cache/pocl").FullPath,
        ["CONVSHARP_OPENCL_CACHE"] = artifacts.Combine("opencl-cache/convsharp").FullPath,
    };
    foreach (var folder in openClCaches.Values) EnsureDirectoryExists(folder);
    // Every samples/*.cs is a .NET 10 file-based app (`dotnet run samples/x.cs`) that exits non-zero when its check fails.
    foreach (var sample in GetFiles(root.Combine("samples").FullPath + "/*.cs"))
    {
        Information($"Sample {root.GetRelativePath(sample)}");
        int sampleCode = StartProcess("dotnet", new ProcessSettings
        {
            Arguments = $"run -c {configuration} \"{sample.FullPath}\"",
            WorkingDirectory = root,
        });
        if (sampleCode != 0) throw new Exception($"The sample {root.GetRelativePath(sample)} exited with {sampleCode}.");
    }

    // Each test project writes its own TRX; the closing line counts them all. ConvSharp.Onnx.Tests holds the ONNX
    // export/import tests, checked against ONNX Runtime (a test-only dependency, kept out of the core package).
    var projects = new[] { "ConvSharp.Tests", "ConvSharp.Onnx.Tests" };
    var codes = new List<int>();
    foreach (var project in projects)
        codes.Add(StartProcess("dotnet", new ProcessSettings
        {
            EnvironmentVariables = openClCaches,
            Arguments = $"test tests/{project} -c {configuration} --no-build --nologo " +
                        $"--logger \"trx;LogFileName={project}.trx\" --results-directory \"{testResults}\"",
            WorkingDirectory = root,
        }));
    int code = codes.FirstOrDefault(c => c != 0);

    var docs = new List<XDocument>();
    foreach (var project in projects)
    {
        var trx = testResults.CombineWithFilePath($"{project}.trx");
        if (!FileExists(trx)) throw new Exception($"dotnet test of {project} exited with {code} and wrote no results to {trx}.");
        docs.Add(XDocument.Load(trx.FullPath));
    }
    XNamespace ns = docs[0].Root.Name.Namespace;
    var results = docs.SelectMany(d => d.Descendants(ns + "UnitTestResult")).ToList();

    // The native kernels are compiled once per instruction set and the best one the CPU has is picked at load; the
    // kernel test classes run once more under each lower one (CONVSHARP_ISA), so every instantiation this host can
    // execute is tested. Their results count in the closing line.
    var lowerIsas = LowerKernelIsas();
    foreach (string isa in lowerIsas)
    {
        string name = $"ConvSharp.Tests.{isa}.trx";
        var env = new Dictionary<string, string>(openClCaches) { ["CONVSHARP_ISA"] = isa };
        int isaCode = StartProcess("dotnet", new ProcessSettings
        {
            EnvironmentVariables = env,
            Arguments = $"test tests/ConvSharp.Tests -c {configuration} --no-build --nologo --filter \"{KernelTestFilter}\" " +
                        $"--logger \"trx;LogFileName={name}\" --results-directory \"{testResults}\"",
            WorkingDirectory = root,
        });
        var isaTrx = testResults.CombineWithFilePath(name);
        if (!FileExists(isaTrx)) throw new Exception($"dotnet test under CONVSHARP_ISA={isa} exited with {isaCode} and wrote no results to {isaTrx}.");
        var isaResults = XDocument.Load(isaTrx.FullPath).Descendants(ns + "UnitTestResult").ToList();
        Information($"Kernel tests under CONVSHARP_ISA={isa}: {isaResults.Count} ran.");
        results.AddRange(isaResults);
        if (isaCode != 0 && code == 0) code = isaCode;
    }
    int passed = results.Count(r => (string)r.Attribute("outcome") == "Passed");
    int failed = results.Count(r => (string)r.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted");
    int skipped = results.Count(r => (string)r.Attribute("outcome") == "NotExecuted");

    // Which OpenBLAS kernels ran, as the test that asks OpenBLAS logged it.
    var core = results.FirstOrDefault(r => ((string)r.Attribute("testName") ?? "").Contains("OpenBlas_reports_the_core_it_picked"));
    string coreLine = core?.Descendants(ns + "StdOut").FirstOrDefault()?.Value.Trim();
    if (!string.IsNullOrEmpty(coreLine)) Information(coreLine);

    foreach (var r in results.Where(r => (string)r.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted"))
        Error($"FAILED {(string)r.Attribute("testName")}");

    Console.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
    if (failed > 0 || passed + failed == 0 || code != 0)
        throw new Exception(passed + failed == 0 ? "No test ran." : $"dotnet test exited with {code}; {failed} failed.");
});

Task("Train")
    .Description("The main job: `convsharp train` with its defaults (pass --train-args=\"--epochs 5 ...\" to change them).")
    .IsDependentOn("Native")
    .Does(() =>
{
    Run("dotnet", $"build src/Managed/ConvSharp.Cli -c Release --nologo -v q");
    Run("dotnet", $"src/Managed/ConvSharp.Cli/bin/Release/net10.0/ConvSharp.Cli.dll train {trainArgs}");
});

Task("Bench")
    .Description("Builds the benchmarks (ConvSharp next to TorchSharp-cpu) and runs BenchmarkDotNet; narrow it with --bench-args=\"--filter *ConvLayer* --job short\", or --bench-args=epoch for the Fashion-MNIST epoch comparison.")
    .IsDependentOn("Native")
    .Does(() =>
{
    var project = root.Combine("benchmarks/ConvSharp.Benchmarks");
    var bin = project.Combine($"bin/{configuration}/net10.0/linux-x64");
    Run("dotnet", $"build \"{project}\" -c {configuration} --nologo -v q");
    // TorchSharp 0.107.0's libLibTorchSharp.so asks for GCC 13's libstdc++ (one unused symbol); Debian 12 has
    // GCC 12's. The shared tool marks that requirement weak in the build output's copy (never the NuGet cache).
    var patch = root.CombineWithFilePath("../shared/tools/torchsharp-on-debian12/patch-bin.sh");
    if (!FileExists(patch))
        throw new Exception($"{patch} is missing: TorchSharp cannot load on Debian 12 without it (see docs/benchmarks.md).");
    Run("bash", $"\"{patch}\" \"{bin}\"");
    Run("dotnet", $"\"{bin.CombineWithFilePath("ConvSharp.Benchmarks.dll")}\" {benchArgs}");
});

Task("BlasCeiling")
    .Description("The sgemm ceiling of the source-built OpenBLAS against Debian's (both static, same program native/bench/sgemm_ceiling.c), run alternately 5 times each at 1 and 2 threads; prints the medians and their ratio.")
    .Does(() =>
{
    var dir = artifacts.Combine("obj/blas-ceiling");
    EnsureDirectoryExists(dir);
    var builds = new Dictionary<string, string>
    {
        ["source-built"] = $"{OpenBlas("linux-x64")}/lib/libopenblas.a",
        ["Debian"] = "/usr/lib/x86_64-linux-gnu/libopenblas.a",
    };
    foreach (var (name, lib) in builds)
        Run("gcc", $"-O2 native/bench/sgemm_ceiling.c \"{lib}\" -lpthread -lm -o \"{dir}/sgemm-{name}\"");
    var gflops = new Dictionary<string, List<double>>();
    for (int round = 0; round < 5; round++)
        foreach (var name in builds.Keys)
            foreach (int threads in new[] { 1, 2 })
            {
                StartProcess($"{dir}/sgemm-{name}", new ProcessSettings { Arguments = $"{threads} 1024 2048", RedirectStandardOutput = true }, out IEnumerable<string> lines);
                foreach (var line in lines)
                {
                    var parts = line.Split(' ');
                    string key = $"{name} ({parts[0]}) {parts[1]} {parts[2]}";
                    if (!gflops.ContainsKey(key)) gflops[key] = new List<double>();
                    gflops[key].Add(double.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
    double Median(List<double> v) { var o = v.OrderBy(x => x).ToList(); return o[o.Count / 2]; }
    foreach (var (key, values) in gflops) Information($"{key}: median {Median(values):F1} GFLOP/s of [{string.Join(", ", values.Select(v => v.ToString("F1")))}]");
    foreach (var key in gflops.Keys.Where(k => k.StartsWith("source-built")))
    {
        string tail = key.Substring(key.IndexOf(')') + 1);
        string debian = gflops.Keys.First(k => k.StartsWith("Debian") && k.EndsWith(tail));
        Information($"source-built / Debian{tail}: {Median(gflops[key]) / Median(gflops[debian]):F3}");
    }
    Information($"load average: {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
});

Task("Pack")
    .Description("Packs ConvSharp (native assets for linux-x64, linux-arm64 and win-x64 inside), ConvSharp.Imaging and the convsharp dotnet tool into artifacts/packages/.")
    .IsDependentOn("Native")
    .IsDependentOn("NativeArm64")
    .IsDependentOn("NativeWin")
    .Does(() =>
{
    foreach (var project in new[] { "src/Managed/ConvSharp", "src/Managed/ConvSharp.Imaging", "src/Managed/ConvSharp.Cli" })
        Run("dotnet", $"pack {project} -c Release -o \"{artifacts.Combine("packages")}\" --nologo");
    string version = XmlPeek(root.CombineWithFilePath("Directory.Build.props"), "/Project/PropertyGroup/Version");
    foreach (var id in new[] { "ConvSharp", "ConvSharp.Imaging", "ConvSharp.Cli" })
        CheckPackage(artifacts.Combine("packages"), id, version);
    CheckNativeAssets(artifacts.Combine("packages").CombineWithFilePath($"ConvSharp.{version}.nupkg"));
});

// The one ConvSharp package carries every supported RID's native library and stays within the size budget
// (12 MB download, 40 MB unpacked in the NuGet cache).
void CheckNativeAssets(FilePath nupkg)
{
    using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg.FullPath);
    var expected = new[] { "runtimes/linux-x64/native/libconvsharp_native.so", "runtimes/linux-arm64/native/libconvsharp_native.so", "runtimes/win-x64/native/convsharp_native.dll" };
    var missing = expected.Where(e => zip.GetEntry(e) is null).ToList();
    if (missing.Count > 0) throw new Exception($"{nupkg.GetFilename()} lacks {string.Join(", ", missing)}");
    long packed = new System.IO.FileInfo(nupkg.FullPath).Length, installed = zip.Entries.Sum(e => e.Length) + packed;
    foreach (var e in expected) Information($"{e}: {zip.GetEntry(e).Length / 1e6:F2} MB ({zip.GetEntry(e).CompressedLength / 1e6:F2} MB compressed)");
    Information($"{nupkg.GetFilename()}: {packed / 1e6:F2} MB; installed (unpacked files + the .nupkg the cache keeps) {installed / 1e6:F2} MB");
    if (packed > 12_000_000 || installed > 40_000_000)
        throw new Exception($"{nupkg.GetFilename()} is {packed / 1e6:F1} MB ({installed / 1e6:F1} MB installed): over the 12 MB / 40 MB budget");
}

Task("PackSmoke")
    .Description("Clean-room consumer: an empty console app restores ConvSharp from artifacts/packages only, trains, saves, reloads and predicts, with LD_LIBRARY_PATH empty; then the same app as a Native AOT binary, published self-contained for win-x64 (run under Wine) and linux-arm64 (under qemu-user), must predict the same; then the packages are pushed to a folder feed (Publish) and samples/package/train.cs restores from it and trains.")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var dir = artifacts.Combine("packsmoke");
    if (DirectoryExists(dir)) DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
    var feed = dir.Combine("feed");
    EnsureDirectoryExists(feed);
    string version = XmlPeek(root.CombineWithFilePath("Directory.Build.props"), "/Project/PropertyGroup/Version");
    var package = artifacts.Combine("packages").CombineWithFilePath($"ConvSharp.{version}.nupkg");
    CopyFileToDirectory(package, feed);
    FillFeed(package, dir.Combine("deps"), feed);

    var app = dir.Combine("app");
    Run("dotnet", $"new console -o \"{app}\" -n SmokeApp --force");
    System.IO.File.WriteAllText(app.CombineWithFilePath("nuget.config").FullPath,
        $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
    CopyFile(root.CombineWithFilePath("tests/PackSmoke/Program.cs.txt"), app.CombineWithFilePath("Program.cs"));
    var cache = dir.Combine("nuget-cache");  // a private cache: a re-pack of the same version is always seen
    Run("dotnet", $"add \"{app}\" package ConvSharp --version {version} --no-restore");
    Run("dotnet", $"restore \"{app}\" --packages \"{cache}\"");
    Run("dotnet", $"build \"{app}\" -c Release --no-restore --nologo -v q");
    var jit = RunSmoke("dotnet", $"\"{app}/bin/Release/net10.0/SmokeApp.dll\"");

    // The same program as a Native AOT binary. Each trimming/AOT warning is reported on its own; one in
    // ConvSharp's code (or the smoke program's) fails the task, one inside a third-party dependency is shown.
    var aot = dir.Combine("aot");
    var watch = System.Diagnostics.Stopwatch.StartNew();
    int published = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"publish \"{app}\" -c Release -r linux-x64 -p:PublishAot=true -p:TrimmerSingleWarn=false " +
                    $"-p:RestorePackagesPath=\"{cache}\" -o \"{aot}\" --nologo -v q",
        RedirectStandardOutput = true,
    }, out IEnumerable<string> publishOutput);
    var log = publishOutput.ToList();
    log.ForEach(l => Console.WriteLine(l));
    if (published != 0) throw new Exception($"The Native AOT publish of the consumer failed with exit code {published}.");
    var trimWarnings = log.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"warning IL\d{4}"))
        .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\s+\[[^\]]+\]$", "")).Distinct().ToList();
    var ours = trimWarnings.Where(w => System.Text.RegularExpressions.Regex.IsMatch(w, @"warning IL\d{4}: (ConvSharp\.|Program\.|<Program>)")).ToList();
    foreach (var w in trimWarnings.Except(ours)) Warning($"in a dependency: {w}");
    if (ours.Count > 0) throw new Exception($"Native AOT: {ours.Count} trimming/AOT warning(s) in ConvSharp or the consumer:\n{string.Join("\n", ours)}");
    Information($"Native AOT publish took {watch.Elapsed.TotalSeconds:F0} s");
    long binary = new System.IO.FileInfo(aot.CombineWithFilePath("SmokeApp").FullPath).Length;
    long native = new System.IO.FileInfo(aot.CombineWithFilePath("libconvsharp_native.so").FullPath).Length;
    Information($"Native AOT app: SmokeApp {binary / 1e6:F1} MB, with libconvsharp_native.so {(binary + native) / 1e6:F1} MB");
    var aotOut = RunSmoke(aot.CombineWithFilePath("SmokeApp").FullPath, "");
    CompareProbabilities(jit, aotOut, "Native AOT", 1e-6);

    // The Windows leg: the same program published self-contained for win-x64 from the same feed, run under Wine.
    // Its kernels are the MinGW build of the same C sources and OpenBLAS recipe; float sums may be ordered differently.
    var win = dir.Combine("win");
    watch.Restart();
    Run("dotnet", $"publish \"{app}\" -c Release -r win-x64 --self-contained -p:RestorePackagesPath=\"{cache}\" -o \"{win}\" --nologo -v q");
    Information($"win-x64 self-contained publish took {watch.Elapsed.TotalSeconds:F0} s");
    watch.Restart();
    var winOut = RunWine(win.CombineWithFilePath("SmokeApp.exe").FullPath, "");
    Information($"The win-x64 consumer under Wine took {watch.Elapsed.TotalSeconds:F0} s");
    CompareProbabilities(jit, winOut, "win-x64 under Wine", 1e-5);

    // The linux-arm64 leg: published self-contained for linux-arm64 and run under qemu-user (no ICU in the cross
    // sysroot, hence invariant globalization; OpenBLAS's thread pool hangs under qemu-user, so one thread).
    var arm = dir.Combine("linux-arm64");
    watch.Restart();
    Run("dotnet", $"publish \"{app}\" -c Release -r linux-arm64 --self-contained -p:RestorePackagesPath=\"{cache}\" -o \"{arm}\" --nologo -v q");
    Information($"linux-arm64 self-contained publish took {watch.Elapsed.TotalSeconds:F0} s");
    watch.Restart();
    var armOut = RunSmoke("qemu-aarch64", $"-L /usr/aarch64-linux-gnu -E DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 -E OPENBLAS_NUM_THREADS=1 \"{arm}/SmokeApp\"");
    Information($"The linux-arm64 consumer under qemu-user took {watch.Elapsed.TotalSeconds:F0} s");
    CompareProbabilities(jit, armOut, "linux-arm64 under qemu-user", 1e-5);

    // The Publish task's push, to a folder feed; then the README's file-based app restores ConvSharp from it
    // (package source mapping: ConvSharp* only from the pushed feed, its dependencies from the local one) and trains.
    var pushed = dir.Combine("pushed-feed");
    EnsureDirectoryExists(pushed);
    PushPackages(pushed.FullPath, "folder-feeds-ignore-the-key");
    var notPushed = new[] { "ConvSharp", "ConvSharp.Imaging", "ConvSharp.Cli" }.SelectMany(id => new[] { $"{id}.{version}.nupkg", $"{id}.{version}.snupkg" })
        .Where(f => !System.IO.File.Exists(System.IO.Path.Combine(pushed.FullPath, f)) && !System.IO.Directory.EnumerateFiles(pushed.FullPath, f, System.IO.SearchOption.AllDirectories).Any()).ToList();
    if (notPushed.Count > 0) throw new Exception($"the push left {string.Join(", ", notPushed)} out of {pushed}");
    var fileApp = dir.Combine("file-based");
    EnsureDirectoryExists(fileApp);
    var trainCs = root.CombineWithFilePath("samples/package/train.cs");
    string firstLine = System.IO.File.ReadLines(trainCs.FullPath).First();
    if (firstLine != $"#:package ConvSharp@{version}") throw new Exception($"{root.GetRelativePath(trainCs)} starts with '{firstLine}', not '#:package ConvSharp@{version}' (Directory.Build.props' version)");
    CopyFileToDirectory(trainCs, fileApp);
    System.IO.File.WriteAllText(fileApp.CombineWithFilePath("nuget.config").FullPath,
        "<configuration><packageSources><clear />" +
        $"<add key=\"pushed\" value=\"{pushed}\" /><add key=\"local\" value=\"{feed}\" /></packageSources>" +
        "<packageSourceMapping><packageSource key=\"pushed\"><package pattern=\"ConvSharp\" /><package pattern=\"ConvSharp.*\" /></packageSource>" +
        "<packageSource key=\"local\"><package pattern=\"*\" /></packageSource></packageSourceMapping></configuration>");
    System.IO.Directory.CreateSymbolicLink(fileApp.Combine("data").FullPath, root.Combine("data").FullPath);
    watch.Restart();
    int fileCode = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = "run train.cs -- 2000",
        WorkingDirectory = fileApp,
        EnvironmentVariables = new Dictionary<string, string> { ["NUGET_PACKAGES"] = dir.Combine("file-based-cache").FullPath, ["LD_LIBRARY_PATH"] = "" },
    });
    if (fileCode != 0) throw new Exception($"`dotnet run train.cs` against the pushed feed exited with {fileCode}.");
    Information($"The file-based app (restore from the pushed feed, build, 2,000-image epoch, test) took {watch.Elapsed.TotalSeconds:F0} s");
});

Task("Publish")
    .Description("Pushes ConvSharp, ConvSharp.Imaging and ConvSharp.Cli and their .snupkg symbol packages to the feed given by --source (a URL or a folder), with --api-key.")
    .IsDependentOn("Pack")
    .Does(() =>
{
    if (!HasArgument("source")) throw new Exception("Publish needs --source=<feed URL or folder> (and --api-key=<key> for a server feed).");
    string source = Argument<string>("source");
    string apiKey = HasArgument("api-key") ? Argument<string>("api-key") : null;
    if (apiKey is null && System.Text.RegularExpressions.Regex.IsMatch(source, "^https?://"))
        throw new Exception($"Publish to {source} needs --api-key=<key>.");
    PushPackages(source, apiKey);
});

// `dotnet nuget push` of each package, then its .snupkg (a folder feed takes both as files; a server routes the
// .snupkg to its symbol store). The key never appears in the log or an error message.
void PushPackages(string source, string apiKey)
{
    string version = XmlPeek(root.CombineWithFilePath("Directory.Build.props"), "/Project/PropertyGroup/Version");
    foreach (var id in new[] { "ConvSharp", "ConvSharp.Imaging", "ConvSharp.Cli" })
        foreach (var extension in new[] { "nupkg", "snupkg" })
        {
            var file = artifacts.Combine("packages").CombineWithFilePath($"{id}.{version}.{extension}");
            if (!FileExists(file)) throw new Exception($"{file} is missing: run ./build.sh --target=Pack");
            // `dotnet nuget push` of a .snupkg to a folder feed succeeds and copies nothing: copy it beside the package.
            if (extension == "snupkg" && !System.Text.RegularExpressions.Regex.IsMatch(source, "^https?://"))
            {
                EnsureDirectoryExists(source);
                CopyFileToDirectory(file, source);
                Information($"copied {file.GetFilename()} to {source}");
                continue;
            }
            string arguments = $"nuget push \"{file}\" --source \"{source}\" --skip-duplicate" + (extension == "nupkg" ? " --no-symbols" : "");
            int code = StartProcess("dotnet", new ProcessSettings
            {
                Arguments = new ProcessArgumentBuilder().Append(arguments).AppendSecret(apiKey is null ? "" : $"--api-key {apiKey}"),
                WorkingDirectory = root,
            });
            if (code != 0) throw new Exception($"`dotnet {arguments} --api-key ***` exited with {code}.");
            Information($"pushed {file.GetFilename()} to {source}");
        }
}

// What a package must carry: the nuspec's licence, readme, description and source commit; README.md and
// LICENSE; a .snupkg whose portable PDB embeds every source file (and maps them through SourceLink when
// the checkout has a remote that SourceLink knows).
void CheckPackage(DirectoryPath folder, string id, string version)
{
    var nupkg = folder.CombineWithFilePath($"{id}.{version}.nupkg").FullPath;
    var snupkg = folder.CombineWithFilePath($"{id}.{version}.snupkg").FullPath;
    var problems = new List<string>();
    using (var zip = System.IO.Compression.ZipFile.OpenRead(nupkg))
    {
        XDocument nuspec;
        using (var stream = zip.Entries.Single(e => e.FullName == $"{id}.nuspec").Open()) nuspec = XDocument.Load(stream);
        string Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var repository = nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == "repository");
        if (Field("license") != "MIT") problems.Add("license is not the MIT expression");
        if (Field("readme") != "README.md" || zip.GetEntry("README.md") is null) problems.Add("no README.md");
        if (zip.GetEntry("LICENSE") is null) problems.Add("no LICENSE file");
        if (string.IsNullOrWhiteSpace(Field("description"))) problems.Add("no description");
        if (Field("version") != version) problems.Add($"version {Field("version")} is not {version}");
        if (string.IsNullOrEmpty((string)repository?.Attribute("commit"))) problems.Add("no repository commit");
    }
    if (!FileExists(snupkg)) problems.Add("no .snupkg");
    else
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(snupkg);
        var pdb = zip.Entries.FirstOrDefault(e => e.FullName == $"lib/net10.0/{id}.pdb") ?? zip.Entries.FirstOrDefault(e => e.FullName.EndsWith($"/{id}.pdb"));
        if (pdb is null) problems.Add($"the .snupkg has no {id}.pdb");
        else
        {
            var bytes = new System.IO.MemoryStream();
            using (var stream = pdb.Open()) stream.CopyTo(bytes);
            bytes.Position = 0;
            using var provider = System.Reflection.Metadata.MetadataReaderProvider.FromPortablePdbStream(bytes);
            var reader = provider.GetMetadataReader();
            var embedded = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
            var sourceLink = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
            var withSource = reader.CustomDebugInformation.Select(h => reader.GetCustomDebugInformation(h))
                .Where(c => reader.GetGuid(c.Kind) == embedded).Select(c => c.Parent).ToHashSet();
            int documents = reader.Documents.Count;
            int missing = reader.Documents.Count(d => !withSource.Contains((System.Reflection.Metadata.EntityHandle)d));
            if (missing > 0) problems.Add($"{missing} of {documents} source files are not embedded in {id}.pdb");
            string linkText = reader.GetCustomDebugInformation(System.Reflection.Metadata.EntityHandle.ModuleDefinition)
                .Select(h => reader.GetCustomDebugInformation(h)).Where(c => reader.GetGuid(c.Kind) == sourceLink)
                .Select(c => System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value))).FirstOrDefault();
            Information($"{id} {version}: nuspec and symbols checked; {documents} sources embedded in the PDB; SourceLink: {linkText ?? "none (the checkout has no remote SourceLink knows)"}");
        }
    }
    if (problems.Count > 0) throw new Exception($"{System.IO.Path.GetFileName(nupkg)}: {string.Join("; ", problems)}");
}

Task("StartupTime")
    .Description("Process start to first prediction of the PackSmoke consumer, JIT and Native AOT (hyperfine, 3 warm-ups, 20 runs; needs Debian's hyperfine).")
    .IsDependentOn("PackSmoke")
    .Does(() =>
{
    var dir = artifacts.Combine("packsmoke");
    var model = dir.CombineWithFilePath("model.safetensors");
    RunSmoke(dir.CombineWithFilePath("app/bin/Release/net10.0/SmokeApp").FullPath, $"--save \"{model}\"");
    Run("hyperfine", $"-N --warmup 3 --runs 20 --export-markdown \"{dir}/startup.md\" " +
                     $"\"{dir}/aot/SmokeApp --predict-once {model}\" \"{dir}/app/bin/Release/net10.0/SmokeApp --predict-once {model}\"");
});

// Runs the smoke program with LD_LIBRARY_PATH empty; echoes and returns what it printed.
List<string> RunSmoke(string program, string arguments)
{
    int code = StartProcess(program, new ProcessSettings
    {
        Arguments = arguments,
        EnvironmentVariables = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = "" },
        RedirectStandardOutput = true,
    }, out IEnumerable<string> output);
    var lines = output.ToList();
    foreach (var line in lines.Where(l => !l.StartsWith("probabilities "))) Information(line);
    if (code != 0) throw new Exception($"The consumer app {program} failed with exit code {code}.");
    return lines;
}

// The JIT and the Native AOT build run the same float32 kernels: their predictions agree to 1e-6; another
// build of the kernels (win-x64, linux-arm64) to 1e-5.
void CompareProbabilities(List<string> jit, List<string> other, string name, double tolerance)
{
    var a = jit.Where(l => l.StartsWith("probabilities ")).ToList();
    var b = other.Where(l => l.StartsWith("probabilities ")).ToList();
    if (a.Count != 32 || b.Count != 32) throw new Exception($"expected 32 probability lines from each run, got {a.Count} (JIT) and {b.Count} ({name})");
    double worst = 0;
    for (int i = 0; i < a.Count; i++)
    {
        var p = a[i].Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        var q = b[i].Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        if (p.Length != 10 || q.Length != 10) throw new Exception($"a probability line without 10 values: '{a[i]}' / '{b[i]}'");
        for (int j = 0; j < 10; j++) worst = Math.Max(worst, Math.Abs(p[j] - q[j]));
    }
    Information($"JIT vs {name}: 32 x 10 probabilities, largest difference {worst:G3}");
    if (!(worst <= tolerance)) throw new Exception($"the {name} build predicts differently from the JIT build (largest difference {worst:G3} > {tolerance:G1})");
}

// Puts into `feed` every package a consumer of `package` restores besides it: its dependencies with their
// own dependencies, and the Native AOT compiler packs of this SDK. A throwaway project that references the
// dependencies (and publishes AOT for linux-x64 and self-contained for win-x64 and linux-arm64) is restored from the configured sources into the NuGet
// cache; its assets file names the whole closure, which is copied from the cache.
void FillFeed(FilePath package, DirectoryPath work, DirectoryPath feed)
{
    XDocument nuspec;
    using (var zip = System.IO.Compression.ZipFile.OpenRead(package.FullPath))
    using (var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open())
        nuspec = XDocument.Load(stream);
    var references = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
        .Select(e => $"<PackageReference Include=\"{(string)e.Attribute("id")}\" Version=\"{(string)e.Attribute("version")}\" />")
        .Distinct();
    EnsureDirectoryExists(work);
    System.IO.File.WriteAllText(work.CombineWithFilePath("deps.csproj").FullPath,
        "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework>" +
        "<RuntimeIdentifier>linux-x64</RuntimeIdentifier><RuntimeIdentifiers>linux-x64;win-x64;linux-arm64</RuntimeIdentifiers>" +
        "<SelfContained>true</SelfContained><PublishAot>true</PublishAot></PropertyGroup>" +
        $"<ItemGroup>{string.Concat(references)}</ItemGroup></Project>");
    Run("dotnet", $"restore \"{work}\" --nologo -v q");

    var assets = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(work.FullPath + "/obj/project.assets.json")).RootElement;
    string cache = assets.GetProperty("packageFolders").EnumerateObject().First().Name;
    var folders = assets.GetProperty("libraries").EnumerateObject()
        .Where(l => l.Value.GetProperty("type").GetString() == "package")
        .Select(l => l.Value.GetProperty("path").GetString()).ToList();
    foreach (var framework in assets.GetProperty("project").GetProperty("frameworks").EnumerateObject())
        if (framework.Value.TryGetProperty("downloadDependencies", out var downloads))
            foreach (var d in downloads.EnumerateArray())
                folders.Add($"{d.GetProperty("name").GetString().ToLowerInvariant()}/{d.GetProperty("version").GetString().Trim('[', ']').Split(',')[0].Trim()}");
    foreach (var folder in folders)
    {
        var nupkg = System.IO.Directory.GetFiles(System.IO.Path.Combine(cache, folder), "*.nupkg").Single();
        CopyFileToDirectory(nupkg, feed);
    }
    Information($"Local feed: ConvSharp and {folders.Count} packages it needs ({string.Join(", ", folders)})");
}

RunTarget(target);

// The test classes that exercise the native kernels directly or through their ops (rerun per instruction set).
const string KernelTestFilter =
    "FullyQualifiedName~ConvDirectTests|FullyQualifiedName~PoolingKernelTests|FullyQualifiedName~PoolingSimdTests|" +
    "FullyQualifiedName~PoolingTests|FullyQualifiedName~ElementwiseTests|FullyQualifiedName~LargePassTests|" +
    "FullyQualifiedName~OptimizerTests|FullyQualifiedName~SiluHardswishTests|FullyQualifiedName~DropoutTests|" +
    "FullyQualifiedName~LossTests|FullyQualifiedName~SoftmaxTests|FullyQualifiedName~BatchNormTests|" +
    "FullyQualifiedName~Im2ColTests|FullyQualifiedName~NativeLoadingTests";

// The kernel instruction sets below the best this x86-64 host supports (the native dispatch's own levels:
// avx512 = AVX-512F + FMA, avx2 = AVX2 + FMA, sse2), from the CPU flags Linux reports; none elsewhere.
static string[] LowerKernelIsas()
{
    if (!System.IO.File.Exists("/proc/cpuinfo") || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        return new string[0];
    var flags = System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags"))?.Split(' ') ?? new string[0];
    bool fma = flags.Contains("fma");
    if (flags.Contains("avx512f") && fma) return new[] { "avx2", "sse2" };
    if (flags.Contains("avx2") && fma) return new[] { "sse2" };
    return new string[0];
}
