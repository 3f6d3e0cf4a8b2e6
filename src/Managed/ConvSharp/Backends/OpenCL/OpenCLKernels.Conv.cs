namespace ConvSharp.Backends.OpenCL;

// Convolution on OpenCL: implicit-GEMM kernels of conv.cl, one launch per pass over the whole batch and every group
// (plus one for the bias gradient and, when the weight gradient is split over the batch, one to add the slices);
// on CPU drivers image-by-image im2col + SGEMM, measured faster there. The plan fixes the strategy, the tile
// instantiation and the split once per shape.
internal sealed partial class OpenCLKernels
{
    /// <summary>CONVSHARP_OPENCL_CONV: "implicit" or "im2col" overrides the choice between conv.cl's implicit-GEMM kernels
    /// (the default on GPUs) and image-by-image im2col + the tiled SGEMM (the default on CPU drivers such as PoCL,
    /// where it measured faster: PoCL runs a work-group as a loop, so the implicit kernels' index arithmetic per staged
    /// element costs more than the column matrix it saves; docs/benchmarks.md, "CPU vs GPU").</summary>
    public const string ConvStrategyVariable = "CONVSHARP_OPENCL_CONV";

    public ConvPlan Plan(in ConvGeometry geometry, int outChannels) => Plan(geometry, outChannels, ImplicitGemmByDefault());

    /// <summary>The plan with the strategy chosen by the caller (the parity tests run both on PoCL).</summary>
    internal ConvPlan Plan(in ConvGeometry geometry, int outChannels, bool implicitGemm) =>
        new OpenCLConvPlan(geometry, outChannels, Context) { ImplicitGemm = implicitGemm };

    private bool ImplicitGemmByDefault() => Environment.GetEnvironmentVariable(ConvStrategyVariable) switch
    {
        "implicit" => true,
        "im2col" => false,
        _ => Context.Info.IsGpu,
    };

    public void ConvForward(ConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y, bool relu = false)
    {
        var p = (OpenCLConvPlan)plan;
        if (!p.ImplicitGemm)
        {
            Im2ColConvolution.Forward(this, plan.Geometry, plan.OutChannels, 1, x, w, bias, y);
            if (relu) Unary(UnaryOp.Relu, y, y);
            return;
        }
        ConvGeometry g = p.Geometry;
        int kg = p.OutChannels / g.Groups;
        p.Launch(Context, "cs_conv_fwd_", kg, (long)g.N * g.OH * g.OW, g.Groups,
            [x, w, bias, y, Geometry(g), p.OutChannels, g.Groups, relu ? 1 : 0]);
    }

    public void ConvBackwardData(ConvPlan plan, BufferSlice w, BufferSlice dy, BufferSlice dx)
    {
        var p = (OpenCLConvPlan)plan;
        if (!p.ImplicitGemm)
        {
            Im2ColConvolution.BackwardData(this, plan.Geometry, plan.OutChannels, 1, w, dy, dx);
            return;
        }
        ConvGeometry g = p.Geometry;
        p.Launch(Context, "cs_conv_bwd_data_", g.C / g.Groups, (long)g.N * g.H * g.W, g.Groups,
            [w, dy, dx, Geometry(g), p.OutChannels, g.Groups]);
    }

    public void ConvBackwardFilter(ConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice? dw, BufferSlice? dbias)
    {
        var p = (OpenCLConvPlan)plan;
        ConvGeometry g = p.Geometry;
        if (dbias is { } db) Im2ColConvolution.BiasGradient(this, g.N, p.OutChannels, (long)g.OH * g.OW, dy, db);
        if (dw is not { } d) return;
        if (!p.ImplicitGemm)
        {
            Im2ColConvolution.BackwardFilter(this, g, p.OutChannels, 1, x, dy, d);
            return;
        }
        int kg = p.OutChannels / g.Groups;
        if (p.FilterSplits == 1)
        {
            p.Launch(Context, "cs_conv_bwd_filter_", kg, g.GroupRows, g.Groups, [x, dy, d, Geometry(g), p.OutChannels, g.Groups, 1, p.FilterChunk]);
            return;
        }
        using var partial = Scratch(p.FilterSplits * p.WeightLength);
        p.Launch(Context, "cs_conv_bwd_filter_", kg, g.GroupRows, g.Groups * p.FilterSplits,
            [x, dy, partial.Slice, Geometry(g), p.OutChannels, g.Groups, p.FilterSplits, p.FilterChunk]);
        Context.Run("cs_conv_splitk_add", p.WeightLength, partial.Slice, p.FilterSplits, p.WeightLength, d);
    }

    public void ParallelFor(int count, int workers, Action<int, int, int> body) => body(0, 0, count);

    /// <summary>The OpenCL plan: into how many slices the weight gradient's batch reduction is split, and the context
    /// whose tiles run it. Each pass picks its tile instantiation of conv.cl by its GEMM's row count: "n" (16 rows)
    /// when that is at most 16 channels (first layers, LeNet-5, depthwise), where a 64-row tile would mostly compute
    /// padding; else "w", the device's GEMM tile.</summary>
    internal sealed class OpenCLConvPlan : ConvPlan
    {
        private readonly OpenCLContext _context;

        public OpenCLConvPlan(in ConvGeometry geometry, int outChannels, OpenCLContext context) : base(geometry, outChannels)
        {
            _context = context;
            int kg = outChannels / geometry.Groups;
            OpenCLGemmTuning tile = TileFor(kg, out _);
            // The weight gradient is a small M×N (K/G × C/G·KH·KW) over a long reduction (N·OH·OW): when its tiles
            // cannot fill the device, split the reduction so each compute unit gets about four work-groups. Slices
            // end on image boundaries when there is more than one image (each image's sum then added in image
            // order, as the CPU accumulates image by image), at most 64 of them; one image is cut into k-chunks.
            long plane = (long)geometry.OH * geometry.OW, red = geometry.N * plane;
            long tiles = tile.Tiles(kg, geometry.GroupRows) * geometry.Groups;
            int splits = tile.Splits((int)Math.Min(int.MaxValue, tiles), (int)Math.Min(int.MaxValue, red), context.Info.ComputeUnits);
            long chunk;
            if (splits > 1 && geometry.N > 1)
            {
                int images = (geometry.N + Math.Min(splits, 64) - 1) / Math.Min(splits, 64);
                chunk = images * plane;
            }
            else
            {
                chunk = (red + splits - 1) / splits;
                chunk = (chunk + tile.TK - 1) / tile.TK * tile.TK;
            }
            FilterSplits = (int)((red + chunk - 1) / chunk);
            FilterChunk = (int)chunk;
        }

        /// <summary>Whether conv.cl's implicit-GEMM kernels run this shape (else image-by-image im2col + SGEMM).</summary>
        public bool ImplicitGemm { get; init; } = true;

        /// <summary>Slices of the weight gradient's reduction over the batch (1: the kernel adds into dw itself).</summary>
        public int FilterSplits { get; }

        /// <summary>Reduction columns (images × output cells) per slice, a multiple of the tile's k step.</summary>
        public int FilterChunk { get; }

        private OpenCLGemmTuning TileFor(long m, out string suffix)
        {
            bool narrow = m <= OpenCLGemmTuning.ConvNarrow.TM && _context.ConvNarrowFits;
            suffix = narrow ? "n" : "w";
            return narrow ? OpenCLGemmTuning.ConvNarrow : _context.CompiledGemm;
        }

        /// <summary>Enqueues <paramref name="kernel"/> (its tile suffix added) over an m×n GEMM per z-slice.</summary>
        public void Launch(OpenCLContext context, string kernel, long m, long n, int z, ReadOnlySpan<KernelArg> args)
        {
            OpenCLGemmTuning tile = TileFor(m, out string suffix);
            long tilesX = (n + tile.TN - 1) / tile.TN, tilesY = (m + tile.TM - 1) / tile.TM;
            context.Launch(kernel + suffix, [(nuint)(tilesX * tile.GroupX), (nuint)(tilesY * tile.GroupY), (nuint)z],
                [(nuint)tile.GroupX, (nuint)tile.GroupY, 1], args);
        }
    }
}
