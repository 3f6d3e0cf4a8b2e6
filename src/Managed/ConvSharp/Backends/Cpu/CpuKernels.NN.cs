using System.Numerics;

namespace ConvSharp.Backends.Cpu;

// NN kernels on the CPU: lengths are checked here, then libconvsharp_native.so does the work.
internal sealed unsafe partial class CpuKernels
{
    public void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log)
    {
        Interop.Native.Check(Interop.Native.cs_softmax_f32(outer, n, inner, Pointer(x), Pointer(y), log ? 1 : 0));
    }

    public void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log)
    {
        Interop.Native.Check(Interop.Native.cs_softmax_backward_f32(outer, n, inner, Pointer(y), Pointer(dy), Pointer(dx), log ? 1 : 0));
    }

    public long Loss(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long>? deferredInvalid = null) => KindDispatch.Loss(this, kind, layout, input, target, weight, saved, loss);

    public void LossBackward(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice? gradInput, BufferSlice? gradTarget, BufferSlice? gradWeight) =>
        KindDispatch.LossBackward(this, kind, layout, input, target, weight, gradLoss, gradInput, gradTarget, gradWeight);

    public long FindInvalidClassIndex(BufferSlice target, long classes, long ignoreIndex)
    {
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

    public void CrossEntropy(in LossLayout layout, BufferSlice logits, BufferSlice target, BufferSlice? weight,
        BufferSlice logProbs, BufferSlice loss)
    {
        Interop.Native.Check(Interop.Native.cs_cross_entropy_f32(layout.N, layout.C, layout.Inner, Pointer(logits), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(logProbs), Pointer(loss)));
    }

    public void CrossEntropyBackward(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice gradLogits)
    {
        Interop.Native.Check(Interop.Native.cs_cross_entropy_backward_f32(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogits)));
    }

    public void NllLoss(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss)
    {
        Interop.Native.Check(Interop.Native.cs_nll_loss_f32(layout.N, layout.C, layout.Inner, Pointer(logProbs), Pointer(target),
            Pointer(weight), layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(loss)));
    }

    public void NllLossBackward(in LossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogProbs)
    {
        Interop.Native.Check(Interop.Native.cs_nll_loss_backward_f32(layout.N, layout.C, layout.Inner, Pointer(target), Pointer(weight),
            layout.IgnoreIndex, layout.LabelSmoothing, NativeReduction(layout.Reduction), Pointer(gradLoss), Pointer(gradLogProbs)));
    }

    public long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss)
    {
        long bad;
        Interop.Native.Check(Interop.Native.cs_bce_f32(x.Length, Pointer(x), Pointer(target), Pointer(loss), &bad));
        return bad;
    }

    public void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget)
    {
        Interop.Native.Check(Interop.Native.cs_bce_backward_f32(x.Length, Pointer(x), Pointer(target), Pointer(dy), Pointer(dx), Pointer(dtarget)));
    }

    public void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss)
    {
        Interop.Native.Check(Interop.Native.cs_bce_logits_f32(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(loss)));
    }

    public void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight)
    {
        Interop.Native.Check(Interop.Native.cs_bce_logits_backward_f32(x.Length, Pointer(x), Pointer(target), Pointer(posWeight), Pointer(dy),
            Pointer(dx), Pointer(dtarget), Pointer(dposWeight)));
    }

    public void BatchNorm(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        Interop.Native.Check(Interop.Native.cs_batchnorm_forward_f32(layout.N, layout.C, layout.L, Pointer(x), Pointer(weight), Pointer(bias),
            Pointer(runningMean), Pointer(runningVar), training ? 1 : 0, momentum, eps, Pointer(y), Pointer(saveMean), Pointer(saveInvStd)));
    }

    public void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        Interop.Native.Check(Interop.Native.cs_batchnorm_backward_f32(layout.N, layout.C, layout.L, Pointer(x), Pointer(dy), Pointer(weight),
            Pointer(saveMean), Pointer(saveInvStd), training ? 1 : 0, Pointer(dx), Pointer(dweight), Pointer(dbias)));
    }

    public void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale)
    {
        Interop.Native.Check(Interop.Native.cs_dropout_f32(mask.Length, groupSize, key, keepProb, scale, Pointer(x), Pointer(y), Pointer(mask)));
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
