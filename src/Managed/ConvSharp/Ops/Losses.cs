using System.Globalization;
using ConvSharp.Backends;

namespace ConvSharp;

// Losses (PyTorch's nn.functional names). Letters: N samples, C classes, d1... extra positions per
// sample ([N, C, d1, ...] scores, [N, d1, ...] class-index targets).
// Cross-entropy and NLL on class indices are native kernels (cross-entropy fused: log-softmax + NLL
// forward, softmax − one-hot backward). Binary cross-entropy (on probabilities and on logits) has an
// element-wise native kernel with its own backward; class weights and reductions around it, MSE, L1
// and the class-probability forms are compositions of ops and get no backward of their own.
public partial class Tensor
{
    /// <summary>Cross-entropy between logits and targets (PyTorch's <c>cross_entropy</c>).
    /// <paramref name="input"/> is [N, C], [N, C, d1, ...] or [C]; <paramref name="target"/> holds class indices
    /// as float values with the input's shape minus the class dimension ([N], [N, d1, ...] or []), or class
    /// probabilities with the input's own shape. <paramref name="weight"/> ([C]) rescales each class;
    /// targets equal to <paramref name="ignoreIndex"/> add nothing (class indices only);
    /// <paramref name="labelSmoothing"/> in [0, 1] mixes the target with the uniform distribution.</summary>
    /// <exception cref="ArgumentException">Shapes do not fit, or a class index is negative, fractional or ≥ C.</exception>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
        Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        const string op = "CrossEntropyLoss";
        Guard.NotNull(input);
        Guard.NotNull(target);
        CheckReduction(reduction);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"{op}: labelSmoothing must be in [0, 1], but is {Text(labelSmoothing)}.");
        int classes = ClassCount(op, input);
        CheckClassWeight(op, input, weight, classes);
        input.CheckSameDevice(target, op);
        if (input.ShapeSpan.SequenceEqual(target.ShapeSpan))
            return SoftTargetLoss(op, input, applyLogSoftmax: true, target, weight, ignoreIndex, reduction, labelSmoothing);

        LossLayout layout = ClassIndexLayout(op, input, target, classes, ignoreIndex, labelSmoothing, reduction);
        var logProbs = Allocate(input.Device, input._shape, zero: false, owned: true);
        var loss = Allocate(input.Device, reduction == Reduction.None ? target._shape : [], zero: false);
        long bad = input.Kernels.Loss(LossKind.CrossEntropy, layout, input.Data, target.Data, weight?.Data, logProbs.Data, loss.Data,
            position => ThrowInvalidClassIndex(op, target, classes, ignoreIndex, position));
        if (bad >= 0)
        {
            loss.Dispose();
            logProbs.Dispose();
            ThrowInvalidClassIndex(op, target, classes, ignoreIndex, bad);
        }
        return Record(loss, "CrossEntropy", [input], (g, sink) =>
        {
            if (sink[0] is { } dx)
                dx.Kernels.LossBackward(LossKind.CrossEntropy, layout, logProbs.Data, target.Data, weight?.Data, g.Data, dx.Data, null, null);
        }, logProbs);
    }

    /// <summary>Negative log-likelihood of log-probabilities (PyTorch's <c>nll_loss</c>): the input is
    /// [N, C], [N, C, d1, ...] or [C] log-probabilities (e.g. from <see cref="LogSoftmax"/>), the target
    /// class indices as in <see cref="CrossEntropy"/>. As an extension of PyTorch, a target of the
    /// input's own shape is read as class probabilities: −Σ weight·target·input over classes.</summary>
    /// <exception cref="ArgumentException">Shapes do not fit, or a class index is negative, fractional or ≥ C.</exception>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = -100,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "NLLLoss";
        Guard.NotNull(input);
        Guard.NotNull(target);
        CheckReduction(reduction);
        int classes = ClassCount(op, input);
        CheckClassWeight(op, input, weight, classes);
        input.CheckSameDevice(target, op);
        if (input.ShapeSpan.SequenceEqual(target.ShapeSpan))
            return SoftTargetLoss(op, input, applyLogSoftmax: false, target, weight, ignoreIndex, reduction, 0f);

        LossLayout layout = ClassIndexLayout(op, input, target, classes, ignoreIndex, 0f, reduction);
        var loss = Allocate(input.Device, reduction == Reduction.None ? target._shape : [], zero: false);
        long bad = input.Kernels.Loss(LossKind.Nll, layout, input.Data, target.Data, weight?.Data, null, loss.Data,
            position => ThrowInvalidClassIndex(op, target, classes, ignoreIndex, position));
        if (bad >= 0)
        {
            loss.Dispose();
            ThrowInvalidClassIndex(op, target, classes, ignoreIndex, bad);
        }
        return Record(loss, "NllLoss", [input], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.LossBackward(LossKind.Nll, layout, input.Data, target.Data, weight?.Data, g.Data, dx.Data, null, null);
        });
    }

    /// <summary>Mean squared error (PyTorch's <c>mse_loss</c>): (input − target)², reduced. Shapes must match.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "MSELoss";
        CheckSameShape(op, input, target);
        CheckReduction(reduction);
        Tensor diff = input - target;
        Tensor squared = diff.Pow(2f);
        Tensor result = Reduce(squared, reduction);
        DropUnrecorded([input, target], diff, reduction == Reduction.None ? null : squared);
        return result;
    }

    /// <summary>Mean absolute error (PyTorch's <c>l1_loss</c>): |input − target|, reduced. Shapes must match.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "L1Loss";
        CheckSameShape(op, input, target);
        CheckReduction(reduction);
        Tensor diff = input - target;
        Tensor absolute = diff.Abs();
        Tensor result = Reduce(absolute, reduction);
        DropUnrecorded([input, target], diff, reduction == Reduction.None ? null : absolute);
        return result;
    }

    /// <summary>Binary cross-entropy of probabilities (PyTorch's <c>binary_cross_entropy</c>):
    /// −weight·(t·log x + (1 − t)·log(1 − x)), each log clamped to ≥ −100 as PyTorch does, so x = 0 or 1
    /// gives a finite loss and gradient. Input and target share one shape, with values in [0, 1];
    /// <paramref name="weight"/> broadcasts to it.</summary>
    /// <exception cref="ArgumentException">Shapes do not fit, or a value lies outside [0, 1].</exception>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BCELoss";
        CheckSameShape(op, input, target);
        CheckReduction(reduction);
        CheckBroadcastsTo(op, weight, input, nameof(weight));

        var loss = input.NewLike(zero: false);
        var elementwise = LossLayout.Elementwise(input.Numel);
        long bad = input.Kernels.Loss(LossKind.BinaryCrossEntropy, elementwise, input.Data, target.Data, null, null, loss.Data);
        if (bad >= 0)
        {
            loss.Dispose();
            float x = ValueAt(input, bad), t = ValueAt(target, bad);
            bool inputBad = !(x >= 0f && x <= 1f);
            throw new ArgumentException(inputBad
                ? $"{op}: input value {Text(x)} at position {Position(input.ShapeSpan, bad)} is outside [0, 1]; {op} takes probabilities (apply Sigmoid first, or use BCEWithLogitsLoss on logits)."
                : $"{op}: target value {Text(t)} at position {Position(target.ShapeSpan, bad)} is outside [0, 1].",
                inputBad ? nameof(input) : nameof(target));
        }
        Tensor elements = Record(loss, "BinaryCrossEntropy", [input, target], (g, sink) =>
        {
            Tensor? dx = sink[0], dt = sink[1];
            if (dx is null && dt is null) return;
            g.Kernels.LossBackward(LossKind.BinaryCrossEntropy, elementwise, input.Data, target.Data, null, g.Data, dx?.Data, dt?.Data, null);
        });
        return WeightAndReduce(elements, weight, reduction, [input, target]);
    }

    /// <summary>Binary cross-entropy on logits (PyTorch's <c>binary_cross_entropy_with_logits</c>), in the
    /// stable form (1 − t)·x + (1 + (p − 1)·t)·log(1 + e⁻ˣ) with the softplus computed without overflow.
    /// <paramref name="posWeight"/> (p, the weight of positive examples, e.g. [C]) and
    /// <paramref name="weight"/> broadcast to the input's shape.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
    {
        const string op = "BCEWithLogitsLoss";
        CheckSameShape(op, input, target);
        CheckReduction(reduction);
        CheckBroadcastsTo(op, weight, input, nameof(weight));
        CheckBroadcastsTo(op, posWeight, input, nameof(posWeight));

        // The positive weight expanded to the input's shape, so the kernel reads one value per element.
        Tensor? expanded = null;
        if (posWeight is not null)
        {
            expanded = Allocate(input.Device, input._shape, zero: false, owned: true);
            input.Kernels.Elementwise(BinaryOp.CopyA, input._shape, expanded.Contiguous(),
                new(posWeight.Data, Shapes.BroadcastStrides(posWeight._shape, input._shape)), default);
        }
        var loss = input.NewLike(zero: false);
        var elementwise = LossLayout.Elementwise(input.Numel);
        input.Kernels.Loss(LossKind.BinaryCrossEntropyWithLogits, elementwise, input.Data, target.Data, expanded?.Data, null, loss.Data);
        Tensor[] inputs = posWeight is null ? [input, target] : [input, target, posWeight];
        Tensor elements = Record(loss, "BinaryCrossEntropyWithLogits", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dt = sink[1], dp = posWeight is null ? null : sink[2];
            if (dx is null && dt is null && dp is null) return;
            // The positive weight's gradient per element, then summed over the dimensions it was broadcast along.
            using Tensor? dpFull = dp is null ? null : Allocate(g.Device, g._shape, zero: true, owned: true);
            g.Kernels.LossBackward(LossKind.BinaryCrossEntropyWithLogits, elementwise, input.Data, target.Data, expanded?.Data, g.Data,
                dx?.Data, dt?.Data, dpFull?.Data);
            if (dp is not null) dp.AddReduced(dpFull!, 1f);
        }, expanded is null ? [] : [expanded]);
        return WeightAndReduce(elements, weight, reduction, inputs);
    }

    private static Tensor WeightAndReduce(Tensor elements, Tensor? weight, Reduction reduction, Tensor[] inputs)
    {
        Tensor weighted = weight is null ? elements : elements * weight;
        Tensor result = Reduce(weighted, reduction);
        Tensor[] all = weight is null ? inputs : [.. inputs, weight];
        DropUnrecorded(all, weight is null ? null : elements, reduction == Reduction.None ? null : weighted);
        return result;
    }

    /// <summary>−Σ_c weight[c]·target[c]·logp[c] over the class dimension, with logp = log-softmax(input)
    /// for cross-entropy or the input itself for NLL; the mean divides by the number of positions
    /// (N·d1·…), as PyTorch does for probability targets. A composition of ops.</summary>
    private static Tensor SoftTargetLoss(string op, Tensor input, bool applyLogSoftmax, Tensor target, Tensor? weight,
        int ignoreIndex, Reduction reduction, float labelSmoothing)
    {
        if (ignoreIndex >= 0)
            throw new ArgumentException(
                $"{op}: ignoreIndex ({ignoreIndex}) is not supported with class-probability targets (a target of the input's shape {Guard.Format(input._shape)}).",
                nameof(ignoreIndex));
        int classDim = input.Dim == 1 ? 0 : 1;
        int classes = input._shape[classDim];
        var temporaries = new List<Tensor>();
        Tensor Keep(Tensor t) { temporaries.Add(t); return t; }

        Tensor logProbs = applyLogSoftmax ? Keep(input.LogSoftmax(classDim)) : input;
        Tensor probs = labelSmoothing > 0f ? Keep(target.Affine(1f - labelSmoothing, labelSmoothing / classes, "LabelSmoothing")) : target;
        Tensor product = Keep(logProbs * probs);
        if (weight is not null)
        {
            // [C] → [C, 1, ..., 1], so that it lines up with the class dimension.
            int[] view = [classes, .. Enumerable.Repeat(1, input.Dim - classDim - 1)];
            product = Keep(product * Keep(weight.Reshape(view)));
        }
        Tensor perPosition = Keep(product.Sum(classDim));
        long positions = input.Numel / classes;
        Tensor result = reduction switch
        {
            Reduction.None => perPosition.Neg(),
            Reduction.Sum => Keep(perPosition.Sum()).Neg(),
            _ => Keep(perPosition.Sum()).Affine(-1f / positions, 0f, "Mean"),
        };
        Tensor[] inputs = weight is null ? [input, target] : [input, target, weight];
        DropUnrecorded(inputs, [.. temporaries]);
        return result;
    }

    private static Tensor Reduce(Tensor elements, Reduction reduction) => reduction switch
    {
        Reduction.Mean => elements.Mean(),
        Reduction.Sum => elements.Sum(),
        _ => elements,
    };

    /// <summary>Disposes intermediate results of a composition unless a backward graph through them is being recorded.</summary>
    private static void DropUnrecorded(Tensor[] inputs, params Tensor?[] temporaries)
    {
        if (WillRecord(inputs)) return;
        foreach (Tensor? t in temporaries) t?.Dispose();
    }

    private static void CheckReduction(Reduction reduction)
    {
        if (!Enum.IsDefined(reduction))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"Unknown reduction {(int)reduction}; use Reduction.Mean, Sum or None.");
    }

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        Guard.NotNull(input);
        Guard.NotNull(target);
        input.CheckSameDevice(target, op);
        if (!input.ShapeSpan.SequenceEqual(target.ShapeSpan))
            throw new ArgumentException(
                $"{op}: the target has shape {Guard.Format(target._shape)}, but the input has shape {Guard.Format(input._shape)}; they must be the same.",
                nameof(target));
    }

    /// <summary>An optional per-element factor must broadcast to the input's shape without growing it.</summary>
    private static void CheckBroadcastsTo(string op, Tensor? factor, Tensor input, string name)
    {
        if (factor is null) return;
        input.CheckSameDevice(factor, op);
        bool fits = factor.Dim <= input.Dim;
        for (int i = 1; fits && i <= factor.Dim; i++)
            fits = factor._shape[^i] == 1 || factor._shape[^i] == input._shape[^i];
        if (!fits)
            throw new ArgumentException(
                $"{op}: {name} of shape {Guard.Format(factor._shape)} does not broadcast to the input's shape {Guard.Format(input._shape)}.", name);
    }

    /// <summary>The number of classes: dimension 1 of [N, C, ...], or the only dimension of [C].</summary>
    private static int ClassCount(string op, Tensor input)
    {
        if (input.Dim == 0)
            throw new ArgumentException($"{op}: the input needs a class dimension ([N, C], [N, C, d1, ...] or [C]), but is 0-dimensional.", nameof(input));
        return input._shape[input.Dim == 1 ? 0 : 1];
    }

    private static void CheckClassWeight(string op, Tensor input, Tensor? weight, int classes)
    {
        if (weight is null) return;
        input.CheckSameDevice(weight, op);
        if (weight.Dim != 1 || weight._shape[0] != classes)
            throw new ArgumentException(
                $"{op}: weight has shape {Guard.Format(weight._shape)}, but the input of shape {Guard.Format(input._shape)} has {classes} classes; it needs one weight per class, shape [{classes}].",
                nameof(weight));
    }

    private static LossLayout ClassIndexLayout(string op, Tensor input, Tensor target, int classes, int ignoreIndex,
        float labelSmoothing, Reduction reduction)
    {
        int[] expected = input.Dim == 1 ? [] : [input._shape[0], .. input._shape[2..]];
        if (!target.ShapeSpan.SequenceEqual(expected))
            throw new ArgumentException(
                $"{op}: the target has shape {Guard.Format(target._shape)}, but an input of shape {Guard.Format(input._shape)} needs class indices of shape {Guard.Format(expected)} or class probabilities of shape {Guard.Format(input._shape)}.",
                nameof(target));
        long n = input.Dim == 1 ? 1 : input._shape[0];
        return new LossLayout(n, classes, target.Numel / n, ignoreIndex, labelSmoothing, reduction);
    }

    /// <summary>Every target must be a whole number in [0, classes) or the ignore index (the loss kernels look before they
    /// compute): the first that is not is reported with its value, its position and the class count.</summary>
    /// On a device that defers the check (OpenCL), this runs when the host next waits for the device (reading the loss).
    private static void ThrowInvalidClassIndex(string op, Tensor target, int classes, int ignoreIndex, long bad)
    {
        if (target.IsDisposed)
            throw new ArgumentException(
                $"{op}: the target at position {Position(target._shape, bad)} is not a class index from 0 to {classes - 1} (or ignoreIndex, {ignoreIndex}).",
                nameof(target));
        float v = ValueAt(target, bad);
        string why = float.IsNaN(v) ? "is not a number" : v < 0 ? "is negative" : v >= classes ? "is out of range" : "is not a whole number";
        throw new ArgumentException(
            $"{op}: target {Text(v)} at position {Position(target._shape, bad)} {why}; with {classes} classes a target must be a class index from 0 to {classes - 1} (or ignoreIndex, {ignoreIndex}).",
            nameof(target));
    }

    private static float ValueAt(Tensor t, long index)
    {
        Span<float> one = stackalloc float[1];
        t.Kernels.Download(t.Data.Slice(index, 1), one);
        return one[0];
    }

    /// <summary>The multi-index of flat position <paramref name="index"/>, printed like a shape: [1, 0, 3].</summary>
    private static string Position(ReadOnlySpan<int> shape, long index)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = (int)(index % shape[d]);
            index /= shape[d];
        }
        return Guard.Format(idx);
    }

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
