namespace ConvSharp.Backends.OpenCL;

// Convolution strategy on OpenCL: the device parallelizes inside each kernel, so ops see one worker,
// and every convolution runs as im2col + the tiled SGEMM (there are no direct kernels here).
internal sealed partial class OpenCLKernels
{
    public int Workers => 1;

    public void ParallelFor(int count, int workers, Action<int, int, int> body) => body(0, 0, count);

    public bool PrefersDirectConv(in ConvGeometry geometry, int outChannels) => false;

    public void ConvDirect(BufferSlice x, BufferSlice w, BufferSlice? bias, in ConvGeometry geometry, int outChannels, BufferSlice y, int part, int parts) =>
        throw NoDirect();

    public void ConvDirectGradWeight(BufferSlice x, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dw, int part, int parts) =>
        throw NoDirect();

    public void ConvDirectGradInput(BufferSlice w, BufferSlice dy, in ConvGeometry geometry, int outChannels, BufferSlice dx) =>
        throw NoDirect();

    private NotSupportedException NoDirect() =>
        new($"Direct convolution has no OpenCL kernels; {Device} runs every convolution as im2col + GEMM (PrefersDirectConv is false).");
}
