namespace ConvSharp.Backends;

/// <summary>The pools of <see cref="IKernels.Pool"/>.</summary>
internal enum PoolKind
{
    /// <summary>Max over each window (−∞ padding, dilation, ceil mode).</summary>
    Max = 0,
    /// <summary>Window sum / divisor (PyTorch's count_include_pad rule, or the divisor override).</summary>
    Avg,
    /// <summary>(Σ x^p)^(1/p) over each window (no padding).</summary>
    Lp,
    /// <summary>Max over each adaptive window: row i covers [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉).</summary>
    AdaptiveMax,
    /// <summary>Mean over each adaptive window.</summary>
    AdaptiveAvg,
    /// <summary>Max over KH×KW windows at the pseudo-random positions the samples select.</summary>
    FractionalMax,
    /// <summary>Nearest or bilinear upsampling (PyTorch's source indices; <see cref="PoolParams.Upsample"/>); its backward is the adjoint.</summary>
    Upsample,
}

/// <summary>One pooling call: its kind, the window geometry (for the adaptive kinds only N, C, H, W, OH, OW matter;
/// for the fractional one also KH, KW) and the kind's settings.</summary>
internal readonly record struct PoolParams(PoolKind Kind, PoolGeometry Geometry)
{
    /// <summary><see cref="PoolKind.Avg"/>: whether padding counts in the divisor.</summary>
    public bool CountIncludePad { get; init; }

    /// <summary><see cref="PoolKind.Avg"/>: the divisor override, 0 for none.</summary>
    public int DivisorOverride { get; init; }

    /// <summary><see cref="PoolKind.Lp"/>: p.</summary>
    public float NormType { get; init; }

    /// <summary><see cref="PoolKind.Upsample"/>: the sampling geometry.</summary>
    public UpsampleGeometry Upsample { get; init; }

    /// <summary>Whether the kind records argmax offsets (its backward reads them).</summary>
    public bool IsMax => Kind is PoolKind.Max or PoolKind.AdaptiveMax or PoolKind.FractionalMax;

    /// <summary>The adaptive pool's windows.</summary>
    public AdaptivePoolGeometry Adaptive => new(Geometry.N, Geometry.C, Geometry.H, Geometry.W, Geometry.OH, Geometry.OW);

    /// <summary>The fractional pool's windows.</summary>
    public FractionalPoolGeometry Fractional => new(Geometry.N, Geometry.C, Geometry.H, Geometry.W, Geometry.KH, Geometry.KW, Geometry.OH, Geometry.OW);

    /// <summary>An adaptive pool's call.</summary>
    public static PoolParams Of(PoolKind kind, in AdaptivePoolGeometry g) => new(kind, PoolGeometry.Raw(g.N, g.C, g.H, g.W, 1, 1, g.OH, g.OW));

    /// <summary>An upsampling's call: its planes as the pool's N = 1 × C planes.</summary>
    public static PoolParams Of(in UpsampleGeometry g) =>
        new(PoolKind.Upsample, PoolGeometry.Raw(1, checked((int)g.Planes), g.H, g.W, 1, 1, g.OH, g.OW)) { Upsample = g };

    /// <summary>A fractional max pool's call.</summary>
    public static PoolParams Of(in FractionalPoolGeometry g) =>
        new(PoolKind.FractionalMax, PoolGeometry.Raw(g.N, g.C, g.H, g.W, g.KH, g.KW, g.OH, g.OW));
}
