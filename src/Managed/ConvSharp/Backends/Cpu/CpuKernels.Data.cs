namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void BytesToFloat(ReadOnlySpan<byte> source, BufferSlice destination, float scale)
    {
        KernelChecks.Length(destination, source.Length, nameof(destination));
        fixed (byte* s = source)
            Interop.Native.Check(Interop.Native.BytesToFloat(s, source.Length, Pointer(destination), scale), "cs_u8_to_f32");
    }

    public void Warp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> inverseMap, Sampling sampling, Border border, float fill)
    {
        KernelChecks.Images(source, channels, height, width, destination, outHeight, outWidth);
        if (inverseMap.Length != 9)
            throw new ArgumentException($"A warp needs a 3x3 matrix (9 values), not {inverseMap.Length}.", nameof(inverseMap));
        foreach (double v in inverseMap)
            if (!double.IsFinite(v)) throw new ArgumentException($"The warp matrix has a non-finite entry ({v}).", nameof(inverseMap));
        KernelChecks.Sampling(sampling, border);
        fixed (double* m = inverseMap)
            Interop.Native.Check(Interop.Native.Warp(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
                m, (int)sampling, (int)border, fill), "cs_warp_f32");
    }

    public void Resize(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth, Sampling sampling)
    {
        KernelChecks.Images(source, channels, height, width, destination, outHeight, outWidth);
        KernelChecks.Sampling(sampling, Border.Replicate);
        Interop.Native.Check(Interop.Native.Resize(Pointer(source), channels, height, width, Pointer(destination), outHeight, outWidth,
            (int)sampling), "cs_resize_f32");
    }

    public void AdjustColor(BufferSlice image, int channels, int height, int width, float brightness, float contrast, bool contrastFirst,
        float low, float high)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        KernelChecks.Length(image, (long)channels * height * width, nameof(image));
        if (!(brightness >= 0f) || !float.IsFinite(brightness))
            throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "A brightness factor must be finite and not negative.");
        if (!(contrast >= 0f) || !float.IsFinite(contrast))
            throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "A contrast factor must be finite and not negative.");
        if (!(low <= high)) throw new ArgumentException($"The clamp range [{low}, {high}] is empty.", nameof(low));
        Interop.Native.Check(Interop.Native.AdjustColor(Pointer(image), channels, height, width, brightness, contrast,
            contrastFirst ? 1 : 0, low, high), "cs_adjust_color_f32");
    }

}
