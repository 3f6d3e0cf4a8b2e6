
namespace ConvSharp.Backends.OpenCL;

// Pooling on OpenCL: native/kernels/opencl/pooling.cl.
internal sealed partial class OpenCLKernels
{
    public void Pool(in PoolParams pool, BufferSlice input, BufferSlice output, BufferSlice? indices, BufferSlice? samples) =>
        KindDispatch.Pool(this, pool, input, output, indices, samples);

    public void PoolBackward(in PoolParams pool, BufferSlice? input, BufferSlice? indices, BufferSlice gradOutput, BufferSlice gradInput) =>
        KindDispatch.PoolBackward(this, pool, input, indices, gradOutput, gradInput);

    public void MaxPool2d(BufferSlice input, in PoolGeometry geometry, BufferSlice output, BufferSlice? indices)
    {
        Context.Run("cs_max_pool2d", geometry.OutputLength, input, Geometry(geometry), output, indices, geometry.OutputLength);
    }

    public void MaxPool2dBackward(BufferSlice gradOutput, BufferSlice indices, long planes, long inputPlane, long outputPlane, BufferSlice gradInput)
    {
        Context.Run("cs_max_pool2d_backward", planes, gradOutput, indices, planes, inputPlane, outputPlane, gradInput);
    }

    public void AvgPool2d(BufferSlice input, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice output)
    {
        Context.Run("cs_avg_pool2d", geometry.OutputLength, input, Geometry(geometry), countIncludePad ? 1 : 0, divisorOverride, output,
            geometry.OutputLength);
    }

    public void AvgPool2dBackward(BufferSlice gradOutput, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice gradInput)
    {
        Context.Run("cs_avg_pool2d_backward", geometry.InputLength, gradOutput, Geometry(geometry), countIncludePad ? 1 : 0, divisorOverride,
            gradInput, geometry.InputLength);
    }

    public void LPPool2d(BufferSlice input, in PoolGeometry geometry, float normType, BufferSlice output)
    {
        CheckNorm(normType);
        Context.Run("cs_lp_pool2d", geometry.OutputLength, input, Geometry(geometry), normType, output, geometry.OutputLength);
    }

    public void LPPool2dBackward(BufferSlice input, BufferSlice gradOutput, in PoolGeometry geometry, float normType, BufferSlice gradInput)
    {
        CheckNorm(normType);
        Context.Run("cs_lp_pool2d_backward", geometry.InputLength, input, gradOutput, Geometry(geometry), normType, gradInput, geometry.InputLength);
    }

    public void AdaptiveMaxPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output, BufferSlice? indices)
    {
        Context.Run("cs_adaptive_max_pool2d", geometry.OutputLength, input, Adaptive(geometry), output, indices, geometry.OutputLength);
    }

    public void AdaptiveAvgPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output)
    {
        Context.Run("cs_adaptive_avg_pool2d", geometry.OutputLength, input, Adaptive(geometry), output, geometry.OutputLength);
    }

    public void AdaptiveAvgPool2dBackward(BufferSlice gradOutput, in AdaptivePoolGeometry geometry, BufferSlice gradInput)
    {
        Context.Run("cs_adaptive_avg_pool2d_backward", geometry.InputLength, gradOutput, Adaptive(geometry), gradInput, geometry.InputLength);
    }

    public void FractionalMaxPool2d(BufferSlice input, in FractionalPoolGeometry geometry, BufferSlice samples, BufferSlice output, BufferSlice? indices)
    {
        if ((long)geometry.OH + geometry.KH - 1 > geometry.H || (long)geometry.OW + geometry.KW - 1 > geometry.W)
            throw new ArgumentException($"Fractional windows {geometry.KH}x{geometry.KW} for a {geometry.OH}x{geometry.OW} output do not fit a {geometry.H}x{geometry.W} input.");
        Context.Run("cs_fractional_max_pool2d", geometry.OutputLength, input,
            KernelArg.Vector<int>([geometry.H, geometry.W, geometry.KH, geometry.KW, geometry.OH, geometry.OW], 8), samples, output, indices,
            geometry.OutputLength);
    }

    private static void CheckNorm(float normType)
    {
        if (!(normType > 0f) || float.IsInfinity(normType))
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be positive and finite.");
    }

    /// <summary>A pool geometry as the int16 pooling.cl reads.</summary>
    private static KernelArg Geometry(in PoolGeometry g) =>
        KernelArg.Vector<int>([g.N, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, g.CeilMode ? 1 : 0], 16);

    private static KernelArg Adaptive(in AdaptivePoolGeometry g) => KernelArg.Vector<int>([g.H, g.W, g.OH, g.OW], 4);
}
