namespace ConvSharp.NN;

/// <summary>y = x·Wᵀ + b (PyTorch's <c>nn.Linear</c>): weight [out, in], bias [out], initialised U(±1/√in).</summary>
public sealed class Linear : Module
{
    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        Guard.Positive(inFeatures);
        Guard.Positive(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new Parameter(outFeatures, inFeatures))!;
        Bias = RegisterParameter("bias", bias ? new Parameter(outFeatures) : null);
        Init.DefaultUniform(Weight, Bias, inFeatures, generator);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>[out], or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        if (input.Dim < 1 || input.Size(-1) != InFeatures)
            throw new ArgumentException(
                $"Linear({InFeatures}, {OutFeatures}) expects {InFeatures} input features in the last dimension, but got shape {Guard.Format(input.ShapeSpan)}.", nameof(input));
        if (input.Dim == 1)
        {
            using var row = input.Unsqueeze(0);
            using var y = Tensor.Linear(row, Weight, Bias);
            return y.Squeeze(0);
        }
        return Tensor.Linear(input, Weight, Bias);
    }

    /// <inheritdoc />
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")})";
}
