using System.Globalization;
using System.Runtime.InteropServices;
using ConvSharp.Backends;
using ConvSharp.IO;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>The base of the optimizers (PyTorch's <c>torch.optim.Optimizer</c>): parameter groups, per-parameter
/// state tensors updated by one fused native pass each step, and state save/load by PyTorch's names
/// ("state.0.exp_avg", "state.0.step", "param_groups.0.lr", with parameters numbered in group order).</summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParameterGroup> _groups;
    private readonly Dictionary<Parameter, ParameterState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Sets up the groups, filling unset learning rates and weight decays from the defaults.</summary>
    protected Optimizer(IEnumerable<ParameterGroup> groups, float lr, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        OptimizerChecks.Lr(lr);
        OptimizerChecks.NonNegative(weightDecay, nameof(weightDecay));
        _groups = groups.ToList();
        if (_groups.Count == 0 || _groups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(groups));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
                if (!seen.Add(p)) throw new ArgumentException("A parameter appears in more than one group (or twice in one).", nameof(groups));
            g.Lr = g.RequestedLr ?? lr;
            g.InitialLr = g.Lr;
            g.WeightDecay = g.RequestedWeightDecay ?? weightDecay;
        }
    }

    /// <summary>One group holding <paramref name="parameters"/>.</summary>
    protected static IEnumerable<ParameterGroup> Single(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParameterGroup(parameters)];
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> ParamGroups => _groups;

    /// <summary>Zero-fills every parameter's gradient (keeping the buffers, so a step allocates nothing): one fused fill
    /// per device over all of them, so a device backend launches once per few gradients, not once per gradient.</summary>
    public void ZeroGrad()
    {
        var byKernels = new Dictionary<IKernels, List<BufferSlice>>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
                if (p.Grad is { } grad)
                {
                    if (!byKernels.TryGetValue(grad.Kernels, out var slices)) byKernels[grad.Kernels] = slices = [];
                    slices.Add(grad.Data);
                }
        foreach (var (kernels, slices) in byKernels) kernels.Fill(CollectionsMarshal.AsSpan(slices), 0f);
    }

    /// <summary>Updates every parameter that has a gradient; parameters without one are skipped. Consecutive parameters
    /// with the same hyper-parameters on the same device are updated by one multi-tensor kernel call.</summary>
    public void Step()
    {
        try
        {
            foreach (var g in _groups)
                foreach (var p in g.Parameters)
                {
                    if (p.Grad is not { } grad) continue;
                    if (!_state.TryGetValue(p, out var state)) _state[p] = state = new ParameterState();
                    state.Step++;
                    Update(p, grad, g, state);
                }
            FlushUpdates();
        }
        finally
        {
            // A step that threw leaves no queued update behind for the next one.
            _run.Clear();
            _runKernels = null;
        }
    }

    /// <summary>The fused update of one parameter, handed to <see cref="Enqueue"/>; <paramref name="state"/>.Step is
    /// already the new step number (1 first).</summary>
    private protected abstract void Update(Parameter parameter, Tensor grad, ParameterGroup group, ParameterState state);

    // The run of updates that share a kind, hyper-parameters and device, waiting to go to the backend as one call.
    private readonly List<OptimTensors> _run = [];
    private IKernels? _runKernels;
    private OptimKind _runKind;
    private OptimStep _runStep;

    /// <summary>Queues the update of <paramref name="parameter"/>: it joins the current run when the kind, the
    /// hyper-parameters and the device match, else the run goes to the backend first.</summary>
    private protected void Enqueue(Parameter parameter, OptimKind kind, BufferSlice param, BufferSlice grad, BufferSlice? state0,
        BufferSlice? state1, BufferSlice? state2, in OptimStep step)
    {
        IKernels kernels = parameter.Kernels;
        if (_run.Count > 0 && (!ReferenceEquals(kernels, _runKernels) || kind != _runKind || step != _runStep)) FlushUpdates();
        _runKernels = kernels;
        _runKind = kind;
        _runStep = step;
        _run.Add(new OptimTensors(param, grad, state0, state1, state2));
    }

    private void FlushUpdates()
    {
        if (_run.Count == 0) return;
        try
        {
            _runKernels!.OptimStep(_runKind, CollectionsMarshal.AsSpan(_run), _runStep);
        }
        finally
        {
            _run.Clear();
            _runKernels = null;
        }
    }

    /// <summary>The state as named tensors, by PyTorch's <c>state_dict</c> scheme. The step and learning-rate
    /// entries are new one-element tensors the caller disposes; the buffers are the optimizer's own.</summary>
    public IEnumerable<(string Name, Tensor Value)> StateTensors()
    {
        int index = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            yield return ($"param_groups.{gi}.lr", Scalar(_groups[gi].Lr));
            yield return ($"param_groups.{gi}.initial_lr", Scalar(_groups[gi].InitialLr));
            foreach (var p in _groups[gi].Parameters)
            {
                if (_state.TryGetValue(p, out var s))
                {
                    yield return ($"state.{index}.step", Scalar(s.Step));
                    foreach (var (name, t) in s.Buffers) yield return ($"state.{index}.{name}", t);
                }
                index++;
            }
        }
    }

    /// <summary>Restores state written by <see cref="StateTensors"/> (values are copied).</summary>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        int index = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            if (tensors.TryGetValue($"param_groups.{gi}.lr", out var lr)) _groups[gi].Lr = lr.Item();
            if (tensors.TryGetValue($"param_groups.{gi}.initial_lr", out var initial)) _groups[gi].InitialLr = initial.Item();
            foreach (var p in _groups[gi].Parameters)
            {
                string prefix = string.Create(CultureInfo.InvariantCulture, $"state.{index}.");
                if (tensors.TryGetValue(prefix + "step", out var step))
                {
                    if (!_state.TryGetValue(p, out var s)) _state[p] = s = new ParameterState();
                    s.Step = (int)step.Item();
                    foreach (var (name, value) in tensors)
                    {
                        if (!name.StartsWith(prefix, StringComparison.Ordinal) || name == prefix + "step") continue;
                        if (!value.ShapeSpan.SequenceEqual(p.ShapeSpan))
                            throw new ArgumentException($"Optimizer state '{name}' has shape {Guard.Format(value.ShapeSpan)}, but its parameter has {Guard.Format(p.ShapeSpan)}.", nameof(tensors));
                        Tensor buffer = s.Buffer(name[prefix.Length..], p);
                        buffer.Kernels.Copy(value.Data, buffer.Data);
                    }
                }
                index++;
            }
        }
    }

    /// <summary>Writes the state to a safetensors file (atomically).</summary>
    public void Save(string path)
    {
        var named = StateTensors().ToList();
        try
        {
            SafeTensors.Save(path, named);
        }
        finally
        {
            // Steps and learning rates were made for this call; the buffers belong to the optimizer.
            foreach (var (name, value) in named)
                if (name.StartsWith("param_groups.", StringComparison.Ordinal) || name.EndsWith(".step", StringComparison.Ordinal)) value.Dispose();
        }
    }

    /// <summary>Reads state written by <see cref="Save"/>.</summary>
    public void Load(string path)
    {
        using var tensors = SafeTensors.Load(path);
        LoadStateTensors(tensors);
    }

    private static Tensor Scalar(float value)
    {
        var t = Tensor.Allocate(Device.Cpu, [], zero: false, owned: true);
        t.Kernels.Fill(t.Data, value);
        return t;
    }

    /// <summary>Disposes the state tensors.</summary>
    public void Dispose()
    {
        foreach (var s in _state.Values) s.Dispose();
        _state.Clear();
        GC.SuppressFinalize(this);
    }

    private protected static OptimStep Hyper(ParameterGroup g, bool maximize) => new(g.Lr, g.WeightDecay, maximize);
}

/// <summary>The state of one parameter: its step count and named buffers (zero-initialised on first use).</summary>
internal sealed class ParameterState : IDisposable
{
    public int Step { get; set; }

    public Dictionary<string, Tensor> Buffers { get; } = [];

    public Tensor Buffer(string name, Tensor like)
    {
        if (!Buffers.TryGetValue(name, out var t))
            Buffers[name] = t = Tensor.Allocate(like.Device, like.ShapeSpan.ToArray(), zero: true, owned: true);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in Buffers.Values) t.Dispose();
        Buffers.Clear();
    }
}
