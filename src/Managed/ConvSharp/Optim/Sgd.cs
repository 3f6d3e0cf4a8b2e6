using ConvSharp.Backends;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
/// decay (PyTorch's <c>torch.optim.SGD</c>). Per parameter: g = ∇ + wd·p; b = g (first step) or μ·b + (1 − τ)·g;
/// g = g + μ·b (Nesterov) or b; p ← p − lr·g.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD over one group of parameters.</summary>
    public Sgd(IEnumerable<Parameter> parameters, float lr = 1e-3f, float momentum = 0f, float dampening = 0f, bool nesterov = false,
        float weightDecay = 0f, bool maximize = false)
        : this(Single(parameters), lr, momentum, dampening, nesterov, weightDecay, maximize)
    {
    }

    /// <summary>SGD over parameter groups (each may set its own lr and weight decay).</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, float lr = 1e-3f, float momentum = 0f, float dampening = 0f, bool nesterov = false,
        float weightDecay = 0f, bool maximize = false)
        : base(groups, lr, weightDecay)
    {
        OptimizerChecks.NonNegative(momentum, nameof(momentum));
        OptimizerChecks.NonNegative(dampening, nameof(dampening));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum needs momentum > 0 and dampening = 0, but momentum = {momentum} and dampening = {dampening}.", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        Maximize = maximize;
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>τ.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Whether the objective is maximised.</summary>
    public bool Maximize { get; }

    private protected override void Update(Parameter parameter, Tensor grad, ParameterGroup group, ParameterState state)
    {
        var buffer = Momentum != 0 ? state.Buffer("momentum_buffer", parameter).Data : (Backends.BufferSlice?)null;
        Enqueue(parameter, OptimKind.Sgd, parameter.Data, grad.Data, buffer, null, null,
            Hyper(group, Maximize) with { Momentum = Momentum, Dampening = Dampening, Nesterov = Nesterov, FirstStep = state.Step == 1 });
    }
}
