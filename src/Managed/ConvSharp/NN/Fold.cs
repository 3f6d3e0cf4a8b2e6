namespace ConvSharp.NN;

/// <summary>Extracts sliding local blocks (PyTorch's <c>nn.Unfold</c>): [N, C, H, W] → [N, C·KH·KW, L]; see <see cref="Tensor.Unfold"/>.</summary>
public sealed class Unfold(Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null) : Module
{
    /// <summary>The block size.</summary>
    public Pair KernelSize { get; } = kernelSize;

    /// <summary>The spacing between block elements.</summary>
    public Pair Dilation { get; } = dilation ?? 1;

    /// <summary>Implicit zero padding on both sides.</summary>
    public Pair Padding { get; } = padding ?? 0;

    /// <summary>The step between blocks.</summary>
    public Pair Stride { get; } = stride ?? 1;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Tensor.Unfold(input, KernelSize, Dilation, Padding, Stride);

    /// <inheritdoc />
    protected override string ExtraRepr() =>
        $"kernel_size={PairText(KernelSize)}, dilation={PairText(Dilation)}, padding={PairText(Padding)}, stride={PairText(Stride)}";

    internal static string PairText(Pair p) => $"({p.Height}, {p.Width})";
}

/// <summary>Combines sliding local blocks into a tensor, summing overlaps (PyTorch's <c>nn.Fold</c>, the adjoint of
/// <see cref="Unfold"/>): [N, C·KH·KW, L] → [N, C, H, W]; see <see cref="Tensor.Fold"/>.</summary>
public sealed class Fold(Pair outputSize, Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null) : Module
{
    /// <summary>The spatial size of the output (H, W).</summary>
    public Pair OutputSize { get; } = outputSize;

    /// <summary>The block size.</summary>
    public Pair KernelSize { get; } = kernelSize;

    /// <summary>The spacing between block elements.</summary>
    public Pair Dilation { get; } = dilation ?? 1;

    /// <summary>Implicit zero padding on both sides.</summary>
    public Pair Padding { get; } = padding ?? 0;

    /// <summary>The step between blocks.</summary>
    public Pair Stride { get; } = stride ?? 1;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => Tensor.Fold(input, OutputSize, KernelSize, Dilation, Padding, Stride);

    /// <inheritdoc />
    protected override string ExtraRepr() =>
        $"output_size={Unfold.PairText(OutputSize)}, kernel_size={Unfold.PairText(KernelSize)}, dilation={Unfold.PairText(Dilation)}, " +
        $"padding={Unfold.PairText(Padding)}, stride={Unfold.PairText(Stride)}";
}
