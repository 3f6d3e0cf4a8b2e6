namespace ConvSharp.Optim;

/// <summary>The base of the epoch-based learning-rate schedulers: each sets every group's lr to a closed-form
/// function of the group's initial lr and the epoch. Call <see cref="Step"/> once per epoch, after the
/// optimizer's steps; construction applies epoch 0.</summary>
public abstract class LrScheduler
{
    /// <summary>Binds to <paramref name="optimizer"/>; derived constructors call <see cref="Apply"/> once their settings are stored.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
    }

    /// <summary>The optimizer whose learning rates this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The epoch the current learning rates belong to (0 after construction).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate of <paramref name="initialLr"/> at <paramref name="epoch"/>.</summary>
    public abstract float LrAt(float initialLr, int epoch);

    /// <summary>Advances one epoch and sets the new learning rates.</summary>
    public void Step()
    {
        LastEpoch++;
        Apply();
    }

    /// <summary>The current learning rate of every group.</summary>
    public float[] GetLastLr() => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>Sets every group's lr for <see cref="LastEpoch"/>.</summary>
    protected void Apply()
    {
        foreach (var g in Optimizer.ParamGroups) g.Lr = LrAt(g.InitialLr, LastEpoch);
    }

    /// <summary>Continues from a saved epoch (resuming a run).</summary>
    public void SetEpoch(int epoch)
    {
        Guard.NonNegative(epoch);
        LastEpoch = epoch;
        Apply();
    }
}

/// <summary>lr = initial·γ^⌊epoch/stepSize⌋ (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepLR : LrScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        Guard.Positive(stepSize);
        OptimizerChecks.NonNegative(gamma, nameof(gamma));
        (StepSize, Gamma) = (stepSize, gamma);
        Apply();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch) => initialLr * MathF.Pow(Gamma, epoch / StepSize);
}

/// <summary>lr = initial·γ^(number of milestones ≤ epoch) (PyTorch's <c>MultiStepLR</c>).</summary>
public sealed class MultiStepLR : LrScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> at each of <paramref name="milestones"/>.</summary>
    public MultiStepLR(Optimizer optimizer, int[] milestones, float gamma = 0.1f) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        OptimizerChecks.NonNegative(gamma, nameof(gamma));
        Milestones = milestones.Order().ToArray();
        Gamma = gamma;
        Apply();
    }

    /// <summary>Sorted milestone epochs.</summary>
    public IReadOnlyList<int> Milestones { get; }

    /// <summary>γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch) => initialLr * MathF.Pow(Gamma, Milestones.Count(m => m <= epoch));
}

/// <summary>lr = initial·γ^epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR : LrScheduler
{
    /// <summary>Decays by <paramref name="gamma"/> every epoch.</summary>
    public ExponentialLR(Optimizer optimizer, float gamma) : base(optimizer)
    {
        OptimizerChecks.NonNegative(gamma, nameof(gamma));
        Gamma = gamma;
        Apply();
    }

    /// <summary>γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch) => initialLr * MathF.Pow(Gamma, epoch);
}

/// <summary>lr = η_min + (initial − η_min)·(1 + cos(π·epoch/T_max))/2 (the closed form of PyTorch's <c>CosineAnnealingLR</c>).</summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    /// <summary>Anneals to <paramref name="etaMin"/> over <paramref name="tMax"/> epochs.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        Guard.Positive(tMax);
        OptimizerChecks.NonNegative(etaMin, nameof(etaMin));
        (TMax, EtaMin) = (tMax, etaMin);
        Apply();
    }

    /// <summary>T_max.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public float EtaMin { get; }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch) =>
        (float)(EtaMin + (initialLr - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2);
}

/// <summary>Linear warm-up: lr = initial·(start + (end − start)·min(epoch, totalIters)/totalIters) (PyTorch's <c>LinearLR</c>).</summary>
public sealed class LinearLR : LrScheduler
{
    /// <summary>Scales from <paramref name="startFactor"/> to <paramref name="endFactor"/> over <paramref name="totalIters"/> epochs.</summary>
    public LinearLR(Optimizer optimizer, float startFactor = 1f / 3, float endFactor = 1f, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, $"Invalid startFactor: {startFactor} (it must be in (0, 1]).");
        if (!(endFactor >= 0 && endFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, $"Invalid endFactor: {endFactor} (it must be in [0, 1]).");
        Guard.Positive(totalIters);
        (StartFactor, EndFactor, TotalIters) = (startFactor, endFactor, totalIters);
        Apply();
    }

    /// <summary>Factor at epoch 0.</summary>
    public float StartFactor { get; }

    /// <summary>Factor from <see cref="TotalIters"/> on.</summary>
    public float EndFactor { get; }

    /// <summary>Epochs of the ramp.</summary>
    public int TotalIters { get; }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch) =>
        initialLr * (StartFactor + (EndFactor - StartFactor) * Math.Min(epoch, TotalIters) / TotalIters);
}

/// <summary>Runs schedulers one after another, switching at the milestone epochs; each starts from its own
/// epoch 0 (PyTorch's <c>SequentialLR</c>, e.g. a <see cref="LinearLR"/> warm-up then cosine annealing).</summary>
public sealed class SequentialLR : LrScheduler
{
    private readonly LrScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Uses <paramref name="schedulers"/>[i] from milestone i − 1 (0 for the first) to milestone i.</summary>
    public SequentialLR(Optimizer optimizer, LrScheduler[] schedulers, int[] milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Length == 0 || milestones.Length != schedulers.Length - 1)
            throw new ArgumentException($"SequentialLR needs one milestone fewer than schedulers, but got {schedulers.Length} schedulers and {milestones.Length} milestones.", nameof(milestones));
        if (schedulers.Any(s => !ReferenceEquals(s.Optimizer, optimizer)))
            throw new ArgumentException("Every scheduler of a SequentialLR must drive the same optimizer.", nameof(schedulers));
        _schedulers = schedulers;
        _milestones = milestones;
        Apply();
    }

    /// <inheritdoc />
    public override float LrAt(float initialLr, int epoch)
    {
        int i = 0;
        while (i < _milestones.Length && epoch >= _milestones[i]) i++;
        return _schedulers[i].LrAt(initialLr, i == 0 ? epoch : epoch - _milestones[i - 1]);
    }
}

/// <summary>Lowers the learning rate when a metric stops improving (PyTorch's <c>ReduceLROnPlateau</c>).</summary>
public sealed class ReduceLROnPlateau
{
    private readonly Optimizer _optimizer;
    private int _cooldownLeft;

    /// <summary>Watches a metric to minimise ("min") or maximise ("max"); after <paramref name="patience"/> epochs without
    /// an improvement beyond <paramref name="threshold"/> (relative "rel" or absolute "abs"), multiplies lr by
    /// <paramref name="factor"/>, not below <paramref name="minLr"/>, then waits <paramref name="cooldown"/> epochs.</summary>
    public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", float factor = 0.1f, int patience = 10, float threshold = 1e-4f,
        string thresholdMode = "rel", int cooldown = 0, float minLr = 0f, float eps = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (mode is not ("min" or "max")) throw new ArgumentException($"Unknown mode '{mode}': use \"min\" or \"max\".", nameof(mode));
        if (thresholdMode is not ("rel" or "abs")) throw new ArgumentException($"Unknown thresholdMode '{thresholdMode}': use \"rel\" or \"abs\".", nameof(thresholdMode));
        if (!(factor >= 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, $"Invalid factor: {factor} (it must be in [0, 1)).");
        Guard.NonNegative(patience);
        Guard.NonNegative(cooldown);
        foreach (var (name, value) in new[] { (nameof(threshold), threshold), (nameof(minLr), minLr), (nameof(eps), eps) })
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} (it must be a finite number ≥ 0).");
        _optimizer = optimizer;
        (Mode, Factor, Patience, Threshold, ThresholdMode, Cooldown, MinLr, Eps) = (mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        Best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>"min" or "max".</summary>
    public string Mode { get; }
    /// <summary>Multiplier applied on a plateau.</summary>
    public float Factor { get; }
    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>Improvement threshold.</summary>
    public float Threshold { get; }
    /// <summary>"rel" or "abs".</summary>
    public string ThresholdMode { get; }
    /// <summary>Epochs to wait after a reduction.</summary>
    public int Cooldown { get; }
    /// <summary>Lowest learning rate.</summary>
    public float MinLr { get; }
    /// <summary>Reductions smaller than this are skipped.</summary>
    public float Eps { get; }
    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }
    /// <summary>Epochs since the last improvement.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Records one epoch's metric and reduces the learning rates if it has plateaued.</summary>
    public void Step(double metric)
    {
        if (IsBetter(metric)) { Best = metric; BadEpochs = 0; }
        else BadEpochs++;
        if (_cooldownLeft > 0) { _cooldownLeft--; BadEpochs = 0; }
        if (BadEpochs <= Patience) return;
        foreach (var g in _optimizer.ParamGroups)
        {
            float lr = Math.Max(g.Lr * Factor, MinLr);
            if (g.Lr - lr > Eps) g.Lr = lr;
        }
        _cooldownLeft = Cooldown;
        BadEpochs = 0;
    }

    /// <summary>The current learning rate of every group.</summary>
    public float[] GetLastLr() => _optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    private bool IsBetter(double a) => (Mode, ThresholdMode) switch
    {
        ("min", "rel") => a < Best * (1 - Threshold),
        ("min", _) => a < Best - Threshold,
        (_, "rel") => a > Best * (1 + Threshold),
        _ => a > Best + Threshold,
    };
}
