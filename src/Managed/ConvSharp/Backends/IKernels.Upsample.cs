namespace ConvSharp.Backends;

/// <summary>Sampling geometry of an upsampling: P planes from H×W to OH×OW, the source scale per axis.</summary>
internal readonly record struct UpsampleGeometry(bool Bilinear, long Planes, int H, int W, int OH, int OW, float ScaleH, float ScaleW, bool AlignCorners);

internal partial interface IKernels
{
    /// <summary>y[P, OH, OW] = upsample(x[P, H, W]).</summary>
    void Upsample(in UpsampleGeometry g, BufferSlice x, BufferSlice y);

    /// <summary>dx[P, H, W] += the adjoint of upsampling applied to dy[P, OH, OW].</summary>
    void UpsampleBackward(in UpsampleGeometry g, BufferSlice dy, BufferSlice dx);
}
