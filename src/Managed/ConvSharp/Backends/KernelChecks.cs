namespace ConvSharp.Backends;

/// <summary>Argument checks a backend runs before any device code: slice lengths against what a call
/// reads and writes, matrix extents, strided extents. CpuKernels and OpenCLKernels both call these, so a
/// bad call fails alike, with the same message, on every backend.</summary>
internal static class KernelChecks
{
    public static void Length(BufferSlice slice, long needed, string name)
    {
        if (slice.Length != needed)
            throw new ArgumentException($"{name} holds {slice.Length} floats; this call needs exactly {needed}.", name);
    }

    public static void OptionalLength(BufferSlice? slice, long needed, string name)
    {
        if (slice is { } s) Length(s, needed, name);
    }

    /// <summary>A row-major rows×cols matrix with leading dimension ld must fit in the slice.</summary>
    public static void Matrix(BufferSlice slice, int rows, int cols, int ld, string name)
    {
        if (ld < cols)
            throw new ArgumentException($"Leading dimension of {name} is {ld}, smaller than its {cols} columns.", name);
        long needed = (long)(rows - 1) * ld + cols;
        if (slice.Length < needed)
            throw new ArgumentException($"{name} is a {rows}x{cols} matrix with leading dimension {ld} and needs {needed} floats, but holds {slice.Length}.", name);
    }

    /// <summary>Every element the strides reach must lie inside the slice.</summary>
    public static void Strided(ReadOnlySpan<int> shape, StridedOperand operand, string name)
    {
        if (operand.Strides.Length != shape.Length)
            throw new ArgumentException($"{name} has {operand.Strides.Length} strides for {shape.Length} dimensions.", name);
        long last = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 1) throw new ArgumentException($"Dimension {d} of the iteration shape is {shape[d]}.", nameof(shape));
            if (operand.Strides[d] < 0) throw new ArgumentException($"{name} has a negative stride in dimension {d}.", name);
            last += (shape[d] - 1) * operand.Strides[d];
        }
        if (last >= operand.Slice.Length)
            throw new ArgumentException($"{name} would be read up to element {last}, but its slice holds {operand.Slice.Length}.", name);
    }

    public static void Layout(long outer, long n, long inner)
    {
        Guard.Positive(outer);
        Guard.Positive(n);
        Guard.Positive(inner);
    }

    public static void ClassLoss(in ClassLossLayout layout, BufferSlice target, BufferSlice? weight)
    {
        Layout(layout.N, layout.C, layout.Inner);
        Length(target, layout.TargetLength, nameof(target));
        OptionalLength(weight, layout.C, nameof(weight));
        if (!(layout.LabelSmoothing >= 0f && layout.LabelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(layout), layout.LabelSmoothing, "The label smoothing must be in [0, 1].");
        if (layout.Reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
            throw new ArgumentOutOfRangeException(nameof(layout), layout.Reduction, "Unknown reduction.");
    }

    public static void ImageColumns(BufferSlice image, in ConvGeometry geometry, BufferSlice columns, long ldColumns, long columnOffset)
    {
        Length(image, (long)geometry.C * geometry.H * geometry.W, nameof(image));
        long imageColumns = (long)geometry.OH * geometry.OW;
        if (columnOffset < 0 || ldColumns < columnOffset + imageColumns)
            throw new ArgumentOutOfRangeException(nameof(columnOffset), $"Columns [{columnOffset}, {columnOffset + imageColumns}) do not fit rows of {ldColumns}.");
        Length(columns, geometry.ColumnRows * ldColumns, nameof(columns));
    }

    public static void Along(long outer, long n, long inner, BufferSlice full, BufferSlice reduced, BufferSlice indices)
    {
        Guard.Positive(outer); Guard.Positive(n); Guard.Positive(inner);
        Length(full, outer * n * inner, nameof(full));
        Length(reduced, outer * inner, nameof(reduced));
        Length(indices, outer * inner, nameof(indices));
    }

    public static void BatchNormForward(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        Layout(layout.N, layout.C, layout.L);
        Length(x, layout.Length, nameof(x));
        Length(y, layout.Length, nameof(y));
        OptionalLength(weight, layout.C, nameof(weight));
        OptionalLength(bias, layout.C, nameof(bias));
        OptionalLength(runningMean, layout.C, nameof(runningMean));
        OptionalLength(runningVar, layout.C, nameof(runningVar));
        Length(saveMean, layout.C, nameof(saveMean));
        Length(saveInvStd, layout.C, nameof(saveInvStd));
        if (runningMean.HasValue != runningVar.HasValue)
            throw new ArgumentException("Batch norm needs both running statistics or neither.", nameof(runningVar));
        if (!training && !runningMean.HasValue)
            throw new ArgumentException("Batch norm in evaluation mode needs the running statistics.", nameof(runningMean));
        if (training && layout.N * layout.L < 2)
            throw new ArgumentException($"Batch norm in training needs at least 2 values per channel, not {layout.N * layout.L}.", nameof(x));
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must not be negative.");
    }

    public static void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        Layout(layout.N, layout.C, layout.L);
        Length(x, layout.Length, nameof(x));
        Length(dy, layout.Length, nameof(dy));
        OptionalLength(weight, layout.C, nameof(weight));
        Length(saveMean, layout.C, nameof(saveMean));
        Length(saveInvStd, layout.C, nameof(saveInvStd));
        OptionalLength(dx, layout.Length, nameof(dx));
        OptionalLength(dweight, layout.C, nameof(dweight));
        OptionalLength(dbias, layout.C, nameof(dbias));
    }

    public static void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, float keepProb, float scale)
    {
        Guard.Positive(groupSize);
        if (mask.Length < 1 || x.Length != mask.Length * groupSize)
            throw new ArgumentException($"x holds {x.Length} floats, not {mask.Length} groups of {groupSize}.", nameof(x));
        Length(y, x.Length, nameof(y));
        if (!(keepProb > 0f && keepProb <= 1f)) throw new ArgumentOutOfRangeException(nameof(keepProb), keepProb, "keepProb must be in (0, 1].");
        if (!(scale >= 1f)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
    }

    public static void DropoutBackward(BufferSlice mask, long groupSize, BufferSlice dy, BufferSlice dx)
    {
        Guard.Positive(groupSize);
        if (mask.Length < 1 || dy.Length != mask.Length * groupSize)
            throw new ArgumentException($"dy holds {dy.Length} floats, not {mask.Length} groups of {groupSize}.", nameof(dy));
        Length(dx, dy.Length, nameof(dx));
    }

    /// <summary>Both images have the lengths their shapes give and do not share memory.</summary>
    public static void Images(BufferSlice source, int channels, int height, int width, BufferSlice destination, int outHeight, int outWidth)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        Guard.Positive(outHeight); Guard.Positive(outWidth);
        Length(source, (long)channels * height * width, nameof(source));
        Length(destination, (long)channels * outHeight * outWidth, nameof(destination));
        if (ReferenceEquals(source.Buffer, destination.Buffer) &&
            source.Offset < destination.Offset + destination.Length && destination.Offset < source.Offset + source.Length)
            throw new ArgumentException("The source and destination images overlap; a warp reads and writes different memory.", nameof(destination));
    }

    public static void Sampling(Sampling sampling, Border border)
    {
        if (sampling is not (Backends.Sampling.Nearest or Backends.Sampling.Bilinear))
            throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Unknown sampling mode.");
        if (border is not (Backends.Border.Constant or Backends.Border.Replicate))
            throw new ArgumentOutOfRangeException(nameof(border), border, "Unknown border mode.");
    }

    public static void WarpMatrix(ReadOnlySpan<double> inverseMap)
    {
        if (inverseMap.Length != 9)
            throw new ArgumentException($"A warp needs a 3x3 matrix (9 values), not {inverseMap.Length}.", nameof(inverseMap));
        foreach (double v in inverseMap)
            if (!double.IsFinite(v)) throw new ArgumentException($"The warp matrix has a non-finite entry ({v}).", nameof(inverseMap));
    }

    public static void Color(int channels, int height, int width, BufferSlice image, float brightness, float contrast, float low, float high)
    {
        Guard.Positive(channels); Guard.Positive(height); Guard.Positive(width);
        Length(image, (long)channels * height * width, nameof(image));
        if (!(brightness >= 0f) || !float.IsFinite(brightness))
            throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "A brightness factor must be finite and not negative.");
        if (!(contrast >= 0f) || !float.IsFinite(contrast))
            throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "A contrast factor must be finite and not negative.");
        if (!(low <= high)) throw new ArgumentException($"The clamp range [{low}, {high}] is empty.", nameof(low));
    }
}
