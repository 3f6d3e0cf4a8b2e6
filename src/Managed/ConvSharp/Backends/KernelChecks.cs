namespace ConvSharp.Backends;

/// <summary>The slice checks <see cref="CheckedKernels"/> runs before any backend code: lengths against what a call
/// reads and writes, matrix extents, strided extents, settings.</summary>
internal static class KernelChecks
{
    /// <summary>The most dimensions an element-wise iteration shape may have (CS_MAX_DIMS natively).</summary>
    public const int MaxDims = Interop.Native.MaxDims;

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

    public static void LossSettings(LossKind kind, in LossLayout layout, BufferSlice target, BufferSlice? weight)
    {
        Layout(layout.N, layout.C, layout.Inner);
        Length(target, layout.TargetLength, nameof(target));
        bool classIndex = kind is LossKind.CrossEntropy or LossKind.Nll;
        if (kind is not (LossKind.CrossEntropy or LossKind.Nll or LossKind.BinaryCrossEntropy or LossKind.BinaryCrossEntropyWithLogits))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss.");
        if (classIndex) OptionalLength(weight, layout.C, nameof(weight));
        else
        {
            if (layout.C != 1 || layout.Inner != 1 || layout.Reduction != Reduction.None)
                throw new ArgumentException($"{kind} is element-wise: its layout must be (N, 1, 1) without reduction.", nameof(layout));
            if (kind == LossKind.BinaryCrossEntropy && weight is not null)
                throw new ArgumentException("BinaryCrossEntropy takes no weight slice (its weight is applied around the kernel).", nameof(weight));
            OptionalLength(weight, layout.N, nameof(weight));
        }
        if (!(layout.LabelSmoothing >= 0f && layout.LabelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(layout), layout.LabelSmoothing, "The label smoothing must be in [0, 1].");
        if (layout.Reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
            throw new ArgumentOutOfRangeException(nameof(layout), layout.Reduction, "Unknown reduction.");
    }

    /// <summary>An input and its column matrix for this geometry (one group).</summary>
    public static void Columns(BufferSlice input, in ConvGeometry geometry, BufferSlice columns)
    {
        if (geometry.Groups != 1)
            throw new ArgumentException($"im2col reads one group; the geometry has {geometry.Groups}.", nameof(geometry));
        Length(input, geometry.InputLength, nameof(input));
        Length(columns, geometry.ColumnLength, nameof(columns));
    }

    /// <summary>A full (outer, n, inner) tensor, its (outer, k, inner) index and the gathered values.</summary>
    public static void Along(long outer, long n, long inner, long k, BufferSlice full, BufferSlice index, BufferSlice gathered)
    {
        Guard.Positive(outer); Guard.Positive(n); Guard.Positive(inner); Guard.Positive(k);
        Length(full, outer * n * inner, nameof(full));
        Length(index, outer * k * inner, nameof(index));
        Length(gathered, outer * k * inner, nameof(gathered));
    }

    public static void NormType(float normType)
    {
        if (!(normType > 0f) || float.IsPositiveInfinity(normType))
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be a positive, finite number.");
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
}
