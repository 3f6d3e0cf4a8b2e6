namespace ConvSharp.NN;

/// <summary>The base of every layer and network (PyTorch's <c>nn.Module</c>). A module registers its
/// parameters, buffers and child modules by name in its constructor; <see cref="NamedParameters"/> then
/// yields PyTorch's <c>state_dict</c> keys ("0.weight", "features.3.bias"). <see cref="Forward"/> runs
/// <see cref="ForwardCore"/>, then the forward hooks, however the module is reached.</summary>
public abstract partial class Module : IDisposable
{
    private readonly List<(string Name, Parameter? Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];
    private readonly List<Action<Module, Tensor, Tensor>> _forwardHooks = [];

    /// <summary>The constructor call that rebuilds this network, such as "ResNet18(numClasses=10, inChannels=3)"
    /// (set by <see cref="Models"/>; null for a network built by hand). <see cref="Save(string)"/> writes it into the
    /// file's metadata as "convsharp.architecture", and <see cref="Models.Create(string, Generator?)"/> reads it back.</summary>
    public string? Architecture { get; set; }

    /// <summary>Whether the module is in training mode (the default) rather than evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Runs the module on <paramref name="input"/>, then every registered forward hook.</summary>
    public Tensor Forward(Tensor input)
    {
        Guard.NotNull(input);
        using var traced = Onnx.OnnxTrace.Current?.Enter(this);  // null unless an ONNX export runs
        return RunForwardHooks(input, ForwardCore(input));
    }

    /// <summary>Calls every forward hook with (this, input, output) and returns <paramref name="output"/>;
    /// for modules whose forward takes more than one tensor (losses).</summary>
    protected Tensor RunForwardHooks(Tensor input, Tensor output)
    {
        foreach (var hook in _forwardHooks.ToArray()) hook(this, input, output);
        return output;
    }

    /// <summary>Whether this module or any module below it has a forward hook (which may keep an output).</summary>
    internal bool HasForwardHooksBelow()
    {
        if (_forwardHooks.Count > 0) return true;
        foreach (var (_, child) in _children) if (child.HasForwardHooksBelow()) return true;
        return false;
    }

    /// <summary>The module's computation (PyTorch's <c>forward</c>). Subclasses override this; callers call <see cref="Forward"/>.</summary>
    protected abstract Tensor ForwardCore(Tensor input);

    /// <summary>Calls <paramref name="hook"/>(module, input, output) after every forward of this module.
    /// Dispose the returned handle to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        Guard.NotNull(hook);
        _forwardHooks.Add(hook);
        return new HookHandle(() => _forwardHooks.Remove(hook));
    }

    /// <summary>Registers a parameter under <paramref name="name"/> (null registers an absent optional one, like a disabled bias).</summary>
    protected Parameter? RegisterParameter(string name, Parameter? parameter)
    {
        CheckName(name);
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers state that is saved with the module but not trained (running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        Guard.NotNull(buffer);
        _buffers.Add((name, buffer.DetachFromScope()));  // the module owns it now, whatever scope made it
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        Guard.NotNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Puts <paramref name="module"/> in place of the child registered as <paramref name="name"/>
    /// (SyncBatchNorm.ConvertSyncBatchNorm uses it).</summary>
    internal void ReplaceChild(string name, Module module)
    {
        int i = _children.FindIndex(c => c.Name == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name} has no child named '{name}'.", nameof(name));
        _children[i] = (name, module);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name: it must be non-empty and contain no '.'.", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }

    /// <summary>Every parameter of this module and its descendants, with state_dict names, in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (name, p) in _parameters) if (p is not null) yield return (name, p);
        foreach (var (childName, child) in _children)
            foreach (var (name, p) in child.NamedParameters()) yield return (childName + "." + name, p);
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer (running statistics) of this module and its descendants, with state_dict names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var b in _buffers) yield return b;
        foreach (var (childName, child) in _children)
            foreach (var (name, b) in child.NamedBuffers()) yield return (childName + "." + name, b);
    }

    /// <summary>Every buffer of this module and its descendants.</summary>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Buffer);

    /// <summary>The direct children, with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.ToArray();

    /// <summary>The direct children.</summary>
    public IEnumerable<Module> Children() => _children.Select(c => c.Value);

    /// <summary>This module and every descendant, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (childName, child) in _children)
            foreach (var (name, m) in child.NamedModules()) yield return (name.Length == 0 ? childName : childName + "." + name, m);
    }

    /// <summary>The number of trainable values (elements of every parameter).</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    /// <summary>Sets training mode (true) or evaluation mode (false) on this module and its descendants.</summary>
    public Module Train(bool mode = true)
    {
        IsTraining = mode;
        foreach (var (_, child) in _children) child.Train(mode);
        return this;
    }

    /// <summary>Evaluation mode: batch norm uses running statistics, dropout is the identity.</summary>
    public Module Eval() => Train(false);

    /// <summary>Moves every parameter (with its gradient) and buffer to <paramref name="device"/> in place, so optimizers
    /// built on this module keep working; returns this module.</summary>
    public Module To(Device device)
    {
        Guard.NotNull(device);
        foreach (Parameter p in Parameters()) p.MoveStorageTo(device);
        foreach (Tensor b in Buffers()) b.MoveStorageTo(device);
        return this;
    }

    /// <summary>Zeroes the gradient of every parameter (keeps the buffers, so a training step allocates nothing).</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters()) if (p.Grad is { } g) g.Kernels.Fill(g.Data, 0f);
    }

    /// <summary>Disposes every parameter, gradient and buffer of this module and its descendants.</summary>
    public void Dispose()
    {
        foreach (Parameter p in Parameters()) { p.Grad?.Dispose(); p.Dispose(); }
        foreach (Tensor b in Buffers()) b.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Like PyTorch's repr: the class name and its settings (<see cref="ExtraRepr"/>), then each child on
    /// its own line, indented, with its name: <c>Net(\n  (conv1): Conv2d(1, 16, kernel_size=(3, 3), ...)\n)</c>.
    /// Custom modules print this way with no code of their own.</summary>
    public override string ToString()
    {
        string extra = ExtraRepr();
        if (_children.Count == 0) return $"{GetType().Name}({extra})";
        var text = new System.Text.StringBuilder(GetType().Name).Append('(');
        if (extra.Length > 0) text.Append("\n  ").Append(extra);
        foreach (var (name, child) in _children)
            text.Append("\n  (").Append(name).Append("): ").Append(child.ToString().Replace("\n", "\n  "));
        return text.Append("\n)").ToString();
    }

    /// <summary>The settings shown between the parentheses of <see cref="ToString"/> (PyTorch's <c>extra_repr</c>); empty by default.</summary>
    protected virtual string ExtraRepr() => "";

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
