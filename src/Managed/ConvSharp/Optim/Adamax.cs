using ConvSharp.Backends;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>Adamax, Adam with the infinity norm (PyTorch's <c>torch.optim.Adamax</c>): g = ∇ + wd·p;
/// m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps); p ← p − lr/(1 − β1ᵗ) · m / u.</summary>
public sealed class Adamax : Optimizer
{
    /// <summary>Adamax over one group of parameters.</summary>
    public Adamax(IEnumerable<Parameter> parameters, float lr = 2e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 0f, bool maximize = false)
        : this(Single(parameters), lr, betas, eps, weightDecay, maximize)
    {
    }

    /// <summary>Adamax over parameter groups.</summary>
    public Adamax(IEnumerable<ParameterGroup> groups, float lr = 2e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 0f, bool maximize = false)
        : base(groups, lr, weightDecay)
    {
        (Beta1, Beta2) = OptimizerChecks.Betas(betas);
        OptimizerChecks.NonNegative(eps, nameof(eps));
        Eps = eps;
        Maximize = maximize;
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>eps.</summary>
    public float Eps { get; }

    /// <summary>Whether the objective is maximised.</summary>
    public bool Maximize { get; }

    private protected override void Update(Parameter parameter, Tensor grad, ParameterGroup group, ParameterState state) =>
        Enqueue(parameter, OptimKind.Adamax, parameter.Data, grad.Data, state.Buffer("exp_avg", parameter).Data, state.Buffer("exp_inf", parameter).Data, null,
            Hyper(group, Maximize) with { Beta1 = Beta1, Beta2 = Beta2, Eps = Eps, BiasCorrection1 = 1f - MathF.Pow(Beta1, state.Step) });
}
