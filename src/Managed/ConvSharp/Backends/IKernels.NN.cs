namespace ConvSharp.Backends;

// Kernels of the NN layer set: softmax, losses, batch norm, dropout (native/include/cs_nn.h on the CPU).
// Every backward ADDS into its gradient slices; a null gradient slice is skipped.
internal partial interface IKernels
{
    /// <summary>y = softmax(x) (or log-softmax when <paramref name="log"/>) along the middle axis of an
    /// (<paramref name="outer"/>, <paramref name="n"/>, <paramref name="inner"/>) layout.</summary>
    void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log);

    /// <summary>dx += the softmax (or log-softmax) backward, from the forward's output <paramref name="y"/>.</summary>
    void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log);

    /// <summary>The first position of <paramref name="target"/> that holds neither a whole number in
    /// [0, <paramref name="classes"/>) nor <paramref name="ignoreIndex"/>, or -1 when every value is valid.
    /// Ops call this before the class-loss kernels, which must never see a bad index.</summary>
    long FindInvalidClassIndex(BufferSlice target, long classes, long ignoreIndex);

    /// <summary>Fused log-softmax + NLL: writes the log-probabilities (kept for the backward) and the loss.</summary>
    void CrossEntropy(in ClassLossLayout layout, BufferSlice logits, BufferSlice target, BufferSlice? weight,
        BufferSlice logProbs, BufferSlice loss);

    /// <summary>gradLogits += g·(A·softmax − a) (softmax − one-hot, scaled; see cs_nn.h).</summary>
    void CrossEntropyBackward(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice gradLogits);

    /// <summary>NLL (with optional label smoothing) over log-probabilities.</summary>
    void NllLoss(in ClassLossLayout layout, BufferSlice logProbs, BufferSlice target, BufferSlice? weight, BufferSlice loss);

    /// <summary>gradLogProbs += −g·a.</summary>
    void NllLossBackward(in ClassLossLayout layout, BufferSlice target, BufferSlice? weight, BufferSlice gradLoss,
        BufferSlice gradLogProbs);

    /// <summary>Unreduced binary cross-entropy on probabilities (logs clamped to ≥ −100). Returns the first
    /// position where the input or target lies outside [0, 1] (nothing is written then), else -1.</summary>
    long BinaryCrossEntropy(BufferSlice x, BufferSlice target, BufferSlice loss);

    /// <summary>The backward of <see cref="BinaryCrossEntropy"/> into dx and dtarget (each optional).</summary>
    void BinaryCrossEntropyBackward(BufferSlice x, BufferSlice target, BufferSlice dy, BufferSlice? dx, BufferSlice? dtarget);

    /// <summary>Unreduced binary cross-entropy on logits (stable form), with an optional per-element positive weight.</summary>
    void BinaryCrossEntropyWithLogits(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice loss);

    /// <summary>The backward of <see cref="BinaryCrossEntropyWithLogits"/> into dx, dtarget and dposWeight (each optional).</summary>
    void BinaryCrossEntropyWithLogitsBackward(BufferSlice x, BufferSlice target, BufferSlice? posWeight, BufferSlice dy,
        BufferSlice? dx, BufferSlice? dtarget, BufferSlice? dposWeight);

    /// <summary>Batch norm forward per channel; in training it updates the running statistics (when given)
    /// in place. Writes y and the mean and 1/√(var + eps) used.</summary>
    void BatchNormForward(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd);

    /// <summary>Batch norm backward into dx, dweight and dbias (each optional).</summary>
    void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias);

    /// <summary>Draws the keep/drop mask (one value per group of <paramref name="groupSize"/> elements:
    /// <paramref name="scale"/> or 0) from the counter-based generator keyed by <paramref name="key"/>,
    /// and writes y = x·mask.</summary>
    void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale);

    /// <summary>dx += dy·mask.</summary>
    void DropoutBackward(BufferSlice mask, long groupSize, BufferSlice dy, BufferSlice dx);
}

/// <summary>The layout of a class-index loss: <see cref="N"/> samples of <see cref="C"/> classes with
/// <see cref="Inner"/> positions each (scores (N, C, Inner), targets (N, Inner)), and its settings.</summary>
internal readonly record struct ClassLossLayout(long N, long C, long Inner, long IgnoreIndex, float LabelSmoothing, Reduction Reduction)
{
    /// <summary>Floats in the scores.</summary>
    public long ScoreLength => N * C * Inner;

    /// <summary>Floats in the targets.</summary>
    public long TargetLength => N * Inner;

    /// <summary>Floats in the loss: one per position without reduction, else one.</summary>
    public long LossLength => Reduction == Reduction.None ? TargetLength : 1;
}

/// <summary>The layout of a batch norm input: (N, C, L), L the product of the sizes after the channel dimension.</summary>
internal readonly record struct BatchNormLayout(long N, long C, long L)
{
    /// <summary>Floats in the input.</summary>
    public long Length => N * C * L;
}
