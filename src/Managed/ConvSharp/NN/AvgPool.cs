using ConvSharp.Backends;

namespace ConvSharp.NN;

/// <summary>2-D average pooling (PyTorch's <c>nn.AvgPool2d</c>) over [N, C, H, W] or [C, H, W] input; see
/// <see cref="Tensor.AvgPool2d"/>. Kernel size, stride and padding take an int or an (h, w) pair.</summary>
public sealed class AvgPool2d : Module
{
    /// <summary>An average pool; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>. The window is
    /// checked here (sizes ≥ 1, padding at most half the kernel, divisor override not 0).</summary>
    public AvgPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
        PoolGeometry.CheckWindow(nameof(AvgPool2d), KernelSize, Stride, Padding, 1);
        Tensor.CheckDivisorOverride(nameof(AvgPool2d), divisorOverride);
    }

    /// <summary>The window size.</summary>
    public Pair KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public Pair Stride { get; }

    /// <summary>The implicit zero padding on each side.</summary>
    public Pair Padding { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padding cells count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>A fixed divisor for every window, or null.</summary>
    public int? DivisorOverride { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) =>
        input.AvgPool2d(KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc />
    public override string ToString() => $"AvgPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding})";
}

/// <summary>2-D power-average pooling (PyTorch's <c>nn.LPPool2d</c>): (Σ x^p)^(1/p) over each window; see
/// <see cref="Tensor.LPPool2d"/>.</summary>
public sealed class LPPool2d : Module
{
    /// <summary>An Lp pool with p = <paramref name="normType"/> (positive, finite); <paramref name="stride"/>
    /// defaults to <paramref name="kernelSize"/>.</summary>
    public LPPool2d(float normType, Pair kernelSize, Pair? stride = null, bool ceilMode = false)
    {
        Tensor.CheckNormType(nameof(LPPool2d), normType);
        PoolGeometry.CheckWindow(nameof(LPPool2d), kernelSize, stride ?? kernelSize, 0, 1);
        NormType = normType;
        KernelSize = kernelSize;
        Stride = stride;
        CeilMode = ceilMode;
    }

    /// <summary>p.</summary>
    public float NormType { get; }

    /// <summary>The window size.</summary>
    public Pair KernelSize { get; }

    /// <summary>The step between windows, or null for the kernel size (printed as None, like PyTorch).</summary>
    public Pair? Stride { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.LPPool2d(NormType, KernelSize, Stride, CeilMode);

    /// <inheritdoc />
    public override string ToString() =>
        $"LPPool2d(norm_type={PoolText.Number(NormType)}, kernel_size={KernelSize}, stride={(Stride is { } s ? s.ToString() : "None")}, ceil_mode={PoolText.Bool(CeilMode)})";
}

/// <summary>Adaptive 2-D average pooling (PyTorch's <c>nn.AdaptiveAvgPool2d</c>) to a fixed output size; see
/// <see cref="Tensor.AdaptiveAvgPool2d"/>.</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Pools any input to <paramref name="outputSize"/> (an int or an (h, w) pair, each ≥ 1).</summary>
    public AdaptiveAvgPool2d(Pair outputSize)
    {
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"{nameof(AdaptiveAvgPool2d)}: output size must be at least 1, but got {outputSize}.");
        OutputSize = outputSize;
    }

    /// <summary>The output's height and width.</summary>
    public Pair OutputSize { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.AdaptiveAvgPool2d(OutputSize);

    /// <inheritdoc />
    public override string ToString() => $"AdaptiveAvgPool2d(output_size={OutputSize})";
}

/// <summary>The mean of every (n, c) plane: [N, C, H, W] → [N, C], or [N, C, 1, 1] with keepDim; see
/// <see cref="Tensor.GlobalAvgPool2d"/>.</summary>
public sealed class GlobalAvgPool2d(bool keepDim = false) : Module
{
    /// <summary>Whether the output keeps two trailing dimensions of size 1.</summary>
    public bool KeepDim { get; } = keepDim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Tensor.GlobalAvgPool2d(input, KeepDim);

    /// <inheritdoc />
    public override string ToString() => $"GlobalAvgPool2d(keepdim={PoolText.Bool(KeepDim)})";
}
