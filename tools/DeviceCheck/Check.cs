using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConvSharp.DeviceCheck;

/// <summary>The parts in order, each writing its markdown table to the output folder and stdout.
/// Exit codes: 0 all ran and parity held; 1 a parity failure (nothing was timed); 3 no OpenCL device.</summary>
internal static class Check
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The conv layer shapes of docs/benchmarks.md's conv-layer table.</summary>
    private static readonly Timing.ConvShape[] ConvShapes =
    [
        new(16, 1, 16, 28, 28), new(16, 16, 32, 14, 14), new(16, 32, 64, 7, 7), new(16, 3, 32, 32, 32), new(16, 32, 32, 32, 32),
        new(16, 32, 64, 16, 16), new(16, 64, 64, 16, 16), new(32, 64, 64, 56, 56), new(8, 256, 256, 14, 14),
        new(1, 3, 16, 768, 1024, Kernel: 5, Stride: 2, Padding: 1),
    ];

    public static int Run(Options o)
    {
        Directory.CreateDirectory(o.Out);
        Timing.Quick = o.Local;
        var total = Stopwatch.StartNew();
        var summary = new List<string>();

        // (a) Devices.
        var devices = Device.OpenCLDevices();
        var md = new StringBuilder("## OpenCL devices\n\n");
        if (devices.Count == 0)
        {
            string why;
            try { why = $"Device.OpenCL() found {Device.OpenCL()}"; }
            catch (PlatformNotSupportedException e) { why = e.Message; }
            md.Append("No OpenCL platform or device was found: ").Append(why).Append('\n');
            Emit(o, "1-devices.md", md);
            Console.WriteLine("SUMMARY: no OpenCL device; nothing on the GPU was checked or timed.");
            File.WriteAllText(Path.Combine(o.Out, "9-summary.md"), "## Summary\n\nNo OpenCL device was found (see 1-devices.md).\n");
            return 3;
        }
        md.Append("| platform:device | name | type | platform | OpenCL version | driver | compute units | global memory |\n|---|---|---|---|---|---|---:|---:|\n");
        foreach (var d in devices)
            md.Append(Inv, $"| {d.PlatformIndex}:{d.DeviceIndex} | {d.Name} | {(d.IsGpu ? "GPU" : "CPU/other")} | {d.PlatformName} | {d.Version} | {d.DriverVersion} | {d.ComputeUnits} | {d.GlobalMemoryBytes / (1 << 20)} MiB |\n");
        Device gpu = Device.OpenCL();
        var info = gpu.OpenCLInfo!;
        md.Append(Inv, $"\nChecked device: **{info.Name}** ({info.Version}, driver {info.DriverVersion}); CPU backend: {Environment.ProcessorCount} logical cores.\n");
        Emit(o, "1-devices.md", md);
        summary.Add($"device: {info.Name} ({info.Version}, driver {info.DriverVersion})");

        // (b) Parity, before any timing.
        var parity = Parity.Run(gpu, seed: 15);
        md = new StringBuilder($"## Op parity: OpenCL vs the CPU backend (worst relative error; limits {Parity.ForwardLimit:0e0} forward, {Parity.GradientLimit:0e0} gradients)\n\n");
        md.Append("| op | shapes | forward | gradients | result |\n|---|---|---:|---:|---|\n");
        // (a forward limit other than the default is named in the result column)
        foreach (var r in parity)
            md.Append(Inv, $"| {r.Name} | {r.Shapes} | {r.Forward:E2} | {(r.Gradient == 0 ? "—" : r.Gradient.ToString("E2", Inv))} | {(r.Passed ? "ok" : "**FAIL**")}{(r.Limit != Parity.ForwardLimit ? $" (forward limit {r.Limit:0e0})" : "")} |\n");
        Emit(o, "2-parity.md", md);
        int failed = parity.Count(r => !r.Passed);
        summary.Add($"parity: {parity.Count - failed} of {parity.Count} op families within the limits" +
                    (failed > 0 ? $" — FAILED: {string.Join(", ", parity.Where(r => !r.Passed).Select(r => r.Name))}" : ""));
        if (failed > 0)
        {
            summary.Add("nothing was timed: a device that computes wrong results is not benchmarked");
            return Finish(o, summary, total, 1);
        }

        var peer = Peer.Load(o.Peer);

        // (c) SGEMM.
        int[] sizes = o.Local ? [256, 512] : [1024, 2048, 4096, 8192];
        md = new StringBuilder("## SGEMM (C = A·B, square, fp32; median of repetitions)\n\n| n | OpenCL | GFLOP/s | CPU backend | GFLOP/s | PyTorch fp32 | PyTorch TF32 | OpenCL vs PyTorch fp32 |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var gemms = new List<Timing.Gemm>();
        foreach (int n in sizes)
        {
            var g = Timing.Sgemm(gpu, n, withCpu: n <= 4096);
            gemms.Add(g);
            double? pOff = peer?.Sgemm(n, tf32: false), pOn = peer?.Sgemm(n, tf32: true);
            md.Append(Inv, $"| {n} | {Ms(g.GpuMs)} | {g.GpuGflops:F0} | {(g.CpuMs is { } c ? Ms(c) : "—")} | {(g.CpuGflops is { } cg ? cg.ToString("F0", Inv) : "—")} | " +
                           $"{Gf(n, pOff)} | {Gf(n, pOn)} | {Ratio(pOff, g.GpuMs)} |\n");
        }
        Emit(o, "3-sgemm.md", md);
        var big = gemms[^1].Size >= 4096 ? gemms.First(g => g.Size == 4096) : gemms[^1];
        double? peer4096 = peer?.Sgemm(big.Size, tf32: false);
        summary.Add($"sgemm {big.Size}³: {big.GpuGflops:F0} GFLOP/s" + (peer4096 is { } p4 ? $", {p4 / big.GpuMs * 100:F0}% of PyTorch fp32 (target ≥ 50%: {(p4 / big.GpuMs >= 0.5 ? "met" : "not met")})" : ""));

        // Conv layers.
        var shapes = o.Local ? ConvShapes.Take(3).ToArray() : ConvShapes;
        md = new StringBuilder("## Conv layers (3×3 pad 1 unless noted; fwd+bwd = forward, Σ, backward to input, weight and bias)\n\n" +
            "| N C→K H×W | OpenCL fwd | fwd+bwd | GFLOP/s fwd+bwd | launches fwd | CPU fwd | CPU fwd+bwd | OpenCL vs CPU fwd+bwd | PyTorch fp32 fwd+bwd |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var s in shapes)
        {
            var c = Timing.ConvLayer(gpu, s);
            double? pt = peer?.Conv(s.ToString(), tf32: false);
            md.Append(Inv, $"| {s} | {Ms(c.GpuForwardMs)} | {Ms(c.GpuTrainMs)} | {3 * s.Flops / (c.GpuTrainMs * 1e6):F0} | {c.LaunchesForward} | {Ms(c.CpuForwardMs)} | {Ms(c.CpuTrainMs)} | " +
                           $"{c.CpuTrainMs / c.GpuTrainMs:F2}× | {(pt is { } v ? Ms(v) : "—")} |\n");
        }
        Emit(o, "4-conv.md", md);

        // Training steps.
        int[] batches = o.Local ? [8] : [64, 256];
        md = new StringBuilder("## Training steps (forward, cross-entropy, backward, Adam, loss read back; batch resident on the device)\n\n" +
            "| network | batch | layers | OpenCL ms/step | images/s | launches/step | blocking reads/step | host waits/step | CPU backend ms/step | images/s | OpenCL vs CPU | PyTorch fp32 images/s | PyTorch TF32 images/s | OpenCL vs PyTorch fp32 |\n" +
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (string net in Timing.Networks)
            foreach (int b in batches)
            {
                var t = Timing.TrainingStep(gpu, net, b, withCpu: true);
                double? pOff = peer?.Train(net, b, tf32: false), pOn = peer?.Train(net, b, tf32: true);
                md.Append(Inv, $"| {net} ({t.Parameters:N0} params) | {b} | {t.Layers} | {t.GpuMs:F2} | {t.GpuImagesPerSecond:F0} | {t.Launches} (≤ {4 * t.Layers}: {(t.Launches <= 4 * t.Layers ? "yes" : "no")}) | {t.BlockingReads} | {t.HostWaits} | " +
                               $"{t.CpuMs:F2} | {t.CpuImagesPerSecond:F0} | {t.CpuMs / t.GpuMs:F2}× | {Ips(b, pOff)} | {Ips(b, pOn)} | {Ratio(pOff, t.GpuMs)} |\n");
                if (net == "cifar-cnn" && b == batches[^1])
                    summary.Add($"cifar-cnn batch {b}: {t.GpuImagesPerSecond:F0} images/s on OpenCL, {t.CpuMs / t.GpuMs:F2}× the CPU backend (target ≥ 5×: {(t.CpuMs / t.GpuMs >= 5 ? "met" : "not met")})" +
                        (pOff is { } p ? $", {p / t.GpuMs * 100:F0}% of PyTorch fp32 (target ≥ 50%: {(p / t.GpuMs >= 0.5 ? "met" : "not met")})" : ""));
                if (b == batches[^1])
                    summary.Add($"{net} batch {b}: {t.Launches} launches/step for {t.Layers} layers (target ≤ {4 * t.Layers}: {(t.Launches <= 4 * t.Layers ? "met" : "not met")}), {t.BlockingReads} blocking read(s) (target ≤ 1: {(t.BlockingReads <= 1 ? "met" : "not met")})");
            }
        Emit(o, "5-training.md", md);
        return Finish(o, summary, total, 0);
    }

    private static int Finish(Options o, List<string> summary, Stopwatch total, int code)
    {
        summary.Add($"DeviceCheck took {total.Elapsed.TotalSeconds:F0} s");
        var md = new StringBuilder("## Summary\n\n");
        foreach (string line in summary) md.Append("- ").Append(line).Append('\n');
        File.WriteAllText(Path.Combine(o.Out, "9-summary.md"), md.ToString());
        Console.WriteLine();
        foreach (string line in summary) Console.WriteLine("SUMMARY: " + line);
        return code;
    }

    private static void Emit(Options o, string file, StringBuilder md)
    {
        File.WriteAllText(Path.Combine(o.Out, file), md.ToString());
        Console.WriteLine(md.ToString());
    }

    private static string Ms(double ms) => ms >= 100 ? ms.ToString("F0", Inv) + " ms" : ms >= 1 ? ms.ToString("F2", Inv) + " ms" : (ms * 1000).ToString("F0", Inv) + " µs";

    private static string Gf(int n, double? ms) => ms is { } v ? (2.0 * n * n * (double)n / (v * 1e6)).ToString("F0", Inv) + " GFLOP/s" : "—";

    private static string Ips(int batch, double? ms) => ms is { } v ? (batch * 1000.0 / v).ToString("F0", Inv) : "—";

    /// <summary>Our speed as a fraction of the peer's: peer time / our time.</summary>
    private static string Ratio(double? peerMs, double oursMs) => peerMs is { } p ? (p / oursMs * 100).ToString("F0", Inv) + "%" : "—";
}

/// <summary>PyTorch's timings from tools/device/torch_peer.py (its JSON: sgemm, conv, train entries with ms).</summary>
internal sealed class Peer(JsonElement root)
{
    public static Peer? Load(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        try { return new Peer(JsonDocument.Parse(File.ReadAllText(path)).RootElement); }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"DeviceCheck: ignoring the PyTorch results in {path}: {e.Message}");
            return null;
        }
    }

    public double? Sgemm(int size, bool tf32) => Find("sgemm", e => e.GetProperty("size").GetInt32() == size, tf32, "ms");

    public double? Conv(string shape, bool tf32) => Find("conv", e => e.GetProperty("shape").GetString() == shape, tf32, "train_ms");

    public double? Train(string net, int batch, bool tf32) =>
        Find("train", e => e.GetProperty("net").GetString() == net && e.GetProperty("batch").GetInt32() == batch, tf32, "ms");

    private double? Find(string part, Func<JsonElement, bool> match, bool tf32, string field)
    {
        if (!root.TryGetProperty(part, out var list)) return null;
        foreach (var e in list.EnumerateArray())
            if (e.GetProperty("tf32").GetBoolean() == tf32 && match(e) && e.TryGetProperty(field, out var v)) return v.GetDouble();
        return null;
    }
}
