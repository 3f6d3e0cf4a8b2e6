using System.Numerics;

namespace ConvSharp.Backends.Cpu;

// NN kernels on the CPU: lengths are checked here, then libconvsharp_native.so does the work.
internal sealed unsafe partial class CpuKernels
{
    public void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log)
    {
        CheckLayout(outer, n, inner);
        CheckLength(x, outer * n * inner, nameof(x));
        CheckLength(y, x.Length, nameof(y));
        Interop.Native.Check(Interop.Native.Softmax(outer, n, inner, Pointer(x), Pointer(y), log ? 1 : 0), "cs_softmax_f32");
    }

    public void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log)
    {
        CheckLayout(outer, n, inner);
        CheckLength(y, outer * n * inner, nameof(y));
        CheckLength(dy, y.Length, nameof(dy));
        CheckLength(dx, y.Length, nameof(dx));
        Interop.Native.Check(Interop.Native.SoftmaxBackward(outer, n, inner, Pointer(y), Pointer(dy), Pointer(dx), log ? 1 : 0),
            "cs_softmax_backward_f32");
    }

    public long FindInvalidClassIndex(BufferSlice target, long classes, long ignoreIndex)
    {
        Guard.Positive(classes);
        ReadOnlySpan<float> values = Span(target);
        float count = classes, ignore = ignoreIndex;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var zero = Vector<float>.Zero;
            var limit = new Vector<float>(count);
            var ignored = new Vector<float>(ignore);
            for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                Vector<int> valid = Vector.GreaterThanOrEqual(v, zero) & Vector.LessThan(v, limit) & Vector.Equals(Vector.Floor(v), v);
                valid |= Vector.Equals(v, ignored);
                if (!Vector.EqualsAll(valid, new Vector<int>(-1))) break;  // the scalar loop below finds which
            }
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            if (v != ignore && !(v >= 0f && v < count && MathF.Floor(v) == v)) return i;
        }
        return -1;
    }

    public void CrossEntropy(in ClassLossLayout layout, BufferSlice logits, BufferSlice target, BufferSlice? weight,
        BufferSlice logProbs, BufferSlice loss)
    {
        CheckClassLoss(layout, target, weight);
        CheckLength(logits, layout.ScoreLength, nameof(logits));
        CheckLength(logProbs, layout.ScoreLength, nameof(logProbs));
        CheckLength(loss, layout.LossLength, nameof(loss));
        Interop.Native.Check(Interop.Native.CrossEntropy(layout.N, layout.C, layout.Inner, Pointer(logits), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(logProbs), Pointer(loss)),
            "cs_cross_entropy_f32");
    }

    public void CrossEntropyBackward(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice gradLogits)
    {
        CheckClassLoss(layout, target, weight);
        CheckLength(logProbs, layout.ScoreLength, nameof(logProbs));
        CheckLength(gradLoss, layout.LossLength, nameof(gradLoss));
        CheckLength(gradLogits, layout.ScoreLength, nameof(gradLogits));
        Interop.Native.Check(Interop.Native.CrossEntropyBackward(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogits)),
            "cs_cross_entropy_backward_f32");
    }

    public void NllLoss(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss)
    {
        CheckClassLoss(layout, target, weight);
        CheckLength(logProbs, layout.ScoreLength, nameof(logProbs));
        CheckLength(loss, layout.LossLength, nameof(loss));
        Interop.Native.Check(Interop.Native.NllLoss(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(loss)),
            "cs_nll_loss_f32");
    }

    public void NllLossBackward(in ClassLossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogProbs)
    {
        CheckClassLoss(layout, target, weight);
        CheckLength(gradLoss, layout.LossLength, nameof(gradLoss));
        CheckLength(gradLogProbs, layout.ScoreLength, nameof(gradLogProbs));
        Interop.Native.Check(Interop.Native.NllLossBackward(layout.N, layout.C, layout.Inner, Pointer(target), Pointer(weight),
            layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogProbs)),
            "cs_nll_loss_backward_f32");
    }

    public long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss)
    {
        CheckLength(target, x.Length, nameof(target));
        CheckLength(loss, x.Length, nameof(loss));
        long bad;
        Interop.Native.Check(Interop.Native.Bce(x.Length, Pointer(x), Pointer(target), Pointer(loss), &bad), "cs_bce_f32");
        return bad;
    }

    public void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget)
    {
        CheckLength(target, x.Length, nameof(target));
        CheckLength(dy, x.Length, nameof(dy));
        CheckOptionalLength(dx, x.Length, nameof(dx));
        CheckOptionalLength(dtarget, x.Length, nameof(dtarget));
        Interop.Native.Check(Interop.Native.BceBackward(x.Length, Pointer(x), Pointer(target), Pointer(dy), Pointer(dx), Pointer(dtarget)),
            "cs_bce_backward_f32");
    }

    public void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss)
    {
        CheckLength(target, x.Length, nameof(target));
        CheckOptionalLength(posWeight, x.Length, nameof(posWeight));
        CheckLength(loss, x.Length, nameof(loss));
        Interop.Native.Check(Interop.Native.BceLogits(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(loss)),
            "cs_bce_logits_f32");
    }

    public void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight)
    {
        CheckLength(target, x.Length, nameof(target));
        CheckOptionalLength(posWeight, x.Length, nameof(posWeight));
        CheckLength(dy, x.Length, nameof(dy));
        CheckOptionalLength(dx, x.Length, nameof(dx));
        CheckOptionalLength(dtarget, x.Length, nameof(dtarget));
        CheckOptionalLength(dposWeight, x.Length, nameof(dposWeight));
        Interop.Native.Check(Interop.Native.BceLogitsBackward(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(dy),
            Pointer(dx), Pointer(dtarget), Pointer(dposWeight)), "cs_bce_logits_backward_f32");
    }

    public void BatchNormForward(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        CheckLayout(layout.N, layout.C, layout.L);
        CheckLength(x, layout.Length, nameof(x));
        CheckLength(y, layout.Length, nameof(y));
        CheckOptionalLength(weight, layout.C, nameof(weight));
        CheckOptionalLength(bias, layout.C, nameof(bias));
        CheckOptionalLength(runningMean, layout.C, nameof(runningMean));
        CheckOptionalLength(runningVar, layout.C, nameof(runningVar));
        CheckLength(saveMean, layout.C, nameof(saveMean));
        CheckLength(saveInvStd, layout.C, nameof(saveInvStd));
        if (runningMean.HasValue != runningVar.HasValue)
            throw new ArgumentException("Batch norm needs both running statistics or neither.", nameof(runningVar));
        if (!training && !runningMean.HasValue)
            throw new ArgumentException("Batch norm in evaluation mode needs the running statistics.", nameof(runningMean));
        if (training && layout.N * layout.L < 2)
            throw new ArgumentException($"Batch norm in training needs at least 2 values per channel, not {layout.N * layout.L}.", nameof(x));
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must not be negative.");
        Interop.Native.Check(Interop.Native.BatchNormForward(layout.N, layout.C, layout.L, Pointer(x), Pointer(weight), Pointer(bias),
            Pointer(runningMean), Pointer(runningVar), training ? 1 : 0, momentum, eps, Pointer(y), Pointer(saveMean), Pointer(saveInvStd)),
            "cs_batchnorm_forward_f32");
    }

    public void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        CheckLayout(layout.N, layout.C, layout.L);
        CheckLength(x, layout.Length, nameof(x));
        CheckLength(dy, layout.Length, nameof(dy));
        CheckOptionalLength(weight, layout.C, nameof(weight));
        CheckLength(saveMean, layout.C, nameof(saveMean));
        CheckLength(saveInvStd, layout.C, nameof(saveInvStd));
        CheckOptionalLength(dx, layout.Length, nameof(dx));
        CheckOptionalLength(dweight, layout.C, nameof(dweight));
        CheckOptionalLength(dbias, layout.C, nameof(dbias));
        Interop.Native.Check(Interop.Native.BatchNormBackward(layout.N, layout.C, layout.L, Pointer(x), Pointer(dy), Pointer(weight),
            Pointer(saveMean), Pointer(saveInvStd), training ? 1 : 0, Pointer(dx), Pointer(dweight), Pointer(dbias)),
            "cs_batchnorm_backward_f32");
    }

    public void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale)
    {
        Guard.Positive(groupSize);
        if (mask.Length < 1 || x.Length != mask.Length * groupSize)
            throw new ArgumentException($"x holds {x.Length} floats, not {mask.Length} groups of {groupSize}.", nameof(x));
        CheckLength(y, x.Length, nameof(y));
        if (!(keepProb > 0f && keepProb <= 1f)) throw new ArgumentOutOfRangeException(nameof(keepProb), keepProb, "keepProb must be in (0, 1].");
        if (!(scale >= 1f)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
        Interop.Native.Check(Interop.Native.Dropout(mask.Length, groupSize, key, keepProb, scale, Pointer(x), Pointer(y), Pointer(mask)),
            "cs_dropout_f32");
    }

    public void DropoutBackward(BufferSlice mask, long groupSize, BufferSlice dy, BufferSlice dx)
    {
        Guard.Positive(groupSize);
        if (mask.Length < 1 || dy.Length != mask.Length * groupSize)
            throw new ArgumentException($"dy holds {dy.Length} floats, not {mask.Length} groups of {groupSize}.", nameof(dy));
        CheckLength(dx, dy.Length, nameof(dx));
        Interop.Native.Check(Interop.Native.DropoutBackward(mask.Length, groupSize, Pointer(mask), Pointer(dy), Pointer(dx)),
            "cs_dropout_backward_f32");
    }

    private float* Pointer(BufferSlice? slice) => slice is { } s ? Pointer(s) : null;

    private static void CheckOptionalLength(BufferSlice? slice, long needed, string name)
    {
        if (slice is { } s) CheckLength(s, needed, name);
    }

    private static void CheckLayout(long outer, long n, long inner)
    {
        Guard.Positive(outer);
        Guard.Positive(n);
        Guard.Positive(inner);
    }

    private static void CheckClassLoss(in ClassLossLayout layout, BufferSlice target, BufferSlice? weight)
    {
        CheckLayout(layout.N, layout.C, layout.Inner);
        CheckLength(target, layout.TargetLength, nameof(target));
        CheckOptionalLength(weight, layout.C, nameof(weight));
        if (!(layout.LabelSmoothing >= 0f && layout.LabelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(layout), layout.LabelSmoothing, "The label smoothing must be in [0, 1].");
    }

    private static int NativeReduction(Reduction reduction) => reduction switch
    {
        Reduction.None => Interop.Native.ReductionNone,
        Reduction.Mean => Interop.Native.ReductionMean,
        Reduction.Sum => Interop.Native.ReductionSum,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction."),
    };
}
