using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>How <see cref="HostImages.Warp"/> and <see cref="HostImages.Resize"/> sample the source (values match CS_SAMPLE_* in cs_data.h).</summary>
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

/// <summary>The image kernels of the data pipeline (native/kernels/transforms.c): one C×H×W image (planar, pixel-centre
/// coordinates) per call, in host memory. Data is produced on the host, so these are not part of any device backend.</summary>
internal static unsafe class HostImages
{
    /// <summary>destination[i] = scale · source[i]: uint8 pixels to floats.</summary>
    public static void BytesToFloat(ReadOnlySpan<byte> source, BufferSlice destination, float scale)
    {
        KernelChecks.Length(destination, source.Length, nameof(destination));
        fixed (byte* s = source)
            Interop.Native.Check(Interop.Native.cs_u8_to_f32(s, source.Length, Pointer(destination), scale));
    }

    /// <summary>Inverse-mapping warp of a C×H×W image into C×outHeight×outWidth: output pixel (x, y) samples the source at
    /// the projective image of (x, y) under <paramref name="inverseMap"/> (row-major 3×3, output → input).</summary>
    public static void Warp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> inverseMap, Sampling sampling, Border border, float fill)
    {
        Images(source, channels, height, width, destination, outHeight, outWidth);
        WarpMatrix(inverseMap);
        SamplingModes(sampling, border);
        fixed (double* m = inverseMap)
            Interop.Native.Check(Interop.Native.cs_warp_f32(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
                m, (int)sampling, (int)border, fill));
    }

    /// <summary>Resize (align_corners = false, replicated borders, no antialiasing).</summary>
    public static void Resize(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        Sampling sampling)
    {
        Images(source, channels, height, width, destination, outHeight, outWidth);
        SamplingModes(sampling, Border.Replicate);
        Interop.Native.Check(Interop.Native.cs_resize_f32(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
            (int)sampling));
    }

    /// <summary>In place: brightness (x·b) and contrast (k·x + (1−k)·grey mean), in the given order, each clamped to [low, high].</summary>
    public static void AdjustColor(BufferSlice image, int channels, int height, int width, float brightness, float contrast, bool contrastFirst,
        float low, float high)
    {
        Color(channels, height, width, image, brightness, contrast, low, high);
        Interop.Native.Check(Interop.Native.cs_adjust_color_f32(Pointer(image), channels, height, width, brightness, contrast,
            contrastFirst ? 1 : 0, low, high));
    }

    private static float* Pointer(BufferSlice slice)
    {
        float* first = slice.Buffer.HostPointer;
        if (first == null) throw new ArgumentException($"Image kernels run on host memory, not on {slice.Buffer.Device}.", nameof(slice));
        return first + slice.Offset;
    }

    /// <summary>Both images have the lengths their shapes give and do not share memory.</summary>
    private static void Images(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        Guard.Positive(outHeight); Guard.Positive(outWidth);
        KernelChecks.Length(source, (long)channels * height * width, nameof(source));
        KernelChecks.Length(destination, (long)channels * outHeight * outWidth, nameof(destination));
        if (ReferenceEquals(source.Buffer, destination.Buffer) &&
            source.Offset < destination.Offset + destination.Length && destination.Offset < source.Offset + source.Length)
            throw new ArgumentException("The source and destination images overlap; a warp reads and writes different memory.", nameof(destination));
    }

    private static void SamplingModes(Sampling sampling, Border border)
    {
        if (sampling is not (Sampling.Nearest or Sampling.Bilinear))
            throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Unknown sampling mode.");
        if (border is not (Border.Constant or Border.Replicate))
            throw new ArgumentOutOfRangeException(nameof(border), border, "Unknown border mode.");
    }

    private static void WarpMatrix(ReadOnlySpan<double> inverseMap)
    {
        if (inverseMap.Length != 9)
            throw new ArgumentException($"A warp needs a 3x3 matrix (9 values), not {inverseMap.Length}.", nameof(inverseMap));
        foreach (double v in inverseMap)
            if (!double.IsFinite(v)) throw new ArgumentException($"The warp matrix has a non-finite entry ({v}).", nameof(inverseMap));
    }

    private static void Color(int channels, int height, int width, BufferSlice image, float brightness, float contrast, float low, float high)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        KernelChecks.Length(image, (long)channels * height * width, nameof(image));
        if (!(brightness >= 0f) || !float.IsFinite(brightness))
            throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "A brightness factor must be finite and not negative.");
        if (!(contrast >= 0f) || !float.IsFinite(contrast))
            throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "A contrast factor must be finite and not negative.");
        if (!(low <= high)) throw new ArgumentException($"The clamp range [{low}, {high}] is empty.", nameof(low));
    }
}
