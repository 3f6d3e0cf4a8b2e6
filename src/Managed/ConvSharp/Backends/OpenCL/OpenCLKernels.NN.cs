
namespace ConvSharp.Backends.OpenCL;

// NN kernels on OpenCL: native/kernels/opencl/nn.cl. Reductions to one loss value add their per-position
// terms in one work-item, in position order, as the CPU does.
internal sealed partial class OpenCLKernels : IDeferredClassCheck
{
    public void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log)
    {
        Context.Run("cs_softmax", outer * inner, outer, n, inner, x, y, log ? 1 : 0);
    }

    public void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log)
    {
        Context.Run("cs_softmax_backward", outer * inner, outer, n, inner, y, dy, dx, log ? 1 : 0);
    }

    public long Loss(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long>? deferredInvalid = null) =>
        KindDispatch.Loss(this, kind, layout, input, target, weight, saved, loss, deferredInvalid);

    public void LossBackward(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice? gradInput, BufferSlice? gradTarget, BufferSlice? gradWeight) =>
        KindDispatch.LossBackward(this, kind, layout, input, target, weight, gradLoss, gradInput, gradTarget, gradWeight);

    public bool ClassLossLater(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice? saved, BufferSlice loss, Action<long> invalid)
    {
        if (layout.TargetLength is 0 or > int.MaxValue) return false;
        using var result = Scratch(1);
        Context.WriteNoInvalid(result.Buffer);
        BufferSlice logProbs = input;
        if (kind == LossKind.CrossEntropy)
        {
            logProbs = saved!.Value;
            Context.Run("cs_softmax", layout.N * layout.Inner, layout.N, layout.C, layout.Inner, input, logProbs, 1);
        }
        // The check rides in the loss-terms kernel; the queue is in order, so the read runs before a later command reuses the scratch.
        ClassLossValue(layout, logProbs, target, weight, loss, result.Buffer);
        Context.ReadIndexLater(result.Buffer, invalid);
        return true;
    }

    public long FindInvalidClassIndex(BufferSlice target, long classes, long ignoreIndex)
    {
        if (target.Length == 0) return -1;
        if (target.Length > int.MaxValue) throw new NotSupportedException($"FindInvalidClassIndex on {Device} handles at most {int.MaxValue} targets.");
        using var result = Scratch(1);
        Context.Write(result.Buffer, 0, BitConverterBytes(int.MaxValue));
        Context.Run("cs_find_invalid_class", target.Length, target, target.Length, classes, ignoreIndex, KernelArg.Mem(result.Buffer));
        return ReadFirstInt(result.Buffer);
    }

    public void CrossEntropy(in LossLayout layout, BufferSlice logits, BufferSlice target, BufferSlice? weight,
        BufferSlice logProbs, BufferSlice loss)
    {
        Context.Run("cs_softmax", layout.N * layout.Inner, layout.N, layout.C, layout.Inner, logits, logProbs, 1);
        ClassLossValue(layout, logProbs, target, weight, loss);
    }

    public void CrossEntropyBackward(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice gradLogits)
    {
        using var scales = Scales(layout, target, weight);
        Context.Run("cs_cross_entropy_backward", layout.TargetLength, layout.N, layout.C, layout.Inner, logProbs, target, weight,
            layout.IgnoreIndex, layout.LabelSmoothing, Reduction(layout), gradLoss, KernelArg.Mem(scales.Buffer), gradLogits);
    }

    public void NllLoss(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss)
    {
        ClassLossValue(layout, logProbs, target, weight, loss);
    }

    public void NllLossBackward(in LossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogProbs)
    {
        using var scales = Scales(layout, target, weight);
        Context.Run("cs_nll_loss_backward", layout.TargetLength, layout.N, layout.C, layout.Inner, target, weight, layout.IgnoreIndex,
            layout.LabelSmoothing, Reduction(layout), gradLoss, KernelArg.Mem(scales.Buffer), gradLogProbs);
    }

    private void ClassLossValue(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss,
        OpenCLBuffer? invalid = null)
    {
        bool reduce = layout.Reduction != ConvSharp.Reduction.None;
        using var terms = Scratch(reduce ? 2 * layout.TargetLength : 1);
        Context.Run("cs_class_loss_terms", layout.TargetLength, layout.N, layout.C, layout.Inner, logProbs, target, weight,
            layout.IgnoreIndex, layout.LabelSmoothing, Reduction(layout), loss, KernelArg.Mem(terms.Buffer),
            invalid is null ? KernelArg.NullMem : KernelArg.Mem(invalid));
        if (reduce) Context.Run("cs_class_loss_total", 1, layout.TargetLength, Reduction(layout), KernelArg.Mem(terms.Buffer), loss);
    }

    /// <summary>Scratch holding the MEAN reduction's 1/Σw[t] and Σw (cs_class_loss_scales).</summary>
    private ScratchBuffer Scales(in LossLayout layout, BufferSlice target, BufferSlice? weight)
    {
        var scales = Scratch(2);
        Context.Run("cs_class_loss_scales", 1, layout.TargetLength, layout.C, target, weight, layout.IgnoreIndex, Reduction(layout),
            KernelArg.Mem(scales.Buffer));
        return scales;
    }

    private static int Reduction(in LossLayout layout) => layout.Reduction switch
    {
        ConvSharp.Reduction.None => 0,
        ConvSharp.Reduction.Mean => 1,
        _ => 2,
    };

    public long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss)
    {
        if (x.Length == 0) return -1;
        if (x.Length > int.MaxValue) throw new NotSupportedException($"BinaryCrossEntropy on {Device} handles at most {int.MaxValue} elements.");
        using var result = Scratch(1);
        Context.Write(result.Buffer, 0, BitConverterBytes(int.MaxValue));
        Context.Run("cs_bce_check", x.Length, x.Length, x, target, KernelArg.Mem(result.Buffer));
        long bad = ReadFirstInt(result.Buffer);
        if (bad >= 0) return bad;
        Context.Run("cs_bce", x.Length, x.Length, x, target, loss);
        return -1;
    }

    public void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget)
    {
        Context.Run("cs_bce_backward", x.Length, x.Length, x, target, dy, dx, dtarget);
    }

    public void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss)
    {
        Context.Run("cs_bce_logits", x.Length, x.Length, x, target, posWeight, loss);
    }

    public void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight)
    {
        Context.Run("cs_bce_logits_backward", x.Length, x.Length, x, target, posWeight, dy, dx, dtarget, dposWeight);
    }

    private const int BatchNormGroup = 64;

    public void BatchNorm(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd)
    {
        using var shift = Scratch(layout.C);
        Context.Launch("cs_batchnorm_stats", [(nuint)(layout.C * BatchNormGroup)], [BatchNormGroup],
            [layout.N, layout.C, layout.L, x, runningMean, runningVar, training ? 1 : 0, momentum, eps, saveMean, saveInvStd, KernelArg.Mem(shift.Buffer)]);
        Context.Run("cs_batchnorm_apply", layout.Length, layout.N, layout.C, layout.L, x, weight, bias, saveMean, saveInvStd,
            KernelArg.Mem(shift.Buffer), y);
    }

    public void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias)
    {
        using var coef = Scratch(3 * layout.C);
        Context.Launch("cs_batchnorm_backward_stats", [(nuint)(layout.C * BatchNormGroup)], [BatchNormGroup],
            [layout.N, layout.C, layout.L, x, dy, weight, saveMean, saveInvStd, training ? 1 : 0, dweight, dbias, KernelArg.Mem(coef.Buffer)]);
        if (dx is { } d)
            Context.Run("cs_batchnorm_backward_apply", layout.Length, layout.N, layout.C, layout.L, x, dy, saveMean, KernelArg.Mem(coef.Buffer), d);
    }

    public void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale)
    {
        // u < keepProb with u = (r >> 8)·2^-24 is (r >> 8) < ceil(keepProb·2^24), as dropout.c decides.
        uint threshold = (uint)MathF.Ceiling(keepProb * 16777216.0f);
        Context.Run("cs_dropout_mask", mask.Length, mask.Length, key, threshold, scale, mask);
        Context.Run("cs_dropout_apply", x.Length, x.Length, groupSize, x, mask, y);
    }

    private static byte[] BitConverterBytes(int value) => BitConverter.GetBytes(value);

    /// <summary>Reads an int the kernels left at the start of a scratch buffer; int.MaxValue (nothing found) is -1.</summary>
    private long ReadFirstInt(OpenCLBuffer buffer)
    {
        Span<int> value = stackalloc int[1];
        Context.Read(buffer, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(value));
        return value[0] == int.MaxValue ? -1 : value[0];
    }
}
