using static ConvSharp.Backends.KernelChecks;

namespace ConvSharp.Backends.OpenCL;

// Data-loading kernels on OpenCL: native/kernels/opencl/data.cl (and cs_bytes_to_float in common.cl).
internal sealed unsafe partial class OpenCLKernels
{
    public void BytesToFloat(ReadOnlySpan<byte> source, BufferSlice destination, float scale)
    {
        Length(destination, source.Length, nameof(destination));
        if (source.IsEmpty) return;
        // The bytes travel in a float-pool buffer; the kernel reads it as uchar.
        using var staging = Scratch((source.Length + 3) / 4);
        Context.Write(staging.Buffer, 0, source);
        Context.Run("cs_bytes_to_float", source.Length, KernelArg.Mem(staging.Buffer), (long)source.Length, destination, scale);
    }

    public void Warp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> inverseMap, Sampling sampling, Border border, float fill)
    {
        Images(source, channels, height, width, destination, outHeight, outWidth);
        WarpMatrix(inverseMap);
        KernelChecks.Sampling(sampling, border);
        RunWarp(source, channels, height, width, destination, outHeight, outWidth, inverseMap, sampling, border, fill);
    }

    public void Resize(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth, Sampling sampling)
    {
        Images(source, channels, height, width, destination, outHeight, outWidth);
        KernelChecks.Sampling(sampling, Border.Replicate);
        double kx = (double)width / outWidth, ky = (double)height / outHeight;
        RunWarp(source, channels, height, width, destination, outHeight, outWidth,
            [kx, 0.0, 0.5 * kx - 0.5, 0.0, ky, 0.5 * ky - 0.5, 0.0, 0.0, 1.0], sampling, Border.Replicate, 0f);
    }

    private void RunWarp(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth,
        ReadOnlySpan<double> map, Sampling sampling, Border border, float fill)
    {
        // The matrix goes in the device's accumulator type (double with fp64, as on the CPU; else float).
        using var matrix = Scratch(18);
        if (Context.Info.HasFp64)
            Context.Write(matrix.Buffer, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(map));
        else
        {
            Span<float> single = stackalloc float[9];
            for (int i = 0; i < 9; i++) single[i] = (float)map[i];
            Context.Write(matrix.Buffer, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<float>)single));
        }
        Context.Run("cs_warp", (long)outHeight * outWidth, source, KernelArg.Vector<int>([channels, height, width, outHeight, outWidth], 8),
            destination, KernelArg.Mem(matrix.Buffer), sampling == Backends.Sampling.Bilinear ? 1 : 0, border == Border.Replicate ? 1 : 0, fill);
    }

    public void AdjustColor(BufferSlice image, int channels, int height, int width, float brightness, float contrast, bool contrastFirst,
        float low, float high)
    {
        Color(channels, height, width, image, brightness, contrast, low, high);
        long plane = (long)height * width, n = channels * plane;
        for (int step = 0; step < 2; step++)
        {
            bool doContrast = (step == 0) == contrastFirst;
            if (doContrast)
            {
                if (contrast == 1f) continue;
                using var mean = Scratch(1);
                Context.Run("cs_gray_mean", 1, image, (long)channels, plane, KernelArg.Mem(mean.Buffer));
                Context.Run("cs_scale_shift_clamp", n, image, n, contrast, KernelArg.Mem(mean.Buffer), low, high);
            }
            else
            {
                if (brightness == 1f) continue;
                Context.Run("cs_scale_shift_clamp", n, image, n, brightness, KernelArg.NullMem, low, high);
            }
        }
    }
}
