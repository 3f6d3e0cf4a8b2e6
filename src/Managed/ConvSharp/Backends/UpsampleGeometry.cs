namespace ConvSharp.Backends;

/// <summary>Sampling geometry of an upsampling: P planes from H×W to OH×OW, the source scale per axis.</summary>
internal readonly record struct UpsampleGeometry(bool Bilinear, long Planes, int H, int W, int OH, int OW, float ScaleH, float ScaleW, bool AlignCorners);
