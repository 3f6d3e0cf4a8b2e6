using System.Numerics;

namespace ConvSharp.Backends.Cpu;

// NN kernels on the CPU: lengths are checked here, then libconvsharp_native.so does the work.
internal sealed unsafe partial class CpuKernels
{
    public void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log)
    {
        KernelChecks.Layout(outer, n, inner);
        KernelChecks.Length(x, outer * n * inner, nameof(x));
        KernelChecks.Length(y, x.Length, nameof(y));
        Interop.Native.Check(Interop.Native.Softmax(outer, n, inner, Pointer(x), Pointer(y), log ? 1 : 0), "cs_softmax_f32");
    }

    public void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log)
    {
        KernelChecks.Layout(outer, n, inner);
        KernelChecks.Length(y, outer * n * inner, nameof(y));
        KernelChecks.Length(dy, y.Length, nameof(dy));
        KernelChecks.Length(dx, y.Length, nameof(dx));
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
        KernelChecks.ClassLoss(layout, target, weight);
        KernelChecks.Length(logits, layout.ScoreLength, nameof(logits));
        KernelChecks.Length(logProbs, layout.ScoreLength, nameof(logProbs));
        KernelChecks.Length(loss, layout.LossLength, nameof(loss));
        Interop.Native.Check(Interop.Native.CrossEntropy(layout.N, layout.C, layout.Inner, Pointer(logits), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(logProbs), Pointer(loss)),
            "cs_cross_entropy_f32");
    }

    public void CrossEntropyBackward(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice gradLogits)
    {
        KernelChecks.ClassLoss(layout, target, weight);
        KernelChecks.Length(logProbs, layout.ScoreLength, nameof(logProbs));
        KernelChecks.Length(gradLoss, layout.LossLength, nameof(gradLoss));
        KernelChecks.Length(gradLogits, layout.ScoreLength, nameof(gradLogits));
        Interop.Native.Check(Interop.Native.CrossEntropyBackward(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogits)),
            "cs_cross_entropy_backward_f32");
    }

    public void NllLoss(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss)
    {
        KernelChecks.ClassLoss(layout, target, weight);
        KernelChecks.Length(logProbs, layout.ScoreLength, nameof(logProbs));
        KernelChecks.Length(loss, layout.LossLength, nameof(loss));
        Interop.Native.Check(Interop.Native.NllLoss(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(loss)),
            "cs_nll_loss_f32");
    }

    public void NllLossBackward(in ClassLossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogProbs)
    {
        KernelChecks.ClassLoss(layout, target, weight);
        KernelChecks.Length(gradLoss, layout.LossLength, nameof(gradLoss));
        KernelChecks.Length(gradLogProbs, layout.ScoreLength, nameof(gradLogProbs));
        Interop.Native.Check(Interop.Native.NllLossBackward(layout.N, layout.C, layout.Inner, Pointer(target), Pointer(weight),
            layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogProbs)),
            "cs_nll_loss_backward_f32");
    }

    public long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss)
    {
        KernelChecks.Length(target, x.Length, nameof(target));
        KernelChecks.Length(loss, x.Length, nameof(loss));
        long bad;
        Interop.Native.Check(Interop.Native.Bce(x.Length, Pointer(x), Pointer(target), Pointer(loss), &bad), "cs_bce_f32");
        return bad;
    }

    public void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget)
    {
        KernelChecks.Length(target, x.Length, nameof(target));
        KernelChecks.Length(dy, x.Length, nameof(dy));
        KernelChecks.OptionalLength(dx, x.Length, nameof(dx));
        KernelChecks.OptionalLength(dtarget, x.Length, nameof(dtarget));
        Interop.Native.Check(Interop.Native.BceBackward(x.Length, Pointer(x), Pointer(target), Pointer(dy), Pointer(dx), Pointer(dtarget)),
            "cs_bce_backward_f32");
    }

    public void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss)
    {
        KernelChecks.Length(target, x.Length, nameof(target));
        KernelChecks.OptionalLength(posWeight, x.Length, nameof(posWeight));
        KernelChecks.Length(loss, x.Length, nameof(loss));
        Interop.Native.Check(Interop.Native.BceLogits(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(loss)),
            "cs_bce_logits_f32");
    }

    public void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight)
    {
        KernelChecks.Length(target, x.Length, nameof(target));
        KernelChecks.OptionalLength(posWeight, x.Length, nameof(posWeight));
        KernelChecks.Length(dy, x.Length, nameof(dy));
        KernelChecks.OptionalLength(dx, x.Length, nameof(dx));
        KernelChecks.OptionalLength(dtarget, x.Length, nameof(dtarget));
        KernelChecks.OptionalLength(dposWeight, x.Length, nameof(dposWeight));
        Interop.Native.Check(Interop.Native.BceLogitsBackward(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(dy),
            Pointer(dx), Pointer(dtarget), Pointer(dposWeight)), "cs_bce_logits_backward_f32");
    }

    public void BatchNormForward(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        KernelChecks.BatchNormForward(layout, x, weight, bias, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd);
        Interop.Native.Check(Interop.Native.BatchNormForward(layout.N, layout.C, layout.L, Pointer(x), Pointer(weight), Pointer(bias),
            Pointer(runningMean), Pointer(runningVar), training ? 1 : 0, momentum, eps, Pointer(y), Pointer(saveMean), Pointer(saveInvStd)),
            "cs_batchnorm_forward_f32");
    }

    public void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        KernelChecks.BatchNormBackward(layout, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
        Interop.Native.Check(Interop.Native.BatchNormBackward(layout.N, layout.C, layout.L, Pointer(x), Pointer(dy), Pointer(weight),
            Pointer(saveMean), Pointer(saveInvStd), training ? 1 : 0, Pointer(dx), Pointer(dweight), Pointer(dbias)),
            "cs_batchnorm_backward_f32");
    }

    public void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale)
    {
        KernelChecks.Dropout(x, y, mask, groupSize, keepProb, scale);
        Interop.Native.Check(Interop.Native.Dropout(mask.Length, groupSize, key, keepProb, scale, Pointer(x), Pointer(y), Pointer(mask)),
            "cs_dropout_f32");
    }

    public void DropoutBackward(BufferSlice mask, long groupSize, BufferSlice dy, BufferSlice dx)
    {
        KernelChecks.DropoutBackward(mask, groupSize, dy, dx);
        Interop.Native.Check(Interop.Native.DropoutBackward(mask.Length, groupSize, Pointer(mask), Pointer(dy), Pointer(dx)),
            "cs_dropout_backward_f32");
    }

    private float* Pointer(BufferSlice? slice) => slice is { } s ? Pointer(s) : null;

    private static int NativeReduction(Reduction reduction) => reduction switch
    {
        Reduction.None => Interop.Native.ReductionNone,
        Reduction.Mean => Interop.Native.ReductionMean,
        Reduction.Sum => Interop.Native.ReductionSum,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction."),
    };
}
