namespace ConvSharp.Backends.Cpu;

// Direct convolution on the CPU: native/kernels/conv_direct.c, an implicit GEMM over a zero-padded copy of
// the input. It beat im2col + a GEMM per image on every shape of the benchmark suite, most on small planes and
// few input channels (docs/benchmarks.md, "Direct convolution"); grouped convolutions still use im2col + GEMM.
internal sealed unsafe partial class CpuKernels
{

    private static readonly Lock ThreadGate = new();
    private static int _parallelSections, _savedThreads;

    public int Workers
    {
        get
        {
            // The user's setting even while another thread's section has OpenBLAS at 1: the worker count decides
            // how weight gradients are split and summed, so it must not depend on what other threads run.
            lock (ThreadGate) return _parallelSections > 0 ? _savedThreads : Interop.OpenBlas.GetNumThreads();
        }
    }

    public void ParallelFor(int count, int workers, Action<int, int, int> body)
    {
        workers = Math.Clamp(Math.Min(workers, count), 1, Math.Max(1, count));
        // The body's GEMMs always run on one OpenBLAS thread, even with one worker: a GEMM's last bits depend
        // on how OpenBLAS splits it, so this keeps an op's result independent of the thread setting and of
        // other threads' parallel sections (concurrent inference gives exactly the sequential results).
        // Whole images per core also scale better than each image's GEMM split across threads.
        // Concurrent sections share one saved setting.
        lock (ThreadGate)
        {
            if (_parallelSections++ == 0) _savedThreads = Interop.OpenBlas.GetNumThreads();
            if (_savedThreads > 1) Interop.OpenBlas.SetNumThreads(1);
        }
        try
        {
            if (workers == 1)
                body(0, 0, count);
            else if (!WorkerTeam.Shared.TryRun(count, workers, body))
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                    i => body(i, (int)((long)count * i / workers), (int)((long)count * (i + 1) / workers)));
        }
        finally
        {
            lock (ThreadGate)
                if (--_parallelSections == 0 && _savedThreads > 1) Interop.OpenBlas.SetNumThreads(_savedThreads);
        }
    }

    /// <summary>Above this many rows C·KH·KW the GEMM's inner dimension is long enough for OpenBLAS to run near peak
    /// (N=8 256→256 14×14, 2,304 rows: im2col + GEMM 0.98–1.01× TorchSharp, direct 0.87–0.92×; 576 rows and
    /// below: direct faster everywhere measured, docs/benchmarks.md).</summary>
    internal const int DirectConvMaxRows = 1024;

    public bool PrefersDirectConv(in ConvGeometry geometry, int outChannels) =>
        geometry.ColumnRows <= DirectConvMaxRows && DirectPlanesFit(geometry, outChannels);

    /// <summary>The native kernels address a padded image (and the padded output gradient) with 32-bit offsets.</summary>
    private static bool DirectPlanesFit(in ConvGeometry g, int outChannels)
    {
        long spanH = (long)g.DH * (g.KH - 1), spanW = (long)g.DW * (g.KW - 1);
        return (long)g.C * (g.H + 2L * g.PH) * (g.W + 2L * g.PW) < 1L << 28 &&
               outChannels * (g.OH + 2 * spanH) * (g.OW + 2 * spanW) < 1L << 28;
    }

    public void ConvDirect(BufferSlice x, BufferSlice w, BufferSlice? bias, in ConvGeometry geometry, int outChannels, BufferSlice y, int part, int parts)
    {
        CheckPart(part, parts);
        CheckDirect(geometry, outChannels);
        KernelChecks.Length(x, geometry.InputLength, nameof(x));
        KernelChecks.Length(w, outChannels * geometry.ColumnRows, nameof(w));
        if (bias is { } b) KernelChecks.Length(b, outChannels, nameof(bias));
        KernelChecks.Length(y, DirectOutputLength(geometry, outChannels), nameof(y));
        var g = geometry.ToNative();
        CpuBuffer scratch = Scratch(&g, outChannels, parts);
        try
        {
            Interop.Native.Check(Interop.Native.ConvDirect(&g, outChannels, Pointer(x), Pointer(w), bias is { } bs ? Pointer(bs) : null,
                Pointer(y), scratch.Pointer, part, parts), "cs_conv_direct_f32");
        }
        finally { scratch.Release(); }
    }

    public void ConvDirectGradWeight(BufferSlice x, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dw, int part, int parts)
    {
        CheckPart(part, parts);
        CheckDirect(geometry, outChannels);
        KernelChecks.Length(x, geometry.InputLength, nameof(x));
        KernelChecks.Length(dy, DirectOutputLength(geometry, outChannels), nameof(dy));
        KernelChecks.Length(dw, outChannels * geometry.ColumnRows, nameof(dw));
        var g = geometry.ToNative();
        CpuBuffer scratch = Scratch(&g, outChannels, parts);
        try
        {
            Interop.Native.Check(Interop.Native.ConvDirectGradWeight(&g, outChannels, Pointer(x), Pointer(dy), Pointer(dw), scratch.Pointer, part, parts),
                "cs_conv_direct_grad_weight_f32");
        }
        finally { scratch.Release(); }
    }

    public void ConvDirectGradInput(BufferSlice w, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dx)
    {
        CheckDirect(geometry, outChannels);
        KernelChecks.Length(w, outChannels * geometry.ColumnRows, nameof(w));
        KernelChecks.Length(dy, DirectOutputLength(geometry, outChannels), nameof(dy));
        KernelChecks.Length(dx, geometry.InputLength, nameof(dx));
        if (!geometry.GathersInputGradient)
            throw new ArgumentException($"The direct input gradient needs stride 1 and an output at least 2/3 of the input's size; got stride " +
                                        $"{geometry.SH}x{geometry.SW}, input {geometry.H}x{geometry.W}, output {geometry.OH}x{geometry.OW}.", nameof(geometry));
        var g = geometry.ToNative();
        CpuBuffer scratch = Scratch(&g, outChannels, 1);
        try
        {
            Interop.Native.Check(Interop.Native.ConvDirectGradInput(&g, outChannels, Pointer(w), Pointer(dy), Pointer(dx), scratch.Pointer),
                "cs_conv_direct_grad_input_f32");
        }
        finally { scratch.Release(); }
    }

    private void CheckDirect(in ConvGeometry geometry, int outChannels)
    {
        Guard.Positive(outChannels);
        if (!PrefersDirectConv(geometry, outChannels))
            throw new ArgumentException($"Direct convolution needs C·KH·KW ≤ {DirectConvMaxRows} and padded planes under 2^28 floats; got input " +
                                        $"{geometry.C}x{geometry.H}x{geometry.W}, kernel {geometry.KH}x{geometry.KW}, padding {geometry.PH}x{geometry.PW}.", nameof(geometry));
    }

    private static void CheckPart(int part, int parts)
    {
        Guard.Positive(parts);
        if (part < 0 || part >= parts)
            throw new ArgumentOutOfRangeException(nameof(part), part, $"part must be in [0, {parts}), but is {part}.");
    }

    private static long DirectOutputLength(in ConvGeometry geometry, int outChannels) =>
        (long)geometry.N * outChannels * geometry.OH * geometry.OW;

    /// <summary>Pooled scratch for the native kernel; the caller releases it.</summary>
    private CpuBuffer Scratch(Interop.Native.ConvGeometryNative* g, int outChannels, int parts)
    {
        long length = Interop.Native.ConvDirectScratch(g, outChannels, parts);
        if (length < 0) throw new ArgumentException("The native direct convolution refused this geometry.");
        return new CpuBuffer(Device, length, zero: false);
    }
}
