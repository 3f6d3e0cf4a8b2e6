namespace ConvSharp.Backends.OpenCL;

// Convolution on OpenCL: for now every layer runs as im2col + the tiled SGEMM image by image (Im2ColConvolution with
// one worker: the device parallelizes inside each kernel). The plan is where implicit-GEMM kernels of this backend's
// own will plug in.
internal sealed partial class OpenCLKernels
{
    public ConvPlan Plan(in ConvGeometry geometry, int outChannels) => new OpenCLConvPlan(geometry, outChannels);

    public void ConvForward(ConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y) =>
        Im2ColConvolution.Forward(this, plan.Geometry, plan.OutChannels, 1, x, w, bias, y);

    public void ConvBackwardData(ConvPlan plan, BufferSlice w, BufferSlice dy, BufferSlice dx) =>
        Im2ColConvolution.BackwardData(this, plan.Geometry, plan.OutChannels, 1, w, dy, dx);

    public void ConvBackwardFilter(ConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice? dw, BufferSlice? dbias)
    {
        ConvGeometry g = plan.Geometry;
        if (dbias is { } db) Im2ColConvolution.BiasGradient(this, g.N, plan.OutChannels, (long)g.OH * g.OW, dy, db);
        if (dw is { } d) Im2ColConvolution.BackwardFilter(this, g, plan.OutChannels, 1, x, dy, d);
    }

    public void ParallelFor(int count, int workers, Action<int, int, int> body) => body(0, 0, count);

    private sealed class OpenCLConvPlan(in ConvGeometry geometry, int outChannels) : ConvPlan(geometry, outChannels);
}
