namespace ConvSharp.NN;

/// <summary>2-D transposed convolution (PyTorch's <c>nn.ConvTranspose2d</c>): weight [Cin, Cout/groups, KH, KW], bias [Cout],
/// initialised from U(±1/√fan_in) with PyTorch's fan_in = weight.size(1)·KH·KW.</summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>A transposed convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public ConvTranspose2d(int inChannels, int outChannels, Pair kernelSize, Pair? stride = null, Pair? padding = null, Pair? outputPadding = null,
        int groups = 1, bool bias = true, Pair? dilation = null, Generator? generator = null)
    {
        Guard.Positive(inChannels);
        Guard.Positive(outChannels);
        Guard.Positive(groups);
        Guard.Positive(kernelSize.Height); Guard.Positive(kernelSize.Width);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: inChannels ({inChannels}) and outChannels ({outChannels}) must both be divisible by groups ({groups}).", nameof(groups));
        (InChannels, OutChannels, Groups) = (inChannels, outChannels, groups);
        KernelSize = new Pair(kernelSize.Height, kernelSize.Width);
        Pair s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        Guard.Positive(s.Height, "stride.Height"); Guard.Positive(s.Width, "stride.Width");
        Guard.NonNegative(p.Height, "padding.Height"); Guard.NonNegative(p.Width, "padding.Width");
        Guard.NonNegative(op.Height, "outputPadding.Height"); Guard.NonNegative(op.Width, "outputPadding.Width");
        Guard.Positive(d.Height, "dilation.Height"); Guard.Positive(d.Width, "dilation.Width");
        if ((op.Height >= s.Height && op.Height >= d.Height) || (op.Width >= s.Width && op.Width >= d.Width))
            throw new ArgumentException($"ConvTranspose2d: output padding ({op.Height}, {op.Width}) must be smaller than the stride ({s.Height}, {s.Width}) or the dilation ({d.Height}, {d.Width}).", nameof(outputPadding));
        (Stride, Padding, OutputPadding, Dilation) = (new Pair(s.Height, s.Width), new Pair(p.Height, p.Width), new Pair(op.Height, op.Width), new Pair(d.Height, d.Width));
        Weight = RegisterParameter("weight", new Parameter(inChannels, outChannels / groups, kernelSize.Height, kernelSize.Width))!;
        Bias = RegisterParameter("bias", bias ? new Parameter(outChannels) : null);
        Init.DefaultUniform(Weight, Bias, outChannels / groups * kernelSize.Height * kernelSize.Width, generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Groups.</summary>
    public int Groups { get; }
    /// <summary>Kernel size.</summary>
    public Pair KernelSize { get; }
    /// <summary>Stride.</summary>
    public Pair Stride { get; }
    /// <summary>Padding removed from each side of the output.</summary>
    public Pair Padding { get; }
    /// <summary>Extra rows/columns added at the bottom/right of the output.</summary>
    public Pair OutputPadding { get; }
    /// <summary>Dilation.</summary>
    public Pair Dilation { get; }
    /// <summary>[Cin, Cout/groups, KH, KW].</summary>
    public Parameter Weight { get; }
    /// <summary>[Cout], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        SpatialInput.Check(this, input, InChannels);
        return Tensor.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        static string P(Pair p) => SpatialInput.Format(p);
        string s = $"ConvTranspose2d({InChannels}, {OutChannels}, kernel_size={P(KernelSize)}, stride={P(Stride)}";
        if (Padding != new Pair(0, 0)) s += $", padding={P(Padding)}";
        if (OutputPadding != new Pair(0, 0)) s += $", output_padding={P(OutputPadding)}";
        if (Dilation != new Pair(1, 1)) s += $", dilation={P(Dilation)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s + ")";
    }
}
