namespace ConvSharp.NN;

/// <summary>Modules applied one after another; children are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _modules = [];

    /// <summary>A chain of <paramref name="modules"/>.</summary>
    public Sequential(params Module[] modules)
    {
        Guard.NotNull(modules);
        for (int i = 0; i < modules.Length; i++)
            Append(modules[i] ?? throw new ArgumentNullException(nameof(modules), $"Sequential: module {i} is null."));
    }

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>Adds a module at the end.</summary>
    public Sequential Append(Module module)
    {
        RegisterModule(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Add(module);
        return this;
    }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        Tensor x = input;
        foreach (Module m in _modules) x = m.Forward(x);
        return x;
    }
}
