namespace ConvSharp.Backends;

/// <summary>The fused optimizer updates of <see cref="IKernels.OptimStep"/>, and the state slices each reads and writes.</summary>
internal enum OptimKind
{
    /// <summary>SGD; state0 = the momentum buffer (when Momentum ≠ 0).</summary>
    Sgd = 0,
    /// <summary>Adam / AdamW (Decoupled); state0 = exp_avg, state1 = exp_avg_sq, state2 = max_exp_avg_sq (amsgrad).</summary>
    Adam,
    /// <summary>Adamax; state0 = exp_avg, state1 = exp_inf.</summary>
    Adamax,
    /// <summary>RMSprop; state0 = square_avg, state1 = grad_avg (centered), state2 = the momentum buffer (Momentum ≠ 0).</summary>
    RmsProp,
}

/// <summary>Hyper-parameters of one fused optimizer update (the optimizer fills the ones it uses).</summary>
internal readonly record struct OptimStep(float Lr, float WeightDecay, bool Maximize)
{
    public float Momentum { get; init; }
    public float Dampening { get; init; }
    public bool Nesterov { get; init; }
    public bool FirstStep { get; init; }
    public float Beta1 { get; init; }
    public float Beta2 { get; init; }
    public float Eps { get; init; }
    public float BiasCorrection1 { get; init; } = 1f;
    public float BiasCorrection2 { get; init; } = 1f;
    public bool Decoupled { get; init; }
    public float Alpha { get; init; }
}

/// <summary>One parameter of a multi-tensor <see cref="IKernels.OptimStep"/>: the parameter, its gradient and its state
/// slices (each the parameter's length, or null where the kind does not use it) as <see cref="OptimKind"/> lists them.</summary>
internal readonly record struct OptimTensors(BufferSlice Param, BufferSlice Grad, BufferSlice? State0, BufferSlice? State1, BufferSlice? State2);

internal partial interface IKernels
{
    /// <summary>One fused update of every parameter in <paramref name="tensors"/> with the same hyper-parameters
    /// <paramref name="step"/>: the same result as updating them one by one, in one pass over all of them (a device backend
    /// launches once per few parameters, PyTorch's multi-tensor "foreach" step). The one-parameter form is
    /// <see cref="KernelCalls.OptimStep"/>.</summary>
    void OptimStep(OptimKind kind, ReadOnlySpan<OptimTensors> tensors, in OptimStep step);
}
