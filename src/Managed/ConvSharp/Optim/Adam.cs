using ConvSharp.Backends;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>Adam (PyTorch's <c>torch.optim.Adam</c>): g = ∇ + wd·p; m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
/// with amsgrad v̂ = max(v̂, v) replaces v; p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps).</summary>
public class Adam : Optimizer
{
    /// <summary>Adam over one group of parameters.</summary>
    public Adam(IEnumerable<Parameter> parameters, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false, bool maximize = false)
        : this(Single(parameters), lr, betas, eps, weightDecay, amsgrad, maximize)
    {
    }

    /// <summary>Adam over parameter groups.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false, bool maximize = false)
        : this(groups, lr, betas, eps, weightDecay, amsgrad, maximize, decoupled: false)
    {
    }

    private protected Adam(IEnumerable<ParameterGroup> groups, float lr, (float Beta1, float Beta2)? betas, float eps,
        float weightDecay, bool amsgrad, bool maximize, bool decoupled)
        : base(groups, lr, weightDecay)
    {
        (Beta1, Beta2) = OptimizerChecks.Betas(betas);
        OptimizerChecks.NonNegative(eps, nameof(eps));
        Eps = eps;
        Amsgrad = amsgrad;
        Maximize = maximize;
        Decoupled = decoupled;
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>eps.</summary>
    public float Eps { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <summary>Whether the objective is maximised.</summary>
    public bool Maximize { get; }

    private protected bool Decoupled { get; }

    private protected override void Update(Parameter parameter, Tensor grad, ParameterGroup group, ParameterState state)
    {
        var m = state.Buffer("exp_avg", parameter);
        var v = state.Buffer("exp_avg_sq", parameter);
        var vmax = Amsgrad ? state.Buffer("max_exp_avg_sq", parameter).Data : (Backends.BufferSlice?)null;
        Enqueue(parameter, OptimKind.Adam, parameter.Data, grad.Data, m.Data, v.Data, vmax, Hyper(group, Maximize) with
        {
            Beta1 = Beta1, Beta2 = Beta2, Eps = Eps, Decoupled = Decoupled,
            BiasCorrection1 = 1f - MathF.Pow(Beta1, state.Step), BiasCorrection2 = 1f - MathF.Pow(Beta2, state.Step),
        });
    }
}

/// <summary>AdamW (PyTorch's <c>torch.optim.AdamW</c>): Adam with decoupled weight decay p ← p·(1 − lr·wd)
/// before the Adam update, default weight decay 0.01.</summary>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over one group of parameters.</summary>
    public AdamW(IEnumerable<Parameter> parameters, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false, bool maximize = false)
        : base(Single(parameters), lr, betas, eps, weightDecay, amsgrad, maximize, decoupled: true)
    {
    }

    /// <summary>AdamW over parameter groups.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, float lr = 1e-3f, (float Beta1, float Beta2)? betas = null, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false, bool maximize = false)
        : base(groups, lr, betas, eps, weightDecay, amsgrad, maximize, decoupled: true)
    {
    }
}
