namespace ConvSharp.Backends;

// Convolution as a plan, as in cuDNN: a backend looks at the geometry once and keeps its choice (CPU: direct
// kernel or im2col + OpenBLAS, worker split, scratch sizes; OpenCL: its kernels) in the plan; the three calls
// then run it. ConvTranspose2d is the adjoint: its forward is ConvBackwardData.
internal partial interface IKernels
{
    /// <summary>The plan for convolving inputs of <paramref name="geometry"/> (groups included) into
    /// <paramref name="outChannels"/> channels. Plans may be cached and reused for every call of that shape.</summary>
    ConvPlan Plan(in ConvGeometry geometry, int outChannels);

    /// <summary>y[N, K, OH, OW] = x[N, C, H, W] ⋆ w[K, C/G, KH, KW] (+ bias[K]); y is overwritten. With
    /// <paramref name="relu"/>, y = max(0, that), as <see cref="UnaryOp.Relu"/> would give (fused into the epilogue where
    /// the backend can: a Conv2d directly followed by ReLU).</summary>
    void ConvForward(ConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y, bool relu = false);

    /// <summary>dx[N, C, H, W] += the input gradient for output gradient dy[N, K, OH, OW].</summary>
    void ConvBackwardData(ConvPlan plan, BufferSlice w, BufferSlice dy, BufferSlice dx);

    /// <summary>dw[K, C/G, KH, KW] += the weight gradient and dbias[K] += Σ dy (each optional).</summary>
    void ConvBackwardFilter(ConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice? dw, BufferSlice? dbias);
}

/// <summary>A backend's plan for one convolution shape: the geometry and output channels it was made for; the
/// backend's subclass holds its decisions.</summary>
internal abstract class ConvPlan(in ConvGeometry geometry, int outChannels)
{
    /// <summary>The input, window and groups.</summary>
    public ConvGeometry Geometry { get; } = geometry;

    /// <summary>K.</summary>
    public int OutChannels { get; } = outChannels;

    /// <summary>Floats in the input: N·C·H·W.</summary>
    public long InputLength => Geometry.InputLength;

    /// <summary>Floats in the weight: K·(C/G)·KH·KW.</summary>
    public long WeightLength => OutChannels * Geometry.GroupRows;

    /// <summary>Floats in the output: N·K·OH·OW.</summary>
    public long OutputLength => (long)Geometry.N * OutChannels * Geometry.OH * Geometry.OW;
}
