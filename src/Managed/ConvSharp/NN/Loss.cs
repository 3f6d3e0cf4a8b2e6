namespace ConvSharp.NN;

/// <summary>The base of the loss modules (PyTorch's <c>_Loss</c>): a <see cref="Module"/> whose forward takes
/// the model's output and a target. Call <see cref="Forward(Tensor, Tensor)"/>; forward hooks run after it
/// with (module, input, loss), and the one-argument <see cref="Module.Forward(Tensor)"/> refuses to run
/// without a target.</summary>
public abstract class Loss : Module
{
    /// <summary>A loss that combines its per-element values as <paramref name="reduction"/> says.</summary>
    protected Loss(Reduction reduction)
    {
        if (!Enum.IsDefined(reduction))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"Unknown reduction {(int)reduction}; use Reduction.Mean, Sum or None.");
        Reduction = reduction;
    }

    /// <summary>How the per-element losses are combined.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> (the model's output) against <paramref name="target"/>:
    /// a 0-dimensional tensor for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, else one
    /// value per element. Forward hooks run afterwards with (module, input, loss).</summary>
    public Tensor Forward(Tensor input, Tensor target)
    {
        Guard.NotNull(input);
        Guard.NotNull(target);
        return RunForwardHooks(input, ForwardCore(input, target));
    }

    /// <summary>The loss computation. Subclasses override this; callers call <see cref="Forward(Tensor, Tensor)"/>.</summary>
    protected abstract Tensor ForwardCore(Tensor input, Tensor target);

    /// <inheritdoc />
    protected sealed override Tensor ForwardCore(Tensor input) =>
        throw new InvalidOperationException($"{GetType().Name} needs a target: call Forward(input, target).");

    /// <summary>An owned copy of an optional per-class or per-element tensor, registered as a buffer under
    /// <paramref name="name"/> (PyTorch registers loss weights as buffers too).</summary>
    private protected Tensor? RegisterOptionalBuffer(string name, Tensor? value) =>
        value is null ? null : RegisterBuffer(name, value.OwnedCopy());

    private protected string ReductionText => Reduction switch
    {
        Reduction.Sum => "sum",
        Reduction.None => "none",
        _ => "mean",
    };
}
