namespace ConvSharp.Backends;

/// <summary>The per-kind entry points a backend's pooling, resampling and loss kernels have today (one native function or
/// .cl kernel each). Backend-internal: ops see only <see cref="IKernels.Pool"/> and <see cref="IKernels.Loss"/>, and
/// <see cref="KindDispatch"/> maps a kind to its entry point once for every backend.</summary>
internal interface IPerKindKernels
{
    void MaxPool2d(BufferSlice input, in PoolGeometry geometry, BufferSlice output, BufferSlice? indices);
    void MaxPool2dBackward(BufferSlice gradOutput, BufferSlice indices, long planes, long inputPlane, long outputPlane, BufferSlice gradInput);
    void AvgPool2d(BufferSlice input, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice output);
    void AvgPool2dBackward(BufferSlice gradOutput, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice gradInput);
    void LPPool2d(BufferSlice input, in PoolGeometry geometry, float normType, BufferSlice output);
    void LPPool2dBackward(BufferSlice input, BufferSlice gradOutput, in PoolGeometry geometry, float normType, BufferSlice gradInput);
    void AdaptiveMaxPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output, BufferSlice? indices);
    void AdaptiveAvgPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output);
    void AdaptiveAvgPool2dBackward(BufferSlice gradOutput, in AdaptivePoolGeometry geometry, BufferSlice gradInput);
    void FractionalMaxPool2d(BufferSlice input, in FractionalPoolGeometry geometry, BufferSlice samples, BufferSlice output, BufferSlice? indices);
    void Upsample(in UpsampleGeometry g, BufferSlice x, BufferSlice y);
    void UpsampleBackward(in UpsampleGeometry g, BufferSlice dy, BufferSlice dx);

    long FindInvalidClassIndex(BufferSlice target, long classes, long ignoreIndex);
    void CrossEntropy(in LossLayout layout, BufferSlice logits, BufferSlice target, BufferSlice? weight, BufferSlice logProbs, BufferSlice loss);
    void CrossEntropyBackward(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogits);
    void NllLoss(in LossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss);
    void NllLossBackward(in LossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss, BufferSlice gradLogProbs);
    long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss);
    void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget);
    void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss);
    void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight);
}

/// <summary>A backend whose class-index check would wait for the device: it computes a class-index loss with the check
/// inside its kernels and reports an invalid target (its first position, to the callback) when the host next waits (see
/// <see cref="IKernels.Loss"/>). Returns false where it cannot (the caller then checks first, as on the CPU).</summary>
internal interface IDeferredClassCheck
{
    bool ClassLossLater(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long> invalid);
}

/// <summary>From a <see cref="PoolKind"/> or <see cref="LossKind"/> to a backend's entry point.</summary>
internal static class KindDispatch
{
    public static void Pool(IPerKindKernels k, in PoolParams pool, BufferSlice input, BufferSlice output, BufferSlice? indices, BufferSlice? samples)
    {
        switch (pool.Kind)
        {
            case PoolKind.Max: k.MaxPool2d(input, pool.Geometry, output, indices); break;
            case PoolKind.Avg: k.AvgPool2d(input, pool.Geometry, pool.CountIncludePad, pool.DivisorOverride, output); break;
            case PoolKind.Lp: k.LPPool2d(input, pool.Geometry, pool.NormType, output); break;
            case PoolKind.AdaptiveMax: k.AdaptiveMaxPool2d(input, pool.Adaptive, output, indices); break;
            case PoolKind.AdaptiveAvg: k.AdaptiveAvgPool2d(input, pool.Adaptive, output); break;
            case PoolKind.Upsample: k.Upsample(pool.Upsample, input, output); break;
            default: k.FractionalMaxPool2d(input, pool.Fractional, samples!.Value, output, indices); break;
        }
    }

    public static void PoolBackward(IPerKindKernels k, in PoolParams pool, BufferSlice? input, BufferSlice? indices, BufferSlice gradOutput, BufferSlice gradInput)
    {
        PoolGeometry g = pool.Geometry;
        switch (pool.Kind)
        {
            case PoolKind.Avg: k.AvgPool2dBackward(gradOutput, g, pool.CountIncludePad, pool.DivisorOverride, gradInput); break;
            case PoolKind.Lp: k.LPPool2dBackward(input!.Value, gradOutput, g, pool.NormType, gradInput); break;
            case PoolKind.AdaptiveAvg: k.AdaptiveAvgPool2dBackward(gradOutput, pool.Adaptive, gradInput); break;
            case PoolKind.Upsample: k.UpsampleBackward(pool.Upsample, gradOutput, gradInput); break;
            default: k.MaxPool2dBackward(gradOutput, indices!.Value, g.Planes, g.InputPlane, g.OutputPlane, gradInput); break;
        }
    }

    public static long Loss(IPerKindKernels k, LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long>? deferredInvalid = null)
    {
        if (kind is LossKind.CrossEntropy or LossKind.Nll)
        {
            if (deferredInvalid is not null && k is IDeferredClassCheck deferred &&
                deferred.ClassLossLater(kind, layout, input, target, weight, saved, loss, deferredInvalid))
                return -1;
            long bad = k.FindInvalidClassIndex(target, layout.C, layout.IgnoreIndex);
            if (bad >= 0) return bad;
        }
        switch (kind)
        {
            case LossKind.CrossEntropy: k.CrossEntropy(layout, input, target, weight, saved!.Value, loss); return -1;
            case LossKind.Nll: k.NllLoss(layout, input, target, weight, loss); return -1;
            case LossKind.BinaryCrossEntropy: return k.BinaryCrossEntropy(input, target, loss);
            default: k.BinaryCrossEntropyWithLogits(input, target, weight, loss); return -1;
        }
    }

    public static void LossBackward(IPerKindKernels k, LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice? gradInput, BufferSlice? gradTarget, BufferSlice? gradWeight)
    {
        switch (kind)
        {
            case LossKind.CrossEntropy: if (gradInput is { } gl) k.CrossEntropyBackward(layout, input, target, weight, gradLoss, gl); break;
            case LossKind.Nll: if (gradInput is { } gp) k.NllLossBackward(layout, target, weight, gradLoss, gp); break;
            case LossKind.BinaryCrossEntropy: k.BinaryCrossEntropyBackward(input, target, gradLoss, gradInput, gradTarget); break;
            default: k.BinaryCrossEntropyWithLogitsBackward(input, target, weight, gradLoss, gradInput, gradTarget, gradWeight); break;
        }
    }

}
