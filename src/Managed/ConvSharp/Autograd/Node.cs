using System.Text;

namespace ConvSharp;

/// <summary>The backward of one op: given the gradient of the op's output, ADD the gradient of each
/// input into <c>sink[i]</c> (null when input i needs none).</summary>
internal delegate void BackwardFn(Tensor gradOutput, GradientSink sink);

/// <summary>One recorded op on the autograd graph (PyTorch's <c>torch.autograd.graph.Node</c>, what
/// <c>tensor.grad_fn</c> returns): <see cref="Tensor.GradFn"/> of an op's result, with the PyTorch name of its
/// backward (<c>"DivBackward"</c>, <c>"ConvolutionBackward"</c>, <c>"MyFunctionBackward"</c> for a custom
/// <see cref="Function"/>) and the nodes of its inputs in <see cref="NextFunctions"/>. A leaf that requires grad
/// appears there as an <c>"AccumulateGrad"</c> node whose <see cref="Variable"/> is the leaf.
/// The node owns the scratch its op saved for backward; it is freed after a backward without retainGraph.</summary>
public sealed class Node
{
    private BackwardFn? _backward;
    private IDisposable[]? _owned;
    private List<Tensor>? _retained;

    internal Node(string opName, Tensor[] inputs, BackwardFn backward, IDisposable[]? owned, string? name = null)
    {
        OpName = opName;
        Name = name ?? NodeNames.BackwardName(opName);
        Inputs = inputs;
        _backward = backward;
        _owned = owned;
    }

    private Node(Tensor leaf)
    {
        OpName = Name = "AccumulateGrad";
        Inputs = [];
        Variable = leaf;
    }

    /// <summary>The name of this node as PyTorch spells it without the version suffix: <c>"MulBackward"</c>,
    /// <c>"ConvolutionBackward"</c>, <c>"AccumulateGrad"</c>.</summary>
    public string Name { get; }

    /// <summary>The op's own name (e.g. "Conv2d", "Mul"), used in error messages.</summary>
    internal string OpName { get; }

    /// <summary>For an <c>"AccumulateGrad"</c> node, the leaf tensor whose <see cref="Tensor.Grad"/> it fills; else null.</summary>
    public Tensor? Variable { get; }

    /// <summary>The nodes the gradient flows to next, one per input of the op, in input order: the input's
    /// <see cref="Tensor.GradFn"/>, an <c>"AccumulateGrad"</c> node for a leaf that requires grad, or null for an
    /// input that needs no gradient. Empty once the graph was freed (and for AccumulateGrad).</summary>
    public IReadOnlyList<Node?> NextFunctions
    {
        get
        {
            var next = new Node?[Inputs.Length];
            for (int i = 0; i < next.Length; i++)
            {
                Tensor input = Inputs[i];
                if (!input.RequiresGrad) continue;
                next[i] = input.GradFn ?? new Node(input);
            }
            return next;
        }
    }

    internal Tensor[] Inputs { get; private set; }

    /// <summary>Whether the graph through this node was freed (by a Backward without retainGraph, or by
    /// disposing the tensor it made).</summary>
    public bool IsFreed => _backward is null && Variable is null;

    internal void Backward(Tensor gradOutput, GradientSink sink)
    {
        BackwardFn backward = _backward ?? throw BackwardEngine.FreedGraph(OpName);
        backward(gradOutput, sink);
    }

    /// <summary>Tensors made by this node that asked for their gradient (<see cref="Tensor.RetainGrad"/>).</summary>
    internal IReadOnlyList<Tensor>? Retained => _retained;

    internal void Retain(Tensor output)
    {
        _retained ??= [];
        if (!_retained.Contains(output)) _retained.Add(output);
    }

    /// <summary>Drops the references that keep the graph alive and returns the saved scratch to its pool.</summary>
    internal void Free()
    {
        _backward = null;
        Inputs = [];
        _retained = null;
        IDisposable[]? owned = Interlocked.Exchange(ref _owned, null);
        if (owned is not null) foreach (IDisposable d in owned) d.Dispose();
    }

    /// <summary>This node and the nodes below it, indented, to depth 4 (PyTorch prints only the name;
    /// the subgraph is what a student wants to see).</summary>
    public override string ToString() => ToString(4);

    /// <summary>This node and its subgraph to <paramref name="depth"/> levels, one node per line, inputs indented.</summary>
    public string ToString(int depth)
    {
        var text = new StringBuilder();
        Append(text, this, 0, depth);
        return text.ToString().TrimEnd('\n');
    }

    private static void Append(StringBuilder text, Node? node, int level, int depth)
    {
        text.Append(' ', 2 * level).Append(node?.Name ?? "None");
        if (node?.Variable is { } leaf) text.Append(' ').Append(Guard.Format(leaf.ShapeSpan));
        text.Append('\n');
        if (node is null) return;
        IReadOnlyList<Node?> next = node.NextFunctions;
        if (next.Count == 0) return;
        if (level + 1 >= depth)
        {
            text.Append(' ', 2 * (level + 1)).Append("...\n");
            return;
        }
        foreach (Node? child in next) Append(text, child, level + 1, depth);
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
