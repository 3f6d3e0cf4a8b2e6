namespace ConvSharp.NN;

/// <summary>Merges dimensions startDim..endDim (default: all but the batch dimension) — a view.</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>First dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>Last dimension merged.</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input.Flatten(StartDim, EndDim);

    /// <inheritdoc />
    public override string ToString() => $"Flatten(start_dim={StartDim}, end_dim={EndDim})";
}

/// <summary>Returns its input unchanged (PyTorch's <c>nn.Identity</c>).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) => input;
}
