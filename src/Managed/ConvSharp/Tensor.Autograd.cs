namespace ConvSharp;

public partial class Tensor
{
    private bool _requiresGrad;

    /// <summary>Whether gradients flow to this tensor. Settable on leaves (tensors no recorded op made);
    /// an op's result requires grad when any of its inputs does.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException(
                    $"RequiresGrad can only be cleared on a leaf tensor; this one was made by {GradFn.OpName}. Use Detach() to get a tensor without history.");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient (same shape), or null before the first backward that reaches this tensor.
    /// Backward adds into it; optimizers' ZeroGrad clears it.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>The recorded op that made this tensor (PyTorch's <c>grad_fn</c>): null for leaves and for results
    /// computed without grad. Its <see cref="Node.Name"/> and <see cref="Node.NextFunctions"/> show the graph.</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>Asks Backward to fill <see cref="Grad"/> of this non-leaf tensor too (PyTorch's <c>retain_grad</c>);
    /// leaves get theirs anyway. The gradient is the caller's to dispose, like a leaf's.</summary>
    public void RetainGrad()
    {
        if (!RequiresGrad)
            throw new InvalidOperationException(
                $"RetainGrad() was called on a tensor of shape {Guard.Format(_shape)} that does not require grad.");
        GradFn?.Retain(this);
    }

    /// <summary>An intermediate no caller holds (a tensor a <see cref="NN.Sequential"/> passed between two children):
    /// the Backward that runs through it disposes it when it is done.</summary>
    internal bool FreeAfterBackward { get; set; }

    /// <summary>True when no recorded op made this tensor (user data, parameters).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Computes the gradient of this tensor with respect to every leaf that requires grad, adding
    /// into their <see cref="Grad"/>. Without <paramref name="gradient"/> the tensor must hold one element.
    /// The graph is freed afterwards unless <paramref name="retainGraph"/> is set.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        BackwardEngine.Run(this, gradient, retainGraph);

    /// <summary>A tensor sharing this one's storage, with no history and RequiresGrad = false.</summary>
    public Tensor Detach() => Alias(_shape.ToArray());

    /// <summary>Attaches a backward node to <paramref name="result"/> when grad mode is on and any input
    /// requires grad; otherwise disposes <paramref name="saved"/> right away. Returns <paramref name="result"/>.</summary>
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, BackwardFn backward, params IDisposable[] saved) =>
        RecordNamed(result, op, null, inputs, backward, saved);

    /// <summary><see cref="Record"/> with the node's public name given (custom functions).</summary>
    internal static Tensor RecordNamed(Tensor result, string op, string? nodeName, Tensor[] inputs, BackwardFn backward, IDisposable[] saved)
    {
        if (Autograd.IsAnomalyDetectionEnabled) Autograd.CheckFinite(result, () => $"the forward of {op}");
        Onnx.OnnxTrace.Current?.Recorded(result, op, inputs);
        if (Autograd.IsGradEnabled && AnyRequiresGrad(inputs))
        {
            result.GradFn = new Node(op, inputs, backward, saved.Length == 0 ? null : saved, nodeName);
            result._requiresGrad = true;
        }
        else
        {
            foreach (IDisposable d in saved) d.Dispose();
        }
        return result;
    }

    internal static bool AnyRequiresGrad(Tensor[] inputs)
    {
        foreach (Tensor t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Whether ops on these inputs will record a node (callers skip saving scratch otherwise).</summary>
    internal static bool WillRecord(params Tensor[] inputs) => Autograd.IsGradEnabled && AnyRequiresGrad(inputs);

    private Tensor ReshapeOp(int[] shape)
    {
        Tensor view = Alias(shape);
        Onnx.OnnxTrace.Current?.Reshape(view, this);
        return Record(view, "Reshape", [this], static (g, sink) => sink[0]?.AddFrom(g));
    }

    private static readonly long[] s_unitStride = [1];

    /// <summary>this += alpha·source, element by element in storage order (same element count; shapes may differ).</summary>
    internal void AddFrom(Tensor source, float alpha = 1f)
    {
        if (source.Numel != Numel)
            throw new ArgumentException($"Cannot add {Guard.Format(source._shape)} into {Guard.Format(_shape)}: element counts differ.");
        Kernels.Elementwise(Backends.BinaryOp.CopyA, [(int)Numel], new(Data, s_unitStride), new(source.Data, s_unitStride), default, alpha, accumulate: true);
    }
}
