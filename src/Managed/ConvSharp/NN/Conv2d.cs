namespace ConvSharp.NN;

/// <summary>2-D convolution over [N, C, H, W] input (PyTorch's <c>nn.Conv2d</c>): weight [K, C/groups, KH, KW],
/// bias [K], both initialised from U(±1/√fan_in) with fan_in = C/groups·KH·KW.</summary>
public sealed class Conv2d : Module
{
    private readonly string? _namedPadding;

    /// <summary>A convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/> with an
    /// int or (h, w) kernel size, stride, padding and dilation.</summary>
    public Conv2d(int inChannels, int outChannels, Pair kernelSize, Pair? stride = null, Pair? padding = null, Pair? dilation = null,
        int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, kernelSize, stride ?? 1, padding ?? 0, null, dilation ?? 1, groups, bias, generator)
    {
    }

    /// <summary>A stride-1 convolution with padding given by name: "same" (output size = input size) or "valid" (none).</summary>
    public Conv2d(int inChannels, int outChannels, Pair kernelSize, string padding, Pair? dilation = null,
        int groups = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, kernelSize, 1, 0, Guard.NotNullString(padding), dilation ?? 1, groups, bias, generator)
    {
    }

    private Conv2d(int inChannels, int outChannels, Pair kernelSize, Pair stride, Pair padding, string? namedPadding, Pair dilation,
        int groups, bool bias, Generator? generator)
    {
        Guard.Positive(inChannels);
        Guard.Positive(outChannels);
        Guard.Positive(groups);
        Guard.Positive(kernelSize.Height); Guard.Positive(kernelSize.Width);
        Guard.Positive(stride.Height); Guard.Positive(stride.Width);
        Guard.NonNegative(padding.Height); Guard.NonNegative(padding.Width);
        Guard.Positive(dilation.Height); Guard.Positive(dilation.Width);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: inChannels ({inChannels}) and outChannels ({outChannels}) must both be divisible by groups ({groups}).", nameof(groups));
        if (namedPadding is not null && namedPadding != "same" && namedPadding != "valid")
            throw new ArgumentException($"Conv2d: padding '{namedPadding}' is not one of \"same\", \"valid\".", nameof(padding));
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = new Pair(kernelSize.Height, kernelSize.Width);
        Stride = new Pair(stride.Height, stride.Width);
        Padding = new Pair(padding.Height, padding.Width);
        Dilation = new Pair(dilation.Height, dilation.Width);
        Groups = groups;
        _namedPadding = namedPadding;
        Weight = RegisterParameter("weight", new Parameter(outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width))!;
        Bias = RegisterParameter("bias", bias ? new Parameter(outChannels) : null);
        Init.DefaultUniform(Weight, Bias, inChannels / groups * kernelSize.Height * kernelSize.Width, generator);
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Output channels K.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size (KH, KW).</summary>
    public Pair KernelSize { get; }

    /// <summary>Stride.</summary>
    public Pair Stride { get; }

    /// <summary>Zero padding on each side (for "same", see <see cref="PaddingMode"/>).</summary>
    public Pair Padding { get; }

    /// <summary>"same" or "valid" when padding was given by name, else null.</summary>
    public string? PaddingMode => _namedPadding;

    /// <summary>Dilation.</summary>
    public Pair Dilation { get; }

    /// <summary>Groups: 1 is a full convolution, <see cref="InChannels"/> a depthwise one.</summary>
    public int Groups { get; }

    /// <summary>[K, C/groups, KH, KW].</summary>
    public Parameter Weight { get; }

    /// <summary>[K], or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        SpatialInput.Check(this, input, InChannels);
        // The op names what does not fit; the layer's repr opens the message (the input's rank and channels were checked above).
        return _namedPadding is null
            ? Tensor.Conv2d(Repr, input, Weight, Bias, Stride, Padding, Dilation, Groups)
            : Tensor.Conv2d(Repr, input, Weight, Bias, _namedPadding, Dilation, Groups);
    }

    /// <summary>This layer followed by ReLU, as one op (<see cref="Tensor.Conv2dRelu"/>); numeric padding only.</summary>
    internal bool CanFuseRelu => _namedPadding is null;

    /// <summary>max(0, this layer's output), the ReLU fused into the convolution's epilogue.</summary>
    internal Tensor ForwardWithRelu(Tensor input)
    {
        Guard.NotNull(input);
        SpatialInput.Check(this, input, InChannels);
        return Tensor.Conv2dRelu(Repr, input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    private string? _repr;

    /// <summary>The repr, built once (a layer's settings never change).</summary>
    private string Repr => _repr ??= ToString();

    /// <summary>PyTorch's repr: <c>Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))</c>.</summary>
    public override string ToString()
    {
        static string P(Pair p) => SpatialInput.Format(p);
        string s = $"Conv2d({InChannels}, {OutChannels}, kernel_size={P(KernelSize)}, stride={P(Stride)}";
        if (_namedPadding is not null) s += $", padding={_namedPadding}";
        else if (Padding != new Pair(0, 0)) s += $", padding={P(Padding)}";
        if (Dilation != new Pair(1, 1)) s += $", dilation={P(Dilation)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s + ")";
    }
}
