namespace ConvSharp.Benchmarks;

/// <summary>CPU time this process's threads have used, grouped by what they are (Linux /proc/self/task): the calling
/// (main) thread, ConvSharp's worker team, .NET's own threads (JIT tiering, GC, thread pool: they name themselves) and
/// unnamed native threads (OpenBLAS's pool; libtorch's when TorchSharp ran). Shows who burns cycles during a step,
/// e.g. threads spinning while others wait for the core.</summary>
public static class ThreadTimes
{
    private static readonly string[] Groups = ["main", "ConvSharp workers", ".NET JIT tiering", ".NET thread pool", ".NET other", "native (OpenBLAS/libtorch)"];

    /// <summary>Number of groups a <see cref="Sample"/> holds.</summary>
    public static int Count => Groups.Length;

    /// <summary>Seconds of CPU (user + system) per group, in the order of <see cref="Groups"/>; empty off Linux.</summary>
    public static double[] Sample()
    {
        var seconds = new double[Groups.Length];
        if (!Directory.Exists("/proc/self/task")) return seconds;
        int pid = Environment.ProcessId;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
                string comm = stat[(open + 1)..close];
                string[] fields = stat[(close + 2)..].Split(' ');  // fields[0] is field 3 (state); utime, stime are fields 14, 15
                double cpu = (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
                int tid = int.Parse(Path.GetFileName(task));
                int group = tid == pid ? 0 : comm.StartsWith("ConvSharp") ? 1 : comm.StartsWith(".NET Tiered") ? 2
                    : comm.StartsWith(".NET TP") || comm.StartsWith(".NET Long") ? 3 : comm.StartsWith(".NET") ? 4 : 5;
                seconds[group] += cpu;
            }
            catch (IOException) { }  // the thread ended meanwhile
        }
        return seconds;
    }

    /// <summary>"group x ms, …" per step between two samples.</summary>
    public static string PerStep(double[] before, double[] after, int steps) =>
        string.Join(", ", Groups.Select((g, i) => $"{g} {(after[i] - before[i]) * 1000 / Math.Max(1, steps):F2} ms"));
}
