using static ConvSharp.Backends.KernelChecks;

namespace ConvSharp.Backends;

/// <summary>The one safety net in front of every backend: each call's slices are checked against what it reads and writes
/// (lengths, matrix extents, strided extents, settings) before the backend runs, so a bad call fails alike, with the same
/// message, on every backend, and backends need not check. Public arguments were already guarded by the op; these checks
/// catch a wrong op, not a wrong user.</summary>
internal sealed unsafe class CheckedKernels(IKernels backend) : IKernels
{
    /// <summary>The backend behind the checks.</summary>
    public IKernels Backend { get; } = backend;

    public Device Device => Backend.Device;

    public DeviceBuffer Allocate(long length, bool zero)
    {
        Guard.NonNegative(length);
        return Backend.Allocate(length, zero);
    }

    public void Upload(ReadOnlySpan<float> source, BufferSlice destination, DeviceBuffer? pinnedOwner = null)
    {
        Length(destination, source.Length, nameof(destination));
        if (pinnedOwner is not null && pinnedOwner.HostPointer == null)
            throw new ArgumentException($"A pinned upload needs host storage, not storage on {pinnedOwner.Device}.", nameof(pinnedOwner));
        Backend.Upload(source, destination, pinnedOwner);
    }

    public void Download(BufferSlice source, Span<float> destination)
    {
        Length(source, destination.Length, nameof(source));
        Backend.Download(source, destination);
    }

    public void Fill(ReadOnlySpan<BufferSlice> destinations, float value) => Backend.Fill(destinations, value);

    public void Synchronize() => Backend.Synchronize();

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferSlice a, int lda, BufferSlice b, int ldb,
        float beta, BufferSlice c, int ldc)
    {
        Guard.Positive(m); Guard.Positive(n); Guard.Positive(k);
        Matrix(a, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        Matrix(b, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        Matrix(c, m, n, ldc, nameof(c));
        Backend.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    public void Im2Col(BufferSlice input, in ConvGeometry geometry, BufferSlice columns)
    {
        Columns(input, geometry, columns);
        Backend.Im2Col(input, geometry, columns);
    }

    public void Col2Im(BufferSlice columns, in ConvGeometry geometry, BufferSlice input)
    {
        Columns(input, geometry, columns);
        Backend.Col2Im(columns, geometry, input);
    }

    public ConvPlan Plan(in ConvGeometry geometry, int outChannels)
    {
        Guard.Positive(outChannels);
        if (outChannels % geometry.Groups != 0)
            throw new ArgumentException($"{outChannels} output channels are not divisible by groups = {geometry.Groups}.", nameof(outChannels));
        return Backend.Plan(geometry, outChannels);
    }

    public void ConvForward(ConvPlan plan, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y, bool relu = false)
    {
        Length(x, plan.InputLength, nameof(x));
        Length(w, plan.WeightLength, nameof(w));
        OptionalLength(bias, plan.OutChannels, nameof(bias));
        Length(y, plan.OutputLength, nameof(y));
        Backend.ConvForward(plan, x, w, bias, y, relu);
    }

    public void ConvBackwardData(ConvPlan plan, BufferSlice w, BufferSlice dy, BufferSlice dx)
    {
        Length(w, plan.WeightLength, nameof(w));
        Length(dy, plan.OutputLength, nameof(dy));
        Length(dx, plan.InputLength, nameof(dx));
        Backend.ConvBackwardData(plan, w, dy, dx);
    }

    public void ConvBackwardFilter(ConvPlan plan, BufferSlice x, BufferSlice dy, BufferSlice? dw, BufferSlice? dbias)
    {
        Length(x, plan.InputLength, nameof(x));
        Length(dy, plan.OutputLength, nameof(dy));
        OptionalLength(dw, plan.WeightLength, nameof(dw));
        OptionalLength(dbias, plan.OutChannels, nameof(dbias));
        Backend.ConvBackwardFilter(plan, x, dy, dw, dbias);
    }

    public void Elementwise(BinaryOp op, ReadOnlySpan<int> shape, StridedOperand output, StridedOperand a, StridedOperand b,
        float alpha = 1f, bool accumulate = false)
    {
        if (shape.Length > MaxDims)
            throw new ArgumentException($"Element-wise kernels handle at most {MaxDims} dimensions, not {shape.Length}.", nameof(shape));
        Strided(shape, output, nameof(output));
        Strided(shape, a, nameof(a));
        if (op != BinaryOp.CopyA) Strided(shape, b, nameof(b));
        Backend.Elementwise(op, shape, output, a, b, alpha, accumulate);
    }

    public void Unary(UnaryOp op, BufferSlice x, BufferSlice y, float alpha = 0f, float beta = 0f)
    {
        Length(y, x.Length, nameof(y));
        Backend.Unary(op, x, y, alpha, beta);
    }

    public void UnaryBackward(UnaryOp op, BufferSlice x, BufferSlice y, BufferSlice dy, BufferSlice dx, float alpha = 0f, float beta = 0f)
    {
        Length(y, x.Length, nameof(y));
        Length(dy, x.Length, nameof(dy));
        Length(dx, x.Length, nameof(dx));
        Backend.UnaryBackward(op, x, y, dy, dx, alpha, beta);
    }

    public void Reduce(ReduceOp op, long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice? indices)
    {
        Layout(outer, n, inner);
        Length(x, outer * n * inner, nameof(x));
        Length(values, outer * inner, nameof(values));
        OptionalLength(indices, outer * inner, nameof(indices));
        if (op is not (ReduceOp.Max or ReduceOp.L2Norm or ReduceOp.MaxAbs))
            throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction.");
        Backend.Reduce(op, outer, n, inner, x, values, indices);
    }

    public void GatherAlong(long outer, long n, long inner, long k, BufferSlice x, BufferSlice index, BufferSlice y)
    {
        Along(outer, n, inner, k, x, index, y);
        Backend.GatherAlong(outer, n, inner, k, x, index, y);
    }

    public void ScatterAddAlong(long outer, long n, long inner, long k, BufferSlice g, BufferSlice index, BufferSlice dx)
    {
        Along(outer, n, inner, k, dx, index, g);
        Backend.ScatterAddAlong(outer, n, inner, k, g, index, dx);
    }

    public void Pool(in PoolParams pool, BufferSlice input, BufferSlice output, BufferSlice? indices, BufferSlice? samples)
    {
        PoolGeometry g = pool.Geometry;
        Length(input, g.InputLength, nameof(input));
        Length(output, g.OutputLength, nameof(output));
        OptionalLength(indices, g.OutputLength, nameof(indices));
        if (indices is not null && !pool.IsMax)
            throw new ArgumentException($"{pool.Kind} pooling records no indices.", nameof(indices));
        if (pool.Kind == PoolKind.FractionalMax) Length(samples ?? Missing(nameof(samples)), 2 * g.Planes, nameof(samples));
        if (pool.Kind == PoolKind.Lp) NormType(pool.NormType);
        Backend.Pool(pool, input, output, indices, samples);
    }

    public void PoolBackward(in PoolParams pool, BufferSlice? input, BufferSlice? indices, BufferSlice gradOutput, BufferSlice gradInput)
    {
        PoolGeometry g = pool.Geometry;
        Length(gradOutput, g.OutputLength, nameof(gradOutput));
        Length(gradInput, g.InputLength, nameof(gradInput));
        if (pool.IsMax) Length(indices ?? Missing(nameof(indices)), g.OutputLength, nameof(indices));
        if (pool.Kind == PoolKind.Lp)
        {
            NormType(pool.NormType);
            Length(input ?? Missing(nameof(input)), g.InputLength, nameof(input));
        }
        Backend.PoolBackward(pool, input, indices, gradOutput, gradInput);
    }

    public void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log)
    {
        Layout(outer, n, inner);
        Length(x, outer * n * inner, nameof(x));
        Length(y, x.Length, nameof(y));
        Backend.Softmax(x, y, outer, n, inner, log);
    }

    public void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log)
    {
        Layout(outer, n, inner);
        Length(y, outer * n * inner, nameof(y));
        Length(dy, y.Length, nameof(dy));
        Length(dx, y.Length, nameof(dx));
        Backend.SoftmaxBackward(y, dy, dx, outer, n, inner, log);
    }

    public long Loss(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long>? deferredInvalid = null)
    {
        LossSettings(kind, layout, target, weight);
        Length(input, layout.ScoreLength, nameof(input));
        Length(loss, layout.LossLength, nameof(loss));
        if (kind == LossKind.CrossEntropy) Length(saved ?? Missing(nameof(saved)), layout.ScoreLength, nameof(saved));
        return Backend.Loss(kind, layout, input, target, weight, saved, loss, deferredInvalid);
    }

    public void LossBackward(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice? gradInput, BufferSlice? gradTarget, BufferSlice? gradWeight)
    {
        LossSettings(kind, layout, target, weight);
        Length(input, layout.ScoreLength, nameof(input));
        Length(gradLoss, layout.LossLength, nameof(gradLoss));
        OptionalLength(gradInput, layout.ScoreLength, nameof(gradInput));
        OptionalLength(gradTarget, layout.TargetLength, nameof(gradTarget));
        OptionalLength(gradWeight, layout.TargetLength, nameof(gradWeight));
        if (kind is LossKind.CrossEntropy or LossKind.Nll && (gradTarget is not null || gradWeight is not null))
            throw new ArgumentException($"{kind} has no target or weight gradient.", nameof(gradTarget));
        Backend.LossBackward(kind, layout, input, target, weight, gradLoss, gradInput, gradTarget, gradWeight);
    }

    public void BatchNorm(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias, BufferSlice? runningMean,
        BufferSlice? runningVar, bool training, float momentum, float eps, BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        BatchNormForward(layout, x, weight, bias, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd);
        Backend.BatchNorm(layout, x, weight, bias, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd);
    }

    public void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight, BufferSlice saveMean,
        BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        KernelChecks.BatchNormBackward(layout, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
        Backend.BatchNormBackward(layout, x, dy, weight, saveMean, saveInvStd, training, dx, dweight, dbias);
    }

    public void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale)
    {
        KernelChecks.Dropout(x, y, mask, groupSize, keepProb, scale);
        Backend.Dropout(x, y, mask, groupSize, key, keepProb, scale);
    }

    public void OptimStep(OptimKind kind, ReadOnlySpan<OptimTensors> tensors, in OptimStep step)
    {
        bool needs0 = kind is OptimKind.Adam or OptimKind.Adamax or OptimKind.RmsProp, needs1 = kind is OptimKind.Adam or OptimKind.Adamax;
        foreach (ref readonly OptimTensors t in tensors)
        {
            long length = t.Param.Length;
            Length(t.Grad, length, "grad");
            OptionalLength(t.State0, length, "state0");
            OptionalLength(t.State1, length, "state1");
            OptionalLength(t.State2, length, "state2");
            if (needs0 && t.State0 is null) Missing("state0");
            if (needs1 && t.State1 is null) Missing("state1");
        }
        Backend.OptimStep(kind, tensors, step);
    }

    private static BufferSlice Missing(string name) => throw new ArgumentNullException(name, $"This call needs {name}.");
}
