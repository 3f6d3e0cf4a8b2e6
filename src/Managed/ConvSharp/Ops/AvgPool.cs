using ConvSharp.Backends;

namespace ConvSharp;

// Averaging pools over NCHW input (or unbatched CHW): AvgPool2d, LPPool2d, AdaptiveAvgPool2d with
// GlobalAvgPool2d. Letters: N batch, C channels, H x W input, KH x KW kernel, OH x OW output.
// Each output is a smooth function of its window, so the backward spreads the output gradient back
// over the window (ADDING into the input gradient): g / divisor for averages, g·(x/y)^(p−1) for Lp.
public partial class Tensor
{
    /// <summary>2-D average pooling (PyTorch's <c>avg_pool2d</c>): the mean of each <paramref name="kernelSize"/>
    /// window, windows <paramref name="stride"/> apart (default: the kernel size), over the input zero-padded
    /// by <paramref name="padding"/> (at most half the kernel). The divisor is the window size clipped to the
    /// padded input (<paramref name="countIncludePad"/>) or to the input itself, or
    /// <paramref name="divisorOverride"/> when given (not 0). <paramref name="ceilMode"/> as in <see cref="MaxPool2d"/>.</summary>
    public Tensor AvgPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        const string op = "AvgPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        CheckDivisorOverride(op, divisorOverride);
        var g = new PoolGeometry(op, input, kernelSize, stride ?? kernelSize, padding, 1, ceilMode);
        int divisor = divisorOverride ?? 0;
        var result = Allocate(Device, input.OutputShape(g.OH, g.OW), zero: false);
        var pool = new PoolParams(PoolKind.Avg, g) { CountIncludePad = countIncludePad, DivisorOverride = divisor };
        Kernels.Pool(pool, Data, result.Data, null, null);
        Onnx.OnnxTrace.Current?.AvgPool(result, this, kernelSize, stride ?? kernelSize, padding, ceilMode, countIncludePad, divisorOverride);
        return Record(result, op, [this], (grad, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.PoolBackward(pool, null, null, grad.Data, dx.Data);
        });
    }

    /// <summary>Refuses a divisor override of 0 (PyTorch: "divisor must be not zero").</summary>
    internal static void CheckDivisorOverride(string op, int? divisorOverride)
    {
        if (divisorOverride == 0)
            throw new ArgumentOutOfRangeException(nameof(divisorOverride), $"{op}: divisor override must not be 0.");
    }

    /// <summary>2-D power-average pooling (PyTorch's <c>lp_pool2d</c>): (Σ x^p)^(1/p) over each window, p =
    /// <paramref name="normType"/> &gt; 0, no padding. p = 1 is sum pooling; as p grows it approaches max pooling
    /// (computed as m·(Σ (x/m)^p)^(1/p) with m the window's largest |x|, so a large p neither overflows nor
    /// underflows). A negative sum (odd p) or a negative x with a fractional p gives NaN, as in PyTorch.
    /// The gradient is (x/y)^(p−1), and 0 for a window whose output is 0 (where it is not defined).
    /// With <paramref name="ceilMode"/>, a window cut off by the input's edge sums the elements it holds (PyTorch
    /// rescales such windows by kernel area / elements held, a side effect of building it on avg_pool2d).</summary>
    public Tensor LPPool2d(float normType, Pair kernelSize, Pair? stride = null, bool ceilMode = false)
    {
        const string op = "LPPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        CheckNormType(op, normType);
        var g = new PoolGeometry(op, input, kernelSize, stride ?? kernelSize, 0, 1, ceilMode);
        var result = Allocate(Device, input.OutputShape(g.OH, g.OW), zero: false);
        var pool = new PoolParams(PoolKind.Lp, g) { NormType = normType };
        Kernels.Pool(pool, Data, result.Data, null, null);
        return Record(result, op, [this], (grad, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.PoolBackward(pool, Data, null, grad.Data, dx.Data);
        });
    }

    /// <summary>Refuses a norm type that is not a positive, finite number.</summary>
    internal static void CheckNormType(string op, float normType)
    {
        if (!(normType > 0f) || float.IsPositiveInfinity(normType))
            throw new ArgumentOutOfRangeException(nameof(normType),
                $"{op}: norm type must be a positive, finite number, but got {PoolText.Number(normType)}.");
    }

    /// <summary>Adaptive 2-D average pooling (PyTorch's <c>adaptive_avg_pool2d</c>): the mean of each window of an
    /// <paramref name="outputSize"/> grid, row i covering input rows ⌊i·H/OH⌋ to ⌈(i+1)·H/OH⌉ − 1 (columns
    /// likewise). Any output size ≥ 1 works; 1 is global average pooling.</summary>
    public Tensor AdaptiveAvgPool2d(Pair outputSize)
    {
        const string op = "AdaptiveAvgPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        return AdaptiveAvg(op, AdaptivePoolGeometry.Create(op, input, outputSize), input.OutputShape(outputSize.Height, outputSize.Width));
    }

    /// <summary>The mean of every (n, c) plane: [N, C, H, W] → [N, C] ([C, H, W] → [C]), or [N, C, 1, 1] with
    /// <paramref name="keepDim"/>. The same op as <c>AdaptiveAvgPool2d(1)</c>.</summary>
    public static Tensor GlobalAvgPool2d(Tensor input, bool keepDim = false)
    {
        Guard.NotNull(input);
        const string op = "GlobalAvgPool2d";
        PoolInput shape = PoolInput.Of(op, input._shape);
        return input.AdaptiveAvg(op, AdaptivePoolGeometry.Create(op, shape, 1), shape.GlobalShape(keepDim));
    }

    private Tensor AdaptiveAvg(string op, AdaptivePoolGeometry g, int[] outputShape)
    {
        var result = Allocate(Device, outputShape, zero: false);
        var pool = PoolParams.Of(PoolKind.AdaptiveAvg, g);
        Kernels.Pool(pool, Data, result.Data, null, null);
        Onnx.OnnxTrace.Current?.AdaptivePool(result, this, max: false, op);
        return Record(result, op, [this], (grad, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.PoolBackward(pool, null, null, grad.Data, dx.Data);
        });
    }
}
