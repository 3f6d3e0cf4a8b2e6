namespace ConvSharp.NN;

/// <summary>Softmax along <see cref="Dim"/> (PyTorch's <c>nn.Softmax</c>).</summary>
public sealed class Softmax(int dim) : Module
{
    /// <summary>The dimension the probabilities sum to 1 along.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Softmax(Dim);

    /// <inheritdoc />
    public override string ToString() => $"Softmax(dim={Dim})";
}

/// <summary>Log-softmax along <see cref="Dim"/> (PyTorch's <c>nn.LogSoftmax</c>); pairs with <see cref="NLLLoss"/>.</summary>
public sealed class LogSoftmax(int dim) : Module
{
    /// <summary>The dimension normalised along.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.LogSoftmax(Dim);

    /// <inheritdoc />
    public override string ToString() => $"LogSoftmax(dim={Dim})";
}
