namespace ConvSharp.Backends.Cpu;

// Pooling on the CPU: native/kernels/pooling.c, one entry point per kind; large max pools split their planes over the workers.
internal sealed unsafe partial class CpuKernels
{
    public void Pool(in PoolParams pool, BufferSlice input, BufferSlice output, BufferSlice? indices, BufferSlice? samples) =>
        KindDispatch.Pool(this, pool, input, output, indices, samples);

    public void PoolBackward(in PoolParams pool, BufferSlice? input, BufferSlice? indices, BufferSlice gradOutput, BufferSlice gradInput) =>
        KindDispatch.PoolBackward(this, pool, input, indices, gradOutput, gradInput);

    public void MaxPool2d(BufferSlice input, in PoolGeometry geometry, BufferSlice output, BufferSlice? indices)
    {
        var g = geometry.ToNative();
        if (geometry.InputLength < MinParallelElements)
            Interop.Native.Check(Interop.Native.cs_max_pool2d_f32(Pointer(input), &g, Pointer(output), IndexPointer(indices)));
        else
            MaxPoolInParts(g, Pointer(input), Pointer(output), IndexPointer(indices), geometry.Planes, geometry.InputPlane, geometry.OutputPlane);
    }

    /// <summary>Planes are independent (indices are positions within a plane), so workers take whole planes.</summary>
    private void MaxPoolInParts(Interop.Native.PoolGeometryNative g, float* x, float* y, int* index, long planes, long inPlane, long outPlane) =>
        InParts(planes, planes * inPlane, (first, count) =>
        {
            var part = g;
            part.N = 1;
            part.C = checked((int)count);
            Interop.Native.Check(Interop.Native.cs_max_pool2d_f32(x + first * inPlane, &part, y + first * outPlane,
                index is null ? null : index + first * outPlane));
        });

    public void MaxPool2dBackward(BufferSlice gradOutput, BufferSlice indices, long planes, long inputPlane, long outputPlane, BufferSlice gradInput)
    {
        if (planes * inputPlane < MinParallelElements)
            Interop.Native.Check(Interop.Native.cs_max_pool2d_backward_f32(Pointer(gradOutput), IndexPointer(indices), planes, inputPlane, outputPlane,
                Pointer(gradInput)));
        else
            MaxPoolBackwardInParts(Pointer(gradOutput), IndexPointer(indices), planes, inputPlane, outputPlane, Pointer(gradInput));
    }

    private void MaxPoolBackwardInParts(float* dy, int* index, long planes, long inputPlane, long outputPlane, float* dx) =>
        InParts(planes, planes * inputPlane, (first, count) =>
            Interop.Native.Check(Interop.Native.cs_max_pool2d_backward_f32(dy + first * outputPlane, index + first * outputPlane, count, inputPlane,
                outputPlane, dx + first * inputPlane)));

    public void AvgPool2d(BufferSlice input, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice output)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_avg_pool2d_f32(Pointer(input), &g, countIncludePad ? 1 : 0, divisorOverride, Pointer(output)));
    }

    public void AvgPool2dBackward(BufferSlice gradOutput, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice gradInput)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_avg_pool2d_backward_f32(Pointer(gradOutput), &g, countIncludePad ? 1 : 0, divisorOverride, Pointer(gradInput)));
    }

    public void LPPool2d(BufferSlice input, in PoolGeometry geometry, float normType, BufferSlice output)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_lp_pool2d_f32(Pointer(input), &g, normType, Pointer(output)));
    }

    public void LPPool2dBackward(BufferSlice input, BufferSlice gradOutput, in PoolGeometry geometry, float normType, BufferSlice gradInput)
    {
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.cs_lp_pool2d_backward_f32(Pointer(input), Pointer(gradOutput), &g, normType, Pointer(gradInput)));
    }

    public void AdaptiveMaxPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output, BufferSlice? indices)
    {
        Interop.Native.Check(Interop.Native.cs_adaptive_max_pool2d_f32(Pointer(input), geometry.Planes, geometry.H, geometry.W, geometry.OH, geometry.OW,
            Pointer(output), IndexPointer(indices)));
    }

    public void AdaptiveAvgPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output)
    {
        Interop.Native.Check(Interop.Native.cs_adaptive_avg_pool2d_f32(Pointer(input), geometry.Planes, geometry.H, geometry.W, geometry.OH, geometry.OW,
            Pointer(output)));
    }

    public void AdaptiveAvgPool2dBackward(BufferSlice gradOutput, in AdaptivePoolGeometry geometry, BufferSlice gradInput)
    {
        Interop.Native.Check(Interop.Native.cs_adaptive_avg_pool2d_backward_f32(Pointer(gradOutput), geometry.Planes, geometry.H, geometry.W,
            geometry.OH, geometry.OW, Pointer(gradInput)));
    }

    public void FractionalMaxPool2d(BufferSlice input, in FractionalPoolGeometry geometry, BufferSlice samples, BufferSlice output, BufferSlice? indices)
    {
        Interop.Native.Check(Interop.Native.cs_fractional_max_pool2d_f32(Pointer(input), geometry.Planes, geometry.H, geometry.W, geometry.KH, geometry.KW,
            geometry.OH, geometry.OW, Pointer(samples), Pointer(output), IndexPointer(indices)));
    }

    /// <summary>An index buffer as the int32 array the native side reads and writes (null when absent).</summary>
    private int* IndexPointer(BufferSlice? indices) => indices is { } i ? (int*)Pointer(i) : null;
}
