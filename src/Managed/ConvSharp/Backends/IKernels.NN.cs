namespace ConvSharp.Backends;

// The fused layer kernels: pooling and resampling, softmax, losses, batch norm, dropout (native/include/cs_nn.h,
// cs_pooling.h on the CPU). A new pool or loss is a PoolKind / LossKind value, not a new member.
internal partial interface IKernels
{
    /// <summary>Pooling forward of <paramref name="pool"/>.Kind. Max kinds also write, when <paramref name="indices"/> is given,
    /// the offset of each maximum inside its input plane (int32 bits in the float buffer: exact at any size).
    /// <paramref name="samples"/>: the two uniform samples per plane of <see cref="PoolKind.FractionalMax"/>.</summary>
    void Pool(in PoolParams pool, BufferSlice input, BufferSlice output, BufferSlice? indices, BufferSlice? samples);

    /// <summary>gradInput += the pooling backward. Max kinds read <paramref name="indices"/>; <see cref="PoolKind.Lp"/> reads
    /// the forward's <paramref name="input"/>; the averages need neither.</summary>
    void PoolBackward(in PoolParams pool, BufferSlice? input, BufferSlice? indices, BufferSlice gradOutput, BufferSlice gradInput);

    /// <summary>y = softmax(x) (or log-softmax when <paramref name="log"/>) along the middle axis of an
    /// (<paramref name="outer"/>, <paramref name="n"/>, <paramref name="inner"/>) layout.</summary>
    void Softmax(BufferSlice x, BufferSlice y, long outer, long n, long inner, bool log);

    /// <summary>dx += the softmax (or log-softmax) backward, from the forward's output <paramref name="y"/>.</summary>
    void SoftmaxBackward(BufferSlice y, BufferSlice dy, BufferSlice dx, long outer, long n, long inner, bool log);

    /// <summary>The loss <paramref name="kind"/> of <paramref name="input"/> against <paramref name="target"/> into
    /// <paramref name="loss"/> (reduced as the layout says). Class-index kinds first look for a target that is neither a class
    /// in [0, C) nor the ignore index; the binary kinds (unreduced, one value per element) for an input or target outside
    /// [0, 1] (<see cref="LossKind.BinaryCrossEntropy"/> only). Returns the first such position, writing nothing, or -1.
    /// <paramref name="weight"/>: class weights, or the positive weight of <see cref="LossKind.BinaryCrossEntropyWithLogits"/>;
    /// <paramref name="saved"/>: the log-probabilities <see cref="LossKind.CrossEntropy"/> keeps for its backward.
    /// <paramref name="deferredInvalid"/> (class-index kinds): when given, a backend whose check would make the host wait for
    /// the device (OpenCL) may instead compute the loss at once (invalid targets add nothing), return -1, and call it with the
    /// first invalid position when the host next waits for the device (the read of the loss value, <see cref="Synchronize"/>):
    /// the exception it throws comes out of that read. A backend that checks on the host ignores it.</summary>
    long Loss(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight, BufferSlice? saved,
        BufferSlice loss, Action<long>? deferredInvalid = null);

    /// <summary>The loss backward, into gradInput, gradTarget and gradWeight (each optional; the class-index kinds have
    /// only gradInput). <paramref name="input"/> is what the backward reads: the logits or probabilities, or for
    /// <see cref="LossKind.CrossEntropy"/> and <see cref="LossKind.Nll"/> the log-probabilities.</summary>
    void LossBackward(LossKind kind, in LossLayout layout, BufferSlice input, BufferSlice target, BufferSlice? weight,
        BufferSlice gradLoss, BufferSlice? gradInput, BufferSlice? gradTarget, BufferSlice? gradWeight);

    /// <summary>Batch norm forward per channel; in training it updates the running statistics (when given)
    /// in place. Writes y and the mean and 1/√(var + eps) used.</summary>
    void BatchNorm(in BatchNormLayout layout, BufferSlice x, BufferSlice? weight, BufferSlice? bias,
        BufferSlice? runningMean, BufferSlice? runningVar, bool training, float momentum, float eps,
        BufferSlice y, BufferSlice saveMean, BufferSlice saveInvStd);

    /// <summary>Batch norm backward into dx, dweight and dbias (each optional).</summary>
    void BatchNormBackward(in BatchNormLayout layout, BufferSlice x, BufferSlice dy, BufferSlice? weight,
        BufferSlice saveMean, BufferSlice saveInvStd, bool training, BufferSlice? dx, BufferSlice? dweight, BufferSlice? dbias);

    /// <summary>Draws the keep/drop mask (one value per group of <paramref name="groupSize"/> elements:
    /// <paramref name="scale"/> or 0) from the counter-based generator keyed by <paramref name="key"/>,
    /// and writes y = x·mask. (Its backward is an element-wise product with the mask.)</summary>
    void Dropout(BufferSlice x, BufferSlice y, BufferSlice mask, long groupSize, ulong key, float keepProb, float scale);
}

/// <summary>The losses of <see cref="IKernels.Loss"/>.</summary>
internal enum LossKind
{
    /// <summary>Fused log-softmax + NLL over class scores (optional label smoothing and class weights).</summary>
    CrossEntropy = 0,
    /// <summary>NLL over log-probabilities.</summary>
    Nll,
    /// <summary>Unreduced binary cross-entropy on probabilities (logs clamped to ≥ −100).</summary>
    BinaryCrossEntropy,
    /// <summary>Unreduced binary cross-entropy on logits (stable form), with an optional per-element positive weight.</summary>
    BinaryCrossEntropyWithLogits,
}

/// <summary>The layout of a loss: <see cref="N"/> samples of <see cref="C"/> classes with <see cref="Inner"/> positions each
/// (scores (N, C, Inner), targets (N, Inner)), and its settings. The binary kinds are element-wise: N elements, C = Inner = 1,
/// no reduction.</summary>
internal readonly record struct LossLayout(long N, long C, long Inner, long IgnoreIndex, float LabelSmoothing, Reduction Reduction)
{
    /// <summary>The layout of an element-wise binary loss over <paramref name="length"/> elements.</summary>
    public static LossLayout Elementwise(long length) => new(length, 1, 1, -100, 0f, Reduction.None);

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
