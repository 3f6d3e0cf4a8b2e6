namespace ConvSharp.Backends.Cpu;

/// <summary>The CPU kernels: libconvsharp_native.so for im2col/col2im, OpenBLAS for GEMM.</summary>
internal sealed unsafe class CpuKernels(Device device) : IKernels
{
    public Device Device { get; } = device;

    public DeviceBuffer Allocate(long length, bool zero) => new CpuBuffer(Device, length, zero);

    public void Upload(ReadOnlySpan<float> source, BufferSlice destination)
    {
        CheckLength(destination, source.Length, nameof(destination));
        source.CopyTo(Span(destination));
    }

    public void Download(BufferSlice source, Span<float> destination)
    {
        CheckLength(source, destination.Length, nameof(source));
        Span(source).CopyTo(destination);
    }

    public void Fill(BufferSlice destination, float value) => Span(destination).Fill(value);

    public void Copy(BufferSlice source, BufferSlice destination)
    {
        CheckLength(destination, source.Length, nameof(destination));
        Span(source).CopyTo(Span(destination));
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc)
    {
        Guard.Positive(m); Guard.Positive(n); Guard.Positive(k);
        CheckMatrix(a, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        CheckMatrix(b, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        CheckMatrix(c, m, n, ldc, nameof(c));
        Interop.OpenBlas.Sgemm(Interop.OpenBlas.RowMajor,
            transposeA ? Interop.OpenBlas.Trans : Interop.OpenBlas.NoTrans,
            transposeB ? Interop.OpenBlas.Trans : Interop.OpenBlas.NoTrans,
            m, n, k, alpha, Pointer(a), lda, Pointer(b), ldb, beta, Pointer(c), ldc);
    }

    public void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns)
    {
        CheckLength(input, geometry.InputLength, nameof(input));
        CheckLength(columns, geometry.ColumnLength, nameof(columns));
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.Im2Col(Pointer(input), &g, Pointer(columns)), "cs_im2col_f32");
    }

    public void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input)
    {
        CheckLength(input, geometry.InputLength, nameof(input));
        CheckLength(columns, geometry.ColumnLength, nameof(columns));
        var g = geometry.ToNative();
        Interop.Native.Check(Interop.Native.Col2Im(Pointer(columns), &g, Pointer(input)), "cs_col2im_f32");
    }

    private CpuBuffer Buffer(BufferSlice slice)
    {
        if (slice.Buffer is not CpuBuffer buffer || !ReferenceEquals(buffer.Device, Device))
            throw new ArgumentException($"A buffer on {slice.Buffer.Device} was passed to the kernels of {Device}.");
        if (slice.Offset < 0 || slice.Length < 0 || slice.Offset + slice.Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(slice), $"[{slice.Offset}, {slice.Offset + slice.Length}) is outside a buffer of {buffer.Length} floats.");
        return buffer;
    }

    private float* Pointer(BufferSlice slice) => Buffer(slice).Pointer + slice.Offset;

    private Span<float> Span(BufferSlice slice) => new(Pointer(slice), checked((int)slice.Length));

    private static void CheckLength(BufferSlice slice, long needed, string name)
    {
        if (slice.Length != needed)
            throw new ArgumentException($"{name} holds {slice.Length} floats; this call needs exactly {needed}.", name);
    }

    /// <summary>A row-major rows×cols matrix with leading dimension ld must fit in the slice.</summary>
    private static void CheckMatrix(BufferSlice slice, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
            throw new ArgumentException($"Leading dimension of {name} is {ld}, smaller than its {cols} columns.", name);
        long needed = (long)(rows - 1) * ld + cols;
        if (slice.Length < needed)
            throw new ArgumentException($"{name} is a {rows}x{cols} matrix with leading dimension {ld} and needs {needed} floats, but holds {slice.Length}.", name);
    }
}
