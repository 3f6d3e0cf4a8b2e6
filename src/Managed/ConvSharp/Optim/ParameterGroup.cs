using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>Parameters that share a learning rate and weight decay (PyTorch's <c>param_groups</c> entry).</summary>
public sealed class ParameterGroup
{
    /// <summary>A group; a null <paramref name="lr"/> or <paramref name="weightDecay"/> takes the optimizer's default.</summary>
    public ParameterGroup(IEnumerable<Parameter> parameters, float? lr = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Any(p => p is null)) throw new ArgumentException("A parameter group contains null.", nameof(parameters));
        if (lr is float l) OptimizerChecks.Lr(l);
        if (weightDecay is float w) OptimizerChecks.NonNegative(w, nameof(weightDecay));
        RequestedLr = lr;
        RequestedWeightDecay = weightDecay;
    }

    /// <summary>The group's parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The current learning rate (schedulers change it).</summary>
    public float Lr
    {
        get => _lr;
        set
        {
            OptimizerChecks.Lr(value);
            _lr = value;
        }
    }

    private float _lr;

    /// <summary>The learning rate the group started with (schedulers compute from it).</summary>
    public float InitialLr { get; internal set; }

    /// <summary>Weight decay (L2 penalty, or decoupled decay for AdamW).</summary>
    public float WeightDecay { get; internal set; }

    internal float? RequestedLr { get; }

    internal float? RequestedWeightDecay { get; }
}

internal static class OptimizerChecks
{
    public static void Lr(float lr)
    {
        if (!(lr >= 0) || float.IsInfinity(lr))
            throw new ArgumentOutOfRangeException(nameof(lr), lr, $"Invalid learning rate: {lr.ToString(System.Globalization.CultureInfo.InvariantCulture)} (lr must be a finite number ≥ 0).");
    }

    public static void NonNegative(float value, string name)
    {
        if (!(value >= 0) || float.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} (it must be a finite number ≥ 0).");
    }

    /// <summary>PyTorch's default betas (0.9, 0.999) when none are given; each must lie in [0, 1).</summary>
    public static (float Beta1, float Beta2) Betas((float Beta1, float Beta2)? betas)
    {
        var (b1, b2) = betas ?? (0.9f, 0.999f);
        Beta(b1, "beta1");
        Beta(b2, "beta2");
        return (b1, b2);
    }

    public static void Beta(float value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} (it must be in [0, 1)).");
    }
}
