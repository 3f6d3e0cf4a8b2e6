using ConvSharp.Backends;

namespace ConvSharp.NN;

/// <summary>2-D max pooling (PyTorch's <c>nn.MaxPool2d</c>) over [N, C, H, W] or [C, H, W] input; see
/// <see cref="Tensor.MaxPool2d"/>. Kernel size, stride, padding and dilation take an int or an (h, w) pair.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>A max pool; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>. The window is
    /// checked here (sizes ≥ 1, padding at most half the kernel), so a bad layer fails where it is built.</summary>
    public MaxPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, Pair? dilation = null, bool ceilMode = false)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        Dilation = dilation ?? 1;
        CeilMode = ceilMode;
        PoolGeometry.CheckWindow(nameof(MaxPool2d), KernelSize, Stride, Padding, Dilation);
    }

    /// <summary>The window size.</summary>
    public Pair KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Pair Stride { get; }

    /// <summary>The implicit −∞ padding on each side.</summary>
    public Pair Padding { get; }

    /// <summary>The step between the elements of a window.</summary>
    public Pair Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc />
    public override string ToString() =>
        $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation={Dilation}, ceil_mode={PoolText.Bool(CeilMode)})";
}

/// <summary>Adaptive 2-D max pooling (PyTorch's <c>nn.AdaptiveMaxPool2d</c>) to a fixed output size; see
/// <see cref="Tensor.AdaptiveMaxPool2d"/>.</summary>
public sealed class AdaptiveMaxPool2d : Module
{
    /// <summary>Pools any input to <paramref name="outputSize"/> (an int or an (h, w) pair, each ≥ 1).</summary>
    public AdaptiveMaxPool2d(Pair outputSize)
    {
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"{nameof(AdaptiveMaxPool2d)}: output size must be at least 1, but got {outputSize}.");
        OutputSize = outputSize;
    }

    /// <summary>The output's height and width.</summary>
    public Pair OutputSize { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.AdaptiveMaxPool2d(OutputSize);

    /// <inheritdoc />
    public override string ToString() => $"AdaptiveMaxPool2d(output_size={OutputSize})";
}

/// <summary>The maximum of every (n, c) plane: [N, C, H, W] → [N, C], or [N, C, 1, 1] with keepDim; see
/// <see cref="Tensor.GlobalMaxPool2d"/>.</summary>
public sealed class GlobalMaxPool2d(bool keepDim = false) : Module
{
    /// <summary>Whether the output keeps two trailing dimensions of size 1.</summary>
    public bool KeepDim { get; } = keepDim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Tensor.GlobalMaxPool2d(input, KeepDim);

    /// <inheritdoc />
    public override string ToString() => $"GlobalMaxPool2d(keepdim={PoolText.Bool(KeepDim)})";
}

/// <summary>Fractional max pooling (PyTorch's <c>nn.FractionalMaxPool2d</c>; Graham, 2014): kernel windows at
/// pseudo-random positions, drawn afresh on every forward from a <see cref="ConvSharp.Generator"/>, so the same
/// seed gives the same sequence of pooling regions. See <see cref="Tensor.FractionalMaxPool2d(Pair, Pair, Generator)"/>.</summary>
public sealed class FractionalMaxPool2d : Module
{
    private readonly Generator? _generator;

    /// <summary>A fractional max pool to <paramref name="outputSize"/>, or to
    /// ⌊input size · <paramref name="outputRatio"/>⌋ (each ratio in (0, 1)); give exactly one of the two.
    /// Samples come from <paramref name="generator"/>, or <see cref="ConvSharp.Generator.Default"/> when null.</summary>
    public FractionalMaxPool2d(Pair kernelSize, Pair? outputSize = null, (double Height, double Width)? outputRatio = null,
        Generator? generator = null)
    {
        const string op = nameof(FractionalMaxPool2d);
        if (kernelSize.Height < 1 || kernelSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"{op}: kernel size must be at least 1, but got {kernelSize}.");
        if (outputSize is null == outputRatio is null)
            throw new ArgumentException($"{op} needs either an output size or an output ratio, not {(outputSize is null ? "neither" : "both")}.",
                nameof(outputSize));
        if (outputSize is { } size && (size.Height < 1 || size.Width < 1))
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"{op}: output size must be at least 1, but got {size}.");
        if (outputRatio is var (rh, rw) && !(rh > 0 && rh < 1 && rw > 0 && rw < 1))
            throw new ArgumentOutOfRangeException(nameof(outputRatio),
                $"{op}: output ratio must lie in (0, 1), but got ({PoolText.Number(rh)}, {PoolText.Number(rw)}).");
        KernelSize = kernelSize;
        OutputSize = outputSize;
        OutputRatio = outputRatio;
        _generator = generator;
    }

    /// <summary>The window size.</summary>
    public Pair KernelSize { get; }

    /// <summary>The fixed output size, or null when <see cref="OutputRatio"/> sets it.</summary>
    public Pair? OutputSize { get; }

    /// <summary>The output size as a fraction of the input size, or null when <see cref="OutputSize"/> is fixed.</summary>
    public (double Height, double Width)? OutputRatio { get; }

    /// <summary>The generator the pooling regions are drawn from.</summary>
    public Generator Generator => _generator ?? Generator.Default;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        Pair size = OutputSize ?? SizeFromRatio(input);
        return input.FractionalMaxPool2d(KernelSize, size, Generator);
    }

    private Pair SizeFromRatio(Tensor input)
    {
        PoolInput shape = PoolInput.Of(nameof(FractionalMaxPool2d), input.ShapeSpan);
        var (rh, rw) = OutputRatio!.Value;
        int oh = (int)(shape.H * rh), ow = (int)(shape.W * rw);
        if (oh < 1 || ow < 1)
            throw new ArgumentException(
                $"{nameof(FractionalMaxPool2d)}: output ratio ({PoolText.Number(rh)}, {PoolText.Number(rw)}) of an input {shape.H}x{shape.W} " +
                $"gives an output of {oh}x{ow}; each side must be at least 1.", nameof(input));
        return (oh, ow);
    }

    /// <inheritdoc />
    public override string ToString() => OutputSize is { } size
        ? $"FractionalMaxPool2d(kernel_size={KernelSize}, output_size={size})"
        : $"FractionalMaxPool2d(kernel_size={KernelSize}, output_ratio=({PoolText.Number(OutputRatio!.Value.Height)}, {PoolText.Number(OutputRatio.Value.Width)}))";
}
