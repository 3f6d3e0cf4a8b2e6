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

    /// <summary>Whether child <paramref name="i"/> is a Conv2d directly followed by a ReLU that may run as one fused op:
    /// neither has a forward hook (which would see the convolution's own output) and no ONNX export is tracing.</summary>
    private bool FusesWithNextRelu(int i) =>
        i + 1 < _modules.Count && _modules[i] is Conv2d { CanFuseRelu: true } conv && _modules[i + 1] is ReLU relu &&
        !conv.HasForwardHooksBelow() && !relu.HasForwardHooksBelow() && Onnx.OnnxTrace.Current is null;

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        // The tensors passed between children are this forward's own: no caller ever sees them. Without a graph
        // each is freed as soon as the next child has read it; with one, Backward frees it once it is done, so a
        // loop that disposes nothing (no using, no Tensor.Scope) still returns its activations to the pool at
        // once instead of at the next GC. A child with forward hooks anywhere below it may have handed its output
        // to user code, so that output is left alone.
        Tensor x = input;
        bool freeable = false;
        for (int i = 0; i < _modules.Count; i++)
        {
            Module m = _modules[i];
            Tensor previous = x;
            if (FusesWithNextRelu(i))
            {
                // Conv2d then ReLU: one op, the ReLU in the convolution's epilogue (no hook can see the pre-ReLU output).
                x = ((Conv2d)m).ForwardWithRelu(x);
                i++;
            }
            else x = m.Forward(x);
            if (freeable && !ReferenceEquals(previous, x) && !ReferenceEquals(previous, input))
            {
                if (previous.GradFn is null && !previous.RequiresGrad) previous.Dispose();
                else previous.FreeAfterBackward = true;
            }
            freeable = !m.HasForwardHooksBelow();
        }
        return x;
    }
}
