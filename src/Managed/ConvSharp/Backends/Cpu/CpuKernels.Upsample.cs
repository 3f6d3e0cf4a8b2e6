namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void Upsample(in UpsampleGeometry g, BufferSlice x, BufferSlice y)
    {
        Interop.Native.Check(Interop.Native.cs_upsample_f32(g.Bilinear ? 1 : 0, g.Planes, g.H, g.W, g.OH, g.OW, g.ScaleH, g.ScaleW,
            g.AlignCorners ? 1 : 0, Pointer(x), Pointer(y)));
    }

    public void UpsampleBackward(in UpsampleGeometry g, BufferSlice dy, BufferSlice dx)
    {
        Interop.Native.Check(Interop.Native.cs_upsample_backward_f32(g.Bilinear ? 1 : 0, g.Planes, g.H, g.W, g.OH, g.OW, g.ScaleH, g.ScaleW,
            g.AlignCorners ? 1 : 0, Pointer(dy), Pointer(dx)));
    }
}
