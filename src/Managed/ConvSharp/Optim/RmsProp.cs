using ConvSharp.Backends;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>RMSprop (PyTorch's <c>torch.optim.RMSprop</c>): g = ∇ + wd·p; v = α·v + (1 − α)·g²; centered:
/// ḡ = α·ḡ + (1 − α)·g and d = √(v − ḡ²) + eps, else d = √v + eps; with momentum b = μ·b + g/d, p ← p − lr·b,
/// else p ← p − lr·g/d.</summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSprop over one group of parameters.</summary>
    public RmsProp(IEnumerable<Parameter> parameters, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false, bool maximize = false)
        : this(Single(parameters), lr, alpha, eps, weightDecay, momentum, centered, maximize)
    {
    }

    /// <summary>RMSprop over parameter groups.</summary>
    public RmsProp(IEnumerable<ParameterGroup> groups, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false, bool maximize = false)
        : base(groups, lr, weightDecay)
    {
        OptimizerChecks.Beta(alpha, nameof(alpha));
        OptimizerChecks.NonNegative(eps, nameof(eps));
        OptimizerChecks.NonNegative(momentum, nameof(momentum));
        Alpha = alpha;
        Eps = eps;
        Momentum = momentum;
        Centered = centered;
        Maximize = maximize;
    }

    /// <summary>α, the smoothing constant.</summary>
    public float Alpha { get; }

    /// <summary>eps.</summary>
    public float Eps { get; }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the variance is centred by the running mean gradient.</summary>
    public bool Centered { get; }

    /// <summary>Whether the objective is maximised.</summary>
    public bool Maximize { get; }

    private protected override void Update(Parameter parameter, Tensor grad, ParameterGroup group, ParameterState state)
    {
        var gradAvg = Centered ? state.Buffer("grad_avg", parameter).Data : (Backends.BufferSlice?)null;
        var buffer = Momentum != 0 ? state.Buffer("momentum_buffer", parameter).Data : (Backends.BufferSlice?)null;
        Enqueue(parameter, OptimKind.RmsProp, parameter.Data, grad.Data, state.Buffer("square_avg", parameter).Data, gradAvg, buffer,
            Hyper(group, Maximize) with { Alpha = Alpha, Eps = Eps, Momentum = Momentum });
    }
}
