using System.Runtime.InteropServices;

namespace ConvSharp.Backends.OpenCL;

/// <summary>The OpenCL backend: the same <see cref="IKernels"/> the CPU implements (slices arrive checked by
/// <see cref="CheckedKernels"/>), each method enqueueing kernels of native/kernels/opencl/*.cl on the device's
/// in-order queue. Nothing here waits except reads back to the host and <see cref="Synchronize"/>.</summary>
internal sealed unsafe partial class OpenCLKernels(Device device, OpenCLContext context) : IKernels, IColumnKernels, IPerKindKernels
{
    private const int MaxDims = KernelChecks.MaxDims;

    public Device Device { get; } = device;

    internal OpenCLContext Context { get; } = context;

    public DeviceBuffer Allocate(long length, bool zero)
    {
        Guard.NonNegative(length);
        var (mem, capacity) = Context.Pool.Rent(Math.Max(1, length));
        var buffer = new OpenCLBuffer(Device, Context.Pool, mem, capacity, length);
        if (zero) Fill(new BufferSlice(buffer, 0, length), 0f);
        return buffer;
    }

    public void Upload(ReadOnlySpan<float> source, BufferSlice destination, DeviceBuffer? pinnedOwner = null)
    {
        if (pinnedOwner is null)
        {
            Context.Write(Own(destination), destination.Offset * sizeof(float), MemoryMarshal.AsBytes(source));
            return;
        }
        // Pinned storage does not move, so its address outlives this call; the owner gains a reference until the write is done.
        float* first = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(source));
        Context.WriteAsync(Own(destination), destination.Offset * sizeof(float), pinnedOwner, first, destination.Length * sizeof(float));
    }

    public void Download(BufferSlice source, Span<float> destination)
    {
        Context.Read(Own(source), source.Offset * sizeof(float), MemoryMarshal.AsBytes(destination));
    }

    public void Synchronize() => Context.Finish();

    public void Fill(BufferSlice destination, float value) =>
        Context.Run("cs_fill", destination.Length, destination, destination.Length, value);

    /// <summary>Slices per cs_fill_multi launch.</summary>
    internal const int FillSlots = 16;

    public void Fill(ReadOnlySpan<BufferSlice> destinations, float value)
    {
        if (destinations.Length == 1) { Fill(destinations[0], value); return; }
        Span<long> ends = stackalloc long[FillSlots];
        for (int first = 0; first < destinations.Length; first += FillSlots)
        {
            ReadOnlySpan<BufferSlice> chunk = destinations.Slice(first, Math.Min(FillSlots, destinations.Length - first));
            long total = 0;
            for (int s = 0; s < FillSlots; s++) ends[s] = total += s < chunk.Length ? chunk[s].Length : 0;
            if (total == 0) continue;
            var args = new KernelArg[3 + FillSlots];
            args[0] = KernelArg.Vector<long>(ends[..8], 8);
            args[1] = KernelArg.Vector<long>(ends[8..], 8);
            args[2] = value;
            for (int s = 0; s < FillSlots; s++) args[3 + s] = s < chunk.Length ? chunk[s] : (BufferSlice?)null;
            Context.Launch("cs_fill_multi", [(nuint)total], default, args);
        }
    }

    /// <summary>A device-side copy (memmove semantics).</summary>
    internal void Copy(BufferSlice source, BufferSlice destination)
    {
        OpenCLBuffer from = Own(source), to = Own(destination);
        if (ReferenceEquals(from, to) && source.Offset == destination.Offset) return;
        if (ReferenceEquals(from, to) && source.Offset < destination.Offset + destination.Length && destination.Offset < source.Offset + source.Length)
        {
            // clEnqueueCopyBuffer refuses overlapping regions of one buffer: go through scratch (memmove semantics).
            var scratch = Allocate(source.Length, zero: false);
            try
            {
                var middle = new BufferSlice(scratch, 0, source.Length);
                Copy(source, middle);
                Copy(middle, destination);
            }
            finally { scratch.Release(); }
            return;
        }
        Context.Copy(from, source.Offset * sizeof(float), to, destination.Offset * sizeof(float), source.Length * sizeof(float));
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc)
    {
        OpenCLGemmTuning t = Context.GemmForFirstUse(Device);
        int ta = transposeA ? 1 : 0, tb = transposeB ? 1 : 0;
        if ((long)m * n * k < OpenCLGemmTuning.NaiveBelow)
        {
            Context.Launch("cs_sgemm_naive", [(nuint)n, (nuint)m], default, [ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc]);
            return;
        }
        int tilesX = (n + t.TN - 1) / t.TN, tilesY = (m + t.TM - 1) / t.TM;
        int splits = t.Splits(tilesX * tilesY, k, Context.Info.ComputeUnits);
        nuint gx = (nuint)(tilesX * t.GroupX), gy = (nuint)(tilesY * t.GroupY);
        ReadOnlySpan<nuint> local = [(nuint)t.GroupX, (nuint)t.GroupY, 1];
        if (splits == 1)
        {
            Context.Launch(t.Kernel, [gx, gy, 1], local, [ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, k, 0L]);
            return;
        }
        // Too few tiles for the device and a long k (a weight gradient): split k, then add the partial products.
        int chunk = (k + splits - 1) / splits;
        chunk = (chunk + t.TK - 1) / t.TK * t.TK;
        splits = (k + chunk - 1) / chunk;
        using var partial = Scratch((long)splits * m * n);
        Context.Launch(t.Kernel, [gx, gy, (nuint)splits], local,
            [ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, partial.Slice, n, chunk, (long)m * n]);
        Context.Launch("cs_sgemm_splitk_sum", [(nuint)n, (nuint)m], default, [m, n, splits, KernelArg.Mem(partial.Buffer), alpha, beta, c, ldc]);
    }

    public void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns)
    {
        Context.Run("cs_im2col", geometry.ColumnLength, input, Geometry(geometry), columns, geometry.ColumnCols, 0L, geometry.ColumnLength);
    }

    public void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input)
    {
        Context.Run("cs_col2im", geometry.InputLength, columns, geometry.ColumnCols, 0L, Geometry(geometry), input, geometry.InputLength);
    }

    public void Im2ColImage(BufferSlice image, in ConvGeometry geometry, BufferSlice columns, long ldColumns, long columnOffset)
    {
        long total = geometry.ColumnRows * geometry.OH * geometry.OW;
        Context.Run("cs_im2col", total, image, Geometry(geometry, batch: 1), columns, ldColumns, columnOffset, total);
    }

    public void Col2ImImage(BufferSlice columns, long ldColumns, long columnOffset, in ConvGeometry geometry, BufferSlice image)
    {
        long total = (long)geometry.C * geometry.H * geometry.W;
        Context.Run("cs_col2im", total, columns, ldColumns, columnOffset, Geometry(geometry, batch: 1), image, total);
    }

    /// <summary>A convolution geometry as the int16 the .cl kernels read (layout in im2col.cl).</summary>
    private static KernelArg Geometry(in ConvGeometry g, int batch = 0) =>
        KernelArg.Vector<int>([batch == 0 ? g.N : batch, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW], 16);

    public void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false)
    {
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary operation.");
        bool useB = op != BinaryOp.CopyA;

        // Merge dimensions contiguous in every operand and drop size-1 ones (as cs_elementwise_f32 does),
        // then split into parallel dimensions (output stride ≠ 0) and reduced ones (output stride 0).
        Span<long> dims = stackalloc long[MaxDims], so = stackalloc long[MaxDims], sa = stackalloc long[MaxDims], sb = stackalloc long[MaxDims];
        int nd = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            long bs = useB ? b.Strides[d] : 0;
            if (nd > 0 && so[nd - 1] == output.Strides[d] * shape[d] && sa[nd - 1] == a.Strides[d] * shape[d] && sb[nd - 1] == bs * shape[d])
            {
                dims[nd - 1] *= shape[d];
                so[nd - 1] = output.Strides[d];
                sa[nd - 1] = a.Strides[d];
                sb[nd - 1] = bs;
                continue;
            }
            dims[nd] = shape[d]; so[nd] = output.Strides[d]; sa[nd] = a.Strides[d]; sb[nd] = bs;
            nd++;
        }
        Span<long> pd = stackalloc long[MaxDims], pso = stackalloc long[MaxDims], psa = stackalloc long[MaxDims], psb = stackalloc long[MaxDims];
        Span<long> rd = stackalloc long[MaxDims], rsa = stackalloc long[MaxDims], rsb = stackalloc long[MaxDims];
        int np = 0, nr = 0;
        long total = 1;
        for (int d = 0; d < nd; d++)
        {
            if (so[d] != 0)
            {
                pd[np] = dims[d]; pso[np] = so[d]; psa[np] = sa[d]; psb[np] = sb[d];
                total *= dims[d];
                np++;
            }
            else
            {
                rd[nr] = dims[d]; rsa[nr] = sa[d]; rsb[nr] = sb[d];
                nr++;
            }
        }
        BufferSlice? bSlice = useB ? b.Slice : null;
        Context.Run("cs_elementwise", total, (int)op, output.Slice, a.Slice, bSlice, alpha, accumulate ? 1 : 0,
            np, KernelArg.Vector<long>(pd, 8), KernelArg.Vector<long>(pso, 8), KernelArg.Vector<long>(psa, 8), KernelArg.Vector<long>(psb, 8),
            nr, KernelArg.Vector<long>(rd, 8), KernelArg.Vector<long>(rsa, 8), KernelArg.Vector<long>(rsb, 8), total);
    }

    public void Unary(UnaryOp op, BufferSlice x, BufferSlice y, float alpha = 0f, float beta = 0f)
    {
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary operation.");
        Context.Run("cs_unary", x.Length, (int)op, x.Length, x, y, alpha, beta);
    }

    public void UnaryBackward(UnaryOp op, BufferSlice x, BufferSlice y, BufferSlice dy, BufferSlice dx, float alpha = 0f, float beta = 0f)
    {
        if (!Enum.IsDefined(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary operation.");
        Context.Run("cs_unary_backward", x.Length, (int)op, x.Length, x, y, dy, dx, alpha, beta);
    }

    /// <summary>The OpenCL buffer behind a slice of this device, its window checked.</summary>
    private OpenCLBuffer Own(BufferSlice slice)
    {
        var buffer = BufferOf(slice);
        if (!ReferenceEquals(buffer.Device, Device))
            throw new ArgumentException($"A buffer on {slice.Buffer.Device} was passed to the kernels of {Device}.");
        return buffer;
    }

    /// <summary>The OpenCL buffer behind any slice (KernelArg's conversion), its window checked.</summary>
    internal static OpenCLBuffer BufferOf(BufferSlice slice)
    {
        if (slice.Buffer is not OpenCLBuffer buffer)
            throw new ArgumentException($"A buffer on {slice.Buffer.Device} was passed to OpenCL kernels.");
        if (slice.Offset < 0 || slice.Length < 0 || slice.Offset + slice.Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(slice), $"[{slice.Offset}, {slice.Offset + slice.Length}) is outside a buffer of {buffer.Length} floats.");
        return buffer;
    }

    /// <summary>Scratch for one call, returned when disposed (the queue is in order, so kernels queued on it still run first).</summary>
    private ScratchBuffer Scratch(long floats) => new((OpenCLBuffer)Allocate(floats, zero: false));

    private readonly struct ScratchBuffer(OpenCLBuffer buffer) : IDisposable
    {
        public OpenCLBuffer Buffer { get; } = buffer;
        public BufferSlice Slice => new(Buffer, 0, Buffer.Length);
        public void Dispose() => Buffer?.Release();
    }
}
