
namespace ConvSharp.Backends.OpenCL;

internal sealed partial class OpenCLKernels
{
    public void Upsample(in UpsampleGeometry g, BufferSlice x, BufferSlice y)
    {
        Context.Run("cs_upsample", g.Planes * g.OH * g.OW, Sizes(g), g.ScaleH, g.ScaleW, Flags(g), x, y);
    }

    public void UpsampleBackward(in UpsampleGeometry g, BufferSlice dy, BufferSlice dx)
    {
        Context.Run("cs_upsample_backward", g.Planes * g.H * g.W, Sizes(g), g.ScaleH, g.ScaleW, Flags(g), dy, dx);
    }

    private static KernelArg Sizes(in UpsampleGeometry g)
    {
        return KernelArg.Vector<long>([g.Planes, g.H, g.W, g.OH, g.OW], 8);
    }

    private static KernelArg Flags(in UpsampleGeometry g) => KernelArg.Vector<int>([g.Bilinear ? 1 : 0, g.AlignCorners ? 1 : 0], 2);
}
