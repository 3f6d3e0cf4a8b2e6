namespace ConvSharp.Backends;

/// <summary>How <see cref="IKernels.Warp"/> and <see cref="IKernels.Resize"/> sample the source (values match CS_SAMPLE_* in cs_data.h).</summary>
internal enum Sampling
{
    /// <summary>The nearest pixel.</summary>
    Nearest = 0,
    /// <summary>The four neighbours, weighted by distance.</summary>
    Bilinear = 1,
}

/// <summary>What a sample outside the source reads (values match CS_BORDER_* in cs_data.h).</summary>
internal enum Border
{
    /// <summary>The fill value.</summary>
    Constant = 0,
    /// <summary>The nearest edge pixel.</summary>
    Replicate = 1,
}

/// <summary>Data-loading kernels: one image (C×H×W planar, pixel-centre coordinates) per call.</summary>
internal partial interface IKernels
{
    /// <summary>destination[i] = scale · source[i]: uint8 pixels from host memory to floats.</summary>
    void BytesToFloat(ReadOnlySpan<byte> source, BufferSlice destination, float scale);

    /// <summary>Inverse-mapping warp of a C×H×W image into C×outHeight×outWidth: output pixel (x, y) samples
    /// the source at the projective image of (x, y) under <paramref name="inverseMap"/> (row-major 3×3,
    /// output → input). Source and destination must not overlap.</summary>
    void Warp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> inverseMap, Sampling sampling, Border border, float fill);

    /// <summary>Resize (align_corners = false, replicated borders, no antialiasing). Source and destination must not overlap.</summary>
    void Resize(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth, Sampling sampling);

    /// <summary>In place: brightness (x·b) and contrast (k·x + (1−k)·grey mean), in the given order, each clamped to [low, high].</summary>
    void AdjustColor(BufferSlice image, int channels, int height, int width, float brightness, float contrast, bool contrastFirst,
        float low, float high);
}
