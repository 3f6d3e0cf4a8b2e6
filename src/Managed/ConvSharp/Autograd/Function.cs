namespace ConvSharp;

/// <summary>A differentiable op written by the user (PyTorch's <c>torch.autograd.Function</c>): override
/// <see cref="Forward"/> and <see cref="Backward"/>, then call <see cref="Apply"/>. Forward runs without
/// recording (its inner ops leave no graph); Apply records one node, named after the class with
/// "Backward" appended (<c>MyConv</c> → <c>"MyConvBackward"</c>), whose backward calls yours.
/// <code>
/// sealed class Square : Function
/// {
///     protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
///     { ctx.SaveForBackward(inputs[0]); return inputs[0] * inputs[0]; }
///     protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
///     { return [gradOutput * ctx.SavedTensors[0] * 2f]; }
/// }
/// var y = new Square().Apply(x);
/// </code></summary>
public abstract class Function
{
    /// <summary>Computes the output from <paramref name="inputs"/>; save what Backward needs with
    /// <see cref="FunctionContext.SaveForBackward"/>. Return a new tensor (an input returned as is is copied).</summary>
    protected abstract Tensor Forward(FunctionContext ctx, params Tensor[] inputs);

    /// <summary>Returns the gradient of each input (same shapes as the inputs), given the output's gradient;
    /// null for an input that needs none (<see cref="FunctionContext.NeedsInputGrad"/>). Exactly one entry per input.</summary>
    protected abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);

    /// <summary>Runs <see cref="Forward"/> on <paramref name="inputs"/> and records one node on the graph when
    /// grad mode is on and any input requires grad.</summary>
    public Tensor Apply(params Tensor[] inputs)
    {
        Guard.NotNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{FunctionName}.Apply: input {i} is null.");
        var ctx = new FunctionContext(FunctionName, inputs, Autograd.IsGradEnabled);
        Tensor output;
        using (Autograd.NoGrad()) output = Forward(ctx, inputs);
        if (output is null) throw new InvalidOperationException($"{FunctionName}.Forward returned null.");
        // The node must belong to a tensor of its own: an input returned as is keeps its own history.
        if (inputs.Any(x => ReferenceEquals(x, output)) || ctx.IsSaved(output)) output = output.Alias(output.Shape);
        if (ctx.IsNonDifferentiable(output))
        {
            ctx.Release();
            return output;
        }
        Tensor[] recorded = inputs.ToArray();
        int[][] shapes = recorded.Select(x => x.Shape).ToArray();
        return Tensor.RecordNamed(output, FunctionName, FunctionName + "Backward", recorded, (g, sink) =>
        {
            Tensor?[] grads = Backward(ctx, g) ?? throw new InvalidOperationException($"{FunctionName}.Backward returned null instead of {recorded.Length} gradients.");
            try
            {
                if (grads.Length != recorded.Length)
                    throw new InvalidOperationException(
                        $"{FunctionName}.Backward returned {grads.Length} gradients, but Apply got {recorded.Length} inputs; return one per input (null for none).");
                for (int i = 0; i < grads.Length; i++)
                {
                    if (grads[i] is not { } grad) continue;
                    if (!grad.ShapeSpan.SequenceEqual(shapes[i]))
                        throw new InvalidOperationException(
                            $"{FunctionName}.Backward returned a gradient of shape {Guard.Format(grad.ShapeSpan)} for input {i}, which has shape {Guard.Format(shapes[i])}.");
                    if (grad.Device != recorded[i].Device)
                        throw new InvalidOperationException(
                            $"{FunctionName}.Backward returned a gradient on {grad.Device} for input {i}, which is on {recorded[i].Device}.");
                    sink[i]?.AddFrom(grad);
                }
            }
            finally
            {
                // Gradients Backward made are scratch; the output gradient, inputs and saved tensors belong to others.
                foreach (Tensor? grad in grads.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor?>())
                    if (grad is not null && !ReferenceEquals(grad, g) && !recorded.Any(x => ReferenceEquals(x, grad)) && !ctx.IsSaved(grad))
                        grad.Dispose();
            }
        }, ctx.Owned);
    }

    /// <summary>The class name, the prefix of the node's name.</summary>
    private string FunctionName => GetType().Name;
}

/// <summary>What a <see cref="Function"/>'s Forward hands its Backward (PyTorch's <c>ctx</c>).</summary>
public sealed class FunctionContext
{
    private readonly string _function;
    private readonly Tensor[] _inputs;
    private Tensor[] _saved = [];
    private List<Tensor>? _nonDifferentiable;

    private readonly bool _recording;

    internal FunctionContext(string function, Tensor[] inputs, bool recording)
    {
        _function = function;
        _inputs = inputs;
        _recording = recording;
    }

    /// <summary>Keeps tensors for Backward (PyTorch's <c>ctx.save_for_backward</c>). The context holds its own
    /// reference to each one's storage, released with the graph, so the caller may dispose the originals (or
    /// leave them to a <see cref="Tensor.Scope"/>) before Backward runs.</summary>
    public void SaveForBackward(params Tensor[] tensors)
    {
        Guard.NotNull(tensors);
        Release();
        _saved = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            Tensor t = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"{_function}: saved tensor {i} is null.");
            _saved[i] = t.Alias(t.Shape, owned: true);
        }
    }

    /// <summary>The tensors given to <see cref="SaveForBackward"/>, in order (no autograd history). Valid until the graph is freed.</summary>
    public IReadOnlyList<Tensor> SavedTensors => _saved;

    /// <summary>Whether input <paramref name="index"/> requires a gradient (PyTorch's <c>ctx.needs_input_grad[i]</c>).</summary>
    public bool NeedsInputGrad(int index)
    {
        if (index < 0 || index >= _inputs.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{_function} has {_inputs.Length} inputs; NeedsInputGrad({index}) is out of range.");
        return _recording && _inputs[index].RequiresGrad;
    }

    /// <summary>Marks outputs that carry no gradient (PyTorch's <c>ctx.mark_non_differentiable</c>): Apply then
    /// records nothing for them (an index, a mask).</summary>
    public void MarkNonDifferentiable(params Tensor[] outputs)
    {
        Guard.NotNull(outputs);
        (_nonDifferentiable ??= []).AddRange(outputs);
    }

    internal bool IsNonDifferentiable(Tensor output) => _nonDifferentiable?.Any(t => ReferenceEquals(t, output)) == true;

    internal bool IsSaved(Tensor t) => _saved.Any(s => ReferenceEquals(s, t));

    internal IDisposable[] Owned => _saved;

    internal void Release()
    {
        foreach (Tensor t in _saved) t.Dispose();
        _saved = [];
    }
}
