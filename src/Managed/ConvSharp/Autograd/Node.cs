namespace ConvSharp;

/// <summary>The backward of one op: given the gradient of the op's output, ADD the gradient of each
/// input into <c>sink[i]</c> (null when input i needs none).</summary>
internal delegate void BackwardFn(Tensor gradOutput, GradientSink sink);

/// <summary>One recorded op on the tape: its inputs, its backward, and the scratch it saved for
/// backward (owned: disposed when the graph is freed). The output tensor points here through
/// <see cref="Tensor.GradFn"/>.</summary>
internal sealed class Node
{
    private BackwardFn? _backward;
    private IDisposable[]? _owned;

    public Node(string name, Tensor[] inputs, BackwardFn backward, IDisposable[]? owned)
    {
        Name = name;
        Inputs = inputs;
        _backward = backward;
        _owned = owned;
    }

    /// <summary>The op's name, for error messages (e.g. "Conv2d", "Mul").</summary>
    public string Name { get; }

    public Tensor[] Inputs { get; private set; }

    public bool IsFreed => _backward is null;

    public void Backward(Tensor gradOutput, GradientSink sink)
    {
        BackwardFn backward = _backward ?? throw BackwardEngine.FreedGraph(Name);
        backward(gradOutput, sink);
    }

    /// <summary>Drops the references that keep the graph alive and returns the saved scratch to its pool.</summary>
    public void Free()
    {
        _backward = null;
        Inputs = [];
        IDisposable[]? owned = Interlocked.Exchange(ref _owned, null);
        if (owned is not null) foreach (IDisposable d in owned) d.Dispose();
    }
}

/// <summary>Where a node's backward adds the gradients of its inputs.</summary>
internal readonly struct GradientSink
{
    private readonly BackwardEngine _engine;
    private readonly Node _node;

    internal GradientSink(BackwardEngine engine, Node node)
    {
        _engine = engine;
        _node = node;
    }

    /// <summary>The tensor to add input <paramref name="index"/>'s gradient into, or null when it needs none.</summary>
    public Tensor? this[int index] => _engine.GradientTarget(_node.Inputs[index]);
}
