using System.Diagnostics;
using System.Reflection;

namespace ConvSharp.Tests.Reliability;

/// <summary>Starts tests/ConvSharp.Stress (built before the tests; its path is stamped into this assembly).</summary>
internal static class StressProgram
{
    public static string DllPath { get; } = typeof(StressProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "StressDll").Value!;

    public static Process Start(params string[] args)
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} is missing: build Interop.sln first.");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(DllPath);
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
    }
}
