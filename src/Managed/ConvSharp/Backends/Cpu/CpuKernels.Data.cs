namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void BytesToFloat(ReadOnlySpan<byte> source, BufferSlice destination, float scale)
    {
        CheckLength(destination, source.Length, nameof(destination));
        fixed (byte* s = source)
            Interop.Native.Check(Interop.Native.BytesToFloat(s, source.Length, Pointer(destination), scale), "cs_u8_to_f32");
    }

    public void Warp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> inverseMap, Sampling sampling, Border border, float fill)
    {
        CheckImages(source, channels, height, width, destination, outHeight, outWidth);
        if (inverseMap.Length != 9)
            throw new ArgumentException($"A warp needs a 3x3 matrix (9 values), not {inverseMap.Length}.", nameof(inverseMap));
        foreach (double v in inverseMap)
            if (!double.IsFinite(v)) throw new ArgumentException($"The warp matrix has a non-finite entry ({v}).", nameof(inverseMap));
        CheckEnum(sampling, border);
        fixed (double* m = inverseMap)
            Interop.Native.Check(Interop.Native.Warp(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
                m, (int)sampling, (int)border, fill), "cs_warp_f32");
    }

    public void Resize(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth, Sampling sampling)
    {
        CheckImages(source, channels, height, width, destination, outHeight, outWidth);
        CheckEnum(sampling, Border.Replicate);
        Interop.Native.Check(Interop.Native.Resize(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
            (int)sampling), "cs_resize_f32");
    }

    public void AdjustColor(BufferSlice image, int channels, int height, int width, float brightness, float contrast, bool contrastFirst,
        float low, float high)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        CheckLength(image, (long)channels * height * width, nameof(image));
        if (!(brightness >= 0f) || !float.IsFinite(brightness))
            throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "A brightness factor must be finite and not negative.");
        if (!(contrast >= 0f) || !float.IsFinite(contrast))
            throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "A contrast factor must be finite and not negative.");
        if (!(low <= high)) throw new ArgumentException($"The clamp range [{low}, {high}] is empty.", nameof(low));
        Interop.Native.Check(Interop.Native.AdjustColor(Pointer(image), channels, height, width, brightness, contrast,
            contrastFirst ? 1 : 0, low, high), "cs_adjust_color_f32");
    }

    /// <summary>Both images have the lengths their shapes give and do not share memory.</summary>
    private void CheckImages(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        Guard.Positive(outHeight); Guard.Positive(outWidth);
        CheckLength(source, (long)channels * height * width, nameof(source));
        CheckLength(destination, (long)channels * outHeight * outWidth, nameof(destination));
        if (ReferenceEquals(Buffer(source), Buffer(destination)) &&
            source.Offset < destination.Offset + destination.Length && destination.Offset < source.Offset + source.Length)
            throw new ArgumentException("The source and destination images overlap; a warp reads and writes different memory.", nameof(destination));
    }

    private static void CheckEnum(Sampling sampling, Border border)
    {
        if (sampling is not (Sampling.Nearest or Sampling.Bilinear))
            throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Unknown sampling mode.");
        if (border is not (Border.Constant or Border.Replicate))
            throw new ArgumentOutOfRangeException(nameof(border), border, "Unknown border mode.");
    }
}
