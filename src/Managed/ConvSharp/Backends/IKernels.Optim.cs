namespace ConvSharp.Backends;

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

internal partial interface IKernels
{
    /// <summary>One SGD update of <paramref name="param"/> (momentum buffer used when Momentum ≠ 0).</summary>
    void SgdStep(BufferSlice param, BufferSlice grad, BufferSlice? momentumBuffer, in OptimStep s);

    /// <summary>One Adam/AdamW update (Decoupled = AdamW); <paramref name="maxExpAvgSq"/> for amsgrad.</summary>
    void AdamStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, BufferSlice? maxExpAvgSq, in OptimStep s);

    /// <summary>One Adamax update.</summary>
    void AdamaxStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expInf, in OptimStep s);

    /// <summary>One RMSprop update (<paramref name="gradAvg"/> when centered, <paramref name="momentumBuffer"/> when Momentum ≠ 0).</summary>
    void RmsPropStep(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice? gradAvg, BufferSlice? momentumBuffer, in OptimStep s);

    /// <summary>Σ x² (in double), or max |x| when <paramref name="infinity"/> is set.</summary>
    double Norm(BufferSlice x, bool infinity);
}
