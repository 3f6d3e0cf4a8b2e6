using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConvSharp.Backends.OpenCL;

/// <summary>CONVSHARP_OPENCL_TUNE=1: on a context's first use, times gemm.cl's candidate tiles on one square SGEMM and
/// keeps the fastest; the choice is cached beside the program-binary cache in a small text file keyed by device, driver
/// and source hash, so a later context (or process) for the same device reads it instead of timing. A cache file that
/// cannot be read is reported on the warnings writer and replaced; it never stops the backend.</summary>
internal static class OpenCLGemmTuner
{
    /// <summary>The environment variable that turns tuning on ("1").</summary>
    public const string Variable = "CONVSHARP_OPENCL_TUNE";

    /// <summary>The tiles gemm.cl compiles under GEMM_CANDIDATES (its CS_SGEMM_TILED lines, same order and names).</summary>
    public static readonly OpenCLGemmTuning[] Candidates =
    [
        new(32, 32, 16, 4, 4) { Kernel = "cs_sgemm_tiled_32x32_4x4" },
        new(64, 64, 16, 4, 4) { Kernel = "cs_sgemm_tiled_64x64_4x4" },
        new(64, 64, 16, 8, 8) { Kernel = "cs_sgemm_tiled_64x64_8x8" },
        new(128, 64, 16, 8, 4) { Kernel = "cs_sgemm_tiled_128x64_8x4" },
    ];

    /// <summary>How a context's GEMM tile was chosen.</summary>
    public enum Source
    {
        /// <summary>From the table, by the device's reported properties (tuning off).</summary>
        Table,
        /// <summary>Timed now; the choice was written to the cache.</summary>
        Timed,
        /// <summary>Read from the cache, nothing timed.</summary>
        Cache,
    }

    /// <summary>Whether every candidate fits the device (then the program compiles them, -DGEMM_CANDIDATES).</summary>
    public static bool CandidatesFit(OpenCLDeviceInfo device) => Candidates.All(c => c.FitsGemm(device));

    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>The cache file of <paramref name="device"/>'s choice under <paramref name="folder"/>.</summary>
    public static string CachePath(OpenCLDeviceInfo device, string folder)
    {
        string identity = string.Join("\n", device.Name, device.Vendor, device.DriverVersion, device.Version, device.PlatformName,
            Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(OpenCLProgram.Source))));
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32].ToLowerInvariant();
        return Path.Combine(folder, $"gemm-tune-{key}.txt");
    }

    /// <summary>The tile for <paramref name="context"/>: the cached choice when its file holds one of the candidates,
    /// else the fastest candidate timed now (and cached).</summary>
    public static (OpenCLGemmTuning Choice, Source Source) Choose(OpenCLContext context, Device device, string folder, TextWriter warnings)
    {
        string path = CachePath(context.Info, folder);
        if (File.Exists(path))
        {
            string text = "";
            try
            {
                text = File.ReadAllText(path).Trim();
            }
            catch (IOException e)
            {
                warnings.WriteLine($"ConvSharp: cannot read the OpenCL GEMM tuning cache {path} ({e.Message}); timing the tiles again.");
            }
            string name = text.Split(' ', 2)[0];
            foreach (var candidate in Candidates)
                if (candidate.Kernel == name) return (candidate, Source.Cache);
            if (text.Length > 0 || !File.Exists(path))
                warnings.WriteLine($"ConvSharp: the OpenCL GEMM tuning cache {path} holds no known tile ('{Shorten(text)}'); timing the tiles again.");
        }
        var (best, ms) = TimeCandidates(context, device);
        try
        {
            Directory.CreateDirectory(folder);
            string temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
            File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture,
                $"{best.Kernel} {ms:F4} ms per {Side(context.Info)}^3 SGEMM on {context.Info.Name}, driver {context.Info.DriverVersion}\n"));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.WriteLine($"ConvSharp: cannot write the OpenCL GEMM tuning cache {path} ({e.Message}).");
        }
        return (best, Source.Timed);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>The side of the timed square product: big enough to fill a GPU, small enough for a CPU driver.</summary>
    private static int Side(OpenCLDeviceInfo device) => device.IsGpu ? 1024 : 256;

    /// <summary>Each candidate on one n³ product: one warm-up launch, then the best of three, each waited for.</summary>
    private static (OpenCLGemmTuning Best, double Ms) TimeCandidates(OpenCLContext context, Device device)
    {
        int n = Side(context.Info);
        long length = (long)n * n;
        var buffers = new OpenCLBuffer[3];
        for (int i = 0; i < 3; i++)
        {
            var (mem, capacity) = context.Pool.Rent(length);
            buffers[i] = new OpenCLBuffer(device, context.Pool, mem, capacity, length);
            context.Run("cs_fill", length, new BufferSlice(buffers[i], 0, length), length, 1f / (i + 1));
        }
        try
        {
            OpenCLGemmTuning best = Candidates[0];
            double bestMs = double.PositiveInfinity;
            foreach (var t in Candidates)
            {
                double ms = double.PositiveInfinity;
                for (int rep = 0; rep < 4; rep++)
                {
                    var watch = Stopwatch.StartNew();
                    context.Launch(t.Kernel, [(nuint)((n + t.TN - 1) / t.TN * t.GroupX), (nuint)((n + t.TM - 1) / t.TM * t.GroupY), 1],
                        [(nuint)t.GroupX, (nuint)t.GroupY, 1],
                        [0, 0, n, n, n, 1f, new BufferSlice(buffers[0], 0, length), n, new BufferSlice(buffers[1], 0, length), n, 0f,
                            new BufferSlice(buffers[2], 0, length), n, n, 0L]);
                    context.Finish();
                    if (rep > 0) ms = Math.Min(ms, watch.Elapsed.TotalMilliseconds);   // the first run compiles and warms up
                }
                if (ms < bestMs) (best, bestMs) = (t, ms);
            }
            return (best, bestMs);
        }
        finally
        {
            foreach (var b in buffers) b.Release();
        }
    }
}
