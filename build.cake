// ConvSharp's build: ./build.sh --target=<Task>. Tasks: Native, Build, Test, Train, Bench, Pack, PackSmoke.
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

Task("Native")
    .Description("Configures and builds native/ with CMake into artifacts/native/linux-x64/.")
    .Does(() =>
{
    Run("cmake", $"-S native -B \"{nativeBuild}\" -DCMAKE_BUILD_TYPE=Release");
    Run("cmake", $"--build \"{nativeBuild}\" --parallel");
});

Task("Build")
    .Description("Builds every project of Interop.sln.")
    .IsDependentOn("Native")
    .Does(() =>
{
    Run("dotnet", $"build \"{solution}\" -c {configuration} --nologo -v q");
});

Task("Test")
    .Description("Runs the xunit tests (after the package smoke test) and prints `N passed, N failed` from their TRX results.")
    .IsDependentOn("Build")
    .IsDependentOn("PackSmoke")
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
    int code = StartProcess("dotnet", new ProcessSettings
    {
        EnvironmentVariables = openClCaches,
        Arguments = $"test tests/ConvSharp.Tests -c {configuration} --no-build --nologo " +
                    $"--logger \"trx;LogFileName=ConvSharp.Tests.trx\" --results-directory \"{testResults}\"",
        WorkingDirectory = root,
    });

    var trx = testResults.CombineWithFilePath("ConvSharp.Tests.trx");
    if (!FileExists(trx)) throw new Exception($"dotnet test exited with {code} and wrote no results to {trx}.");
    var doc = XDocument.Load(trx.FullPath);
    XNamespace ns = doc.Root.Name.Namespace;
    var results = doc.Descendants(ns + "UnitTestResult").ToList();
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
    .Description("Runs the BenchmarkDotNet suite (pass --bench-args=\"--filter *MatMul* --job short\" to narrow it).")
    .IsDependentOn("Native")
    .Does(() =>
{
    Run("dotnet", $"run -c Release --project benchmarks/ConvSharp.Benchmarks -- {benchArgs}");
});

Task("Pack")
    .Description("Packs ConvSharp (native assets inside), ConvSharp.Imaging and the convsharp dotnet tool into artifacts/packages/.")
    .IsDependentOn("Native")
    .Does(() =>
{
    foreach (var project in new[] { "src/Managed/ConvSharp", "src/Managed/ConvSharp.Imaging", "src/Managed/ConvSharp.Cli" })
        Run("dotnet", $"pack {project} -c Release -o \"{artifacts.Combine("packages")}\" --nologo");
});

Task("PackSmoke")
    .Description("Clean-room consumer: an empty console app restores ConvSharp from artifacts/packages only, trains, saves, reloads and predicts, with LD_LIBRARY_PATH empty.")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var dir = artifacts.Combine("packsmoke");
    if (DirectoryExists(dir)) DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
    var feed = dir.Combine("feed");
    EnsureDirectoryExists(feed);
    CopyFiles(artifacts.Combine("packages").FullPath + "/ConvSharp.0*.nupkg", feed);
    // ConvSharp's dependencies (CommunityToolkit.HighPerformance, Silk.NET.OpenCL and what it pulls in), as its
    // restore resolved them, from the local NuGet cache: the feed is all the consumer can see.
    var home = EnvironmentVariable("NUGET_PACKAGES") ?? System.IO.Path.Combine(EnvironmentVariable("HOME"), ".nuget", "packages");
    using (var assets = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(
        root.CombineWithFilePath("src/Managed/ConvSharp/obj/project.assets.json").FullPath)))
        foreach (var library in assets.RootElement.GetProperty("libraries").EnumerateObject())
            if (library.Value.GetProperty("type").GetString() == "package")
                CopyFiles(System.IO.Path.Combine(home, library.Value.GetProperty("path").GetString(), "*.nupkg"), feed);
    var app = dir.Combine("app");
    Run("dotnet", $"new console -o \"{app}\" -n SmokeApp --force");
    System.IO.File.WriteAllText(app.CombineWithFilePath("nuget.config").FullPath,
        $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
    CopyFile(root.CombineWithFilePath("tests/PackSmoke/Program.cs.txt"), app.CombineWithFilePath("Program.cs"));
    var cache = dir.Combine("nuget-cache");  // a private cache: a re-pack of the same version is always seen
    Run("dotnet", $"add \"{app}\" package ConvSharp --version {XmlPeek(root.CombineWithFilePath("Directory.Build.props"), "/Project/PropertyGroup/Version")} --no-restore");
    Run("dotnet", $"restore \"{app}\" --packages \"{cache}\"");
    Run("dotnet", $"build \"{app}\" -c Release --no-restore --nologo -v q");
    int code = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"\"{app}/bin/Release/net10.0/SmokeApp.dll\"",
        EnvironmentVariables = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = "" },
    });
    if (code != 0) throw new Exception($"The consumer app failed with exit code {code}.");
});

RunTarget(target);
