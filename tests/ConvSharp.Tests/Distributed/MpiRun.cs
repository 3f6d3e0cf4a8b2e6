using System.Diagnostics;
using System.Reflection;

namespace ConvSharp.Tests.Distributed;

/// <summary>Runs tests/ConvSharp.DistributedCheck (built before the tests) alone or under Open MPI's mpirun.</summary>
internal static class MpiRun
{
    public static string DllPath { get; } = typeof(MpiRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DistributedCheckDll").Value!;

    public static string CliDllPath { get; } = typeof(MpiRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliDll").Value!;

    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>`mpirun --allow-run-as-root --oversubscribe -np N dotnet DistributedCheck.dll args` (ranks = 0: no mpirun).</summary>
    public static Result Run(int ranks, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null, params string[] args) =>
        RunDll(DllPath, ranks, limit, environment, args);

    /// <summary>`mpirun ... dotnet DLL args` for any program (the convsharp tool too).</summary>
    public static Result RunDll(string dll, int ranks, TimeSpan limit, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(dll), $"{dll} is missing: build Interop.sln first.");
        var info = new ProcessStartInfo(ranks == 0 ? "dotnet" : "mpirun")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (ranks > 0)
        {
            // As root Open MPI needs --allow-run-as-root; --oversubscribe lets 4 ranks share 2 cores;
            // binding is off so oversubscribed ranks are not pinned to one core each.
            foreach (string a in new[] { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(), "dotnet" })
                info.ArgumentList.Add(a);
        }
        info.ArgumentList.Add(dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        // One OpenBLAS thread per rank, as data parallelism on one machine is meant to run.
        info.Environment["OPENBLAS_NUM_THREADS"] = "1";
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {limit.TotalSeconds} s (it hung).\n{stdout.Result}\n{stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
    }

    public static Result Run(int ranks, params string[] args) => Run(ranks, TimeSpan.FromSeconds(120), null, args);

    public static bool MpirunInstalled { get; } =
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "mpirun")));
}
