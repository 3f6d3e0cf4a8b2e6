using System.Globalization;

namespace ConvSharp.NN;

/// <summary>Mean squared error, (input − target)² reduced (PyTorch's <c>nn.MSELoss</c>).</summary>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) => Tensor.MseLoss(input, target, Reduction);

    /// <inheritdoc />
    public override string ToString() => $"MSELoss(reduction={ReductionText})";
}

/// <summary>Mean absolute error, |input − target| reduced (PyTorch's <c>nn.L1Loss</c>).</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) => Tensor.L1Loss(input, target, Reduction);

    /// <inheritdoc />
    public override string ToString() => $"L1Loss(reduction={ReductionText})";
}

/// <summary>Softmax cross-entropy between logits [N, C] (or [N, C, d1, ...], or [C]) and class-index targets
/// (float values, [N] / [N, d1, ...]) or class-probability targets of the input's shape (PyTorch's
/// <c>nn.CrossEntropyLoss</c>). On class indices it is one fused native log-softmax + NLL.</summary>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>A cross-entropy loss. <paramref name="weight"/> ([C], copied into the buffer "weight") rescales
    /// each class; class-index targets equal to <paramref name="ignoreIndex"/> contribute nothing, and the
    /// weighted mean divides by Σ weight[target] of the rest; <paramref name="labelSmoothing"/> in [0, 1]
    /// mixes the targets with the uniform distribution.</summary>
    public CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
        : base(reduction)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"CrossEntropyLoss: labelSmoothing must be in [0, 1], but is {labelSmoothing.ToString(CultureInfo.InvariantCulture)}.");
        CheckClassWeight("CrossEntropyLoss", weight);
        Weight = RegisterOptionalBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The per-class weights [C], or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The class index whose targets are ignored.</summary>
    public int IgnoreIndex { get; }

    /// <summary>The label smoothing, in [0, 1].</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        Tensor.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);

    /// <inheritdoc />
    public override string ToString() => "CrossEntropyLoss()";

    internal static void CheckClassWeight(string op, Tensor? weight)
    {
        if (weight is not null && weight.Dim != 1)
            throw new ArgumentException($"{op}: weight must hold one value per class (shape [C]), but has shape {Guard.Format(weight.ShapeSpan)}.", nameof(weight));
    }
}

/// <summary>Negative log-likelihood of log-probabilities [N, C] (or [N, C, d1, ...], or [C]) against class-index
/// targets (PyTorch's <c>nn.NLLLoss</c>); put it after <see cref="LogSoftmax"/>. As an extension, a target of the
/// input's own shape is read as class probabilities.</summary>
public sealed class NLLLoss : Loss
{
    /// <summary>An NLL loss with optional per-class <paramref name="weight"/> ([C], copied into the buffer
    /// "weight") and <paramref name="ignoreIndex"/>, as in <see cref="CrossEntropyLoss"/>.</summary>
    public NLLLoss(Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        CrossEntropyLoss.CheckClassWeight("NLLLoss", weight);
        Weight = RegisterOptionalBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The per-class weights [C], or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The class index whose targets are ignored.</summary>
    public int IgnoreIndex { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        Tensor.NllLoss(input, target, Weight, IgnoreIndex, Reduction);

    /// <inheritdoc />
    public override string ToString() => "NLLLoss()";
}

/// <summary>Binary cross-entropy of probabilities in [0, 1] against targets in [0, 1] of the same shape, logs
/// clamped to ≥ −100 (PyTorch's <c>nn.BCELoss</c>). Put it after <see cref="Sigmoid"/>, or use
/// <see cref="BCEWithLogitsLoss"/> on logits, which is more stable.</summary>
public sealed class BCELoss : Loss
{
    /// <summary>A BCE loss with an optional <paramref name="weight"/> that broadcasts to the input's shape
    /// (copied into the buffer "weight").</summary>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Weight = RegisterOptionalBuffer("weight", weight);
    }

    /// <summary>The weight of each element (broadcast), or null.</summary>
    public Tensor? Weight { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) => Tensor.BinaryCrossEntropy(input, target, Weight, Reduction);

    /// <inheritdoc />
    public override string ToString() => "BCELoss()";
}

/// <summary>Sigmoid + binary cross-entropy in one numerically stable expression (PyTorch's
/// <c>nn.BCEWithLogitsLoss</c>), with an optional weight for positive examples.</summary>
public sealed class BCEWithLogitsLoss : Loss
{
    /// <summary>A BCE-with-logits loss. <paramref name="weight"/> weighs each element and <paramref name="posWeight"/>
    /// the positive term of each class (e.g. [C] = negatives/positives per class); both broadcast to the input's
    /// shape and are copied into the buffers "weight" and "pos_weight".</summary>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
        : base(reduction)
    {
        Weight = RegisterOptionalBuffer("weight", weight);
        PosWeight = RegisterOptionalBuffer("pos_weight", posWeight);
    }

    /// <summary>The weight of each element (broadcast), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The weight of the positive term (broadcast), or null.</summary>
    public Tensor? PosWeight { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        Tensor.BinaryCrossEntropyWithLogits(input, target, Weight, Reduction, PosWeight);

    /// <inheritdoc />
    public override string ToString() => "BCEWithLogitsLoss()";
}
