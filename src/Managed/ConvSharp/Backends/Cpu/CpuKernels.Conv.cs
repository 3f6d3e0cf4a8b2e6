using System.Collections.Concurrent;

namespace ConvSharp.Backends.Cpu;

// Convolution on the CPU. The plan picks, once per shape and thread setting:
// - direct kernels (native/kernels/conv_direct.c, an implicit GEMM over a zero-padded copy of the input, no column
//   matrix) for one-group layers with C·KH·KW ≤ 1024 whose padded planes fit 32-bit offsets. They beat im2col + a
//   GEMM per image on every shape of the benchmark suite, most on small planes and few input channels
//   (docs/benchmarks.md, "Direct convolution"). The forward and the weight gradient are split into one share per
//   worker inside the native call (images, or bands of output rows when there are fewer images than workers); the
//   input gradient is gathered directly where the geometry allows, else scattered through a GEMM and col2im.
// - im2col + OpenBLAS (Im2ColConvolution) for grouped layers and for C·KH·KW > 1024, where the GEMM's inner dimension
//   is long enough for OpenBLAS to run near peak.
// - one worker below MinParallelMacs multiply-adds per pass, where waking a second core costs more than it saves.
internal sealed unsafe partial class CpuKernels
{
    /// <summary>Above this many rows C·KH·KW the GEMM's inner dimension is long enough for OpenBLAS to run near peak
    /// (N=8 256→256 14×14, 2,304 rows: im2col + GEMM 0.98–1.01× TorchSharp, direct 0.87–0.92×; 576 rows and
    /// below: direct faster everywhere measured, docs/benchmarks.md).</summary>
    internal const int DirectConvMaxRows = 1024;

    /// <summary>Below this many multiply-adds per pass, waking a second worker costs more than it saves
    /// (measured on the 1→16 28×28 layer at batch 16: 1.8 M multiply-adds ran faster on one core).</summary>
    private const double MinParallelMacs = 4e6;

    private readonly ConcurrentDictionary<(ConvGeometry, int, int), CpuConvPlan> _plans = new();

    public ConvPlan Plan(in ConvGeometry geometry, int outChannels)
    {
        int workers = Workers;
        var key = (geometry, outChannels, workers);
        if (_plans.TryGetValue(key, out CpuConvPlan? plan)) return plan;
        if (_plans.Count > 256) _plans.Clear();  // shapes that come and go (varying batch sizes) must not pile up
        plan = new CpuConvPlan(geometry, outChannels, workers);
        _plans[key] = plan;
        return plan;
    }

    /// <summary>What the CPU decided for one convolution shape.</summary>
    internal sealed class CpuConvPlan : ConvPlan
    {
        public CpuConvPlan(in ConvGeometry geometry, int outChannels, int workers) : base(geometry, outChannels)
        {
            Direct = PrefersDirect(geometry, outChannels);
            double macs = (double)geometry.N * outChannels * geometry.GroupRows * geometry.OH * geometry.OW;
            Parts = macs < MinParallelMacs ? 1 : Math.Max(1, workers);
            ImageWorkers = Math.Min(Parts, geometry.N);
            if (Direct)
            {
                var g = geometry.ToNative();
                DirectScratch = Interop.Native.cs_conv_direct_scratch(&g, outChannels, Parts);
                if (DirectScratch < 0) throw new ArgumentException("The native direct convolution refused this geometry.", nameof(geometry));
            }
        }

        /// <summary>Whether the direct kernels run this layer (else im2col + GEMM).</summary>
        public bool Direct { get; }

        /// <summary>Shares of the direct forward and weight gradient (one per worker), 1 for small passes.</summary>
        public int Parts { get; }

        /// <summary>Workers for the image-by-image passes.</summary>
        public int ImageWorkers { get; }

        /// <summary>Floats of scratch one direct call needs.</summary>
        public long DirectScratch { get; }
    }

    /// <summary>Whether the direct kernels compute this layer better than im2col + GEMM (see the file comment).</summary>
    internal static bool PrefersDirect(in ConvGeometry g, int outChannels)
    {
        if (g.Groups != 1 || g.ColumnRows > DirectConvMaxRows) return false;
        // The native kernels address a padded image (and the padded output gradient) with 32-bit offsets.
        long spanH = (long)g.DH * (g.KH - 1), spanW = (long)g.DW * (g.KW - 1);
        return (long)g.C * (g.H + 2L * g.PH) * (g.W + 2L * g.PW) < 1L << 28 &&
               outChannels * (g.OH + 2 * spanH) * (g.OW + 2 * spanW) < 1L << 28;
    }

    public void ConvForward(ConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y, bool relu = false)
    {
        var p = (CpuConvPlan)plan;
        if (!p.Direct)
            Im2ColConvolution.Forward(this, p.Geometry, p.OutChannels, p.ImageWorkers, x, w, bias, y);
        else
            ParallelFor(p.Parts, p.Parts, (part, _, _) => ConvDirect(p, x, w, bias, y, part));
        if (relu) Unary(UnaryOp.Relu, y, y);
    }

    public void ConvBackwardData(ConvPlan plan, BufferSlice w, BufferSlice dy, BufferSlice dx)
    {
        var p = (CpuConvPlan)plan;
        ConvGeometry g = p.Geometry;
        if (!p.Direct || !g.GathersInputGradient)
        {
            Im2ColConvolution.BackwardData(this, g, p.OutChannels, p.ImageWorkers, w, dy, dx);
            return;
        }
        long imageIn = g.InputLength / g.N, imageOut = p.OutputLength / g.N;
        ParallelFor(g.N, p.ImageWorkers, (_, start, end) =>
            ConvDirectGradInput(w, dy.Slice(start * imageOut, (end - start) * imageOut), g.WithBatch(end - start), p.OutChannels,
                dx.Slice(start * imageIn, (end - start) * imageIn)));
    }

    public void ConvBackwardFilter(ConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice? dw, BufferSlice? dbias)
    {
        var p = (CpuConvPlan)plan;
        ConvGeometry g = p.Geometry;
        if (dbias is { } db) Im2ColConvolution.BiasGradient(this, g.N, p.OutChannels, (long)g.OH * g.OW, dy, db);
        if (dw is not { } dwAll) return;
        if (!p.Direct)
        {
            Im2ColConvolution.BackwardFilter(this, g, p.OutChannels, p.ImageWorkers, x, dy, dwAll);
            return;
        }
        Partials partials = Partials.For(this, dwAll, p.Parts);
        try
        {
            ParallelFor(p.Parts, p.Parts, (part, _, _) => ConvDirectGradWeight(p, x, dy, partials.Of(part), part));
            partials.AddInto(this);
        }
        finally { partials.Release(); }
    }

    /// <summary>Share <paramref name="part"/> of the plan's parts of the direct forward (native/kernels/conv_direct.c).</summary>
    internal void ConvDirect(CpuConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y, int part)
    {
        var g = plan.Geometry.ToNative();
        CpuBuffer scratch = new(Device, plan.DirectScratch, zero: false);
        try
        {
            Interop.Native.Check(Interop.Native.cs_conv_direct_f32(&g, plan.OutChannels, Pointer(x), Pointer(w), bias is { } bs ? Pointer(bs) : null,
                Pointer(y), scratch.Pointer, part, plan.Parts));
        }
        finally { scratch.Release(); }
    }

    /// <summary>Share <paramref name="part"/> of the plan's parts of the direct weight gradient, into its own accumulator.</summary>
    internal void ConvDirectGradWeight(CpuConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice dw, int part)
    {
        var g = plan.Geometry.ToNative();
        CpuBuffer scratch = new(Device, plan.DirectScratch, zero: false);
        try
        {
            Interop.Native.Check(Interop.Native.cs_conv_direct_grad_weight_f32(&g, plan.OutChannels, Pointer(x), Pointer(dy), Pointer(dw), scratch.Pointer,
                part, plan.Parts));
        }
        finally { scratch.Release(); }
    }

    /// <summary>dx += the gathered input gradient of a stride-1 direct layer over <paramref name="geometry"/>'s images.</summary>
    private void ConvDirectGradInput(BufferSlice w, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dx)
    {
        var g = geometry.ToNative();
        long length = Interop.Native.cs_conv_direct_scratch(&g, outChannels, 1);
        if (length < 0) throw new ArgumentException("The native direct convolution refused this geometry.", nameof(geometry));
        CpuBuffer scratch = new(Device, length, zero: false);
        try
        {
            Interop.Native.Check(Interop.Native.cs_conv_direct_grad_input_f32(&g, outChannels, Pointer(w), Pointer(dy), Pointer(dx), scratch.Pointer));
        }
        finally { scratch.Release(); }
    }
}
