namespace ConvSharp;

/// <summary>Runs the tape backward from one tensor: nodes in reverse topological order, each adding
/// its inputs' gradients into a buffer per intermediate tensor, or straight into <see cref="Tensor.Grad"/>
/// for leaves. Intermediate gradients are disposed as soon as their node has run.</summary>
internal sealed class BackwardEngine
{
    private readonly Dictionary<Node, Tensor> _pending = new(ReferenceEqualityComparer.Instance);

    internal static InvalidOperationException FreedGraph(string op) => new(
        $"Backward ran into the freed graph of {op}: an earlier Backward() freed it, or the tensor {op} made was disposed. " +
        "Pass retainGraph: true to the first Backward() to go through the same graph twice, and keep intermediate tensors alive until Backward().");

    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        _ = root.Buffer;  // a disposed root (or gradient) is an ObjectDisposedException, not a grad-mode complaint
        _ = gradient?.Buffer;
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                $"Backward() was called on a tensor of shape {Guard.Format(root.ShapeSpan)} that does not require grad: " +
                "none of the tensors it was computed from has RequiresGrad = true (or it was computed under Autograd.NoGrad()).");
        if (gradient is null && root.Numel != 1)
            throw new InvalidOperationException(
                $"Backward() without a gradient needs a scalar, but this tensor has shape {Guard.Format(root.ShapeSpan)}; " +
                "pass a gradient of that shape, or reduce it first (e.g. Sum() or Mean()).");
        if (gradient is not null && !gradient.ShapeSpan.SequenceEqual(root.ShapeSpan))
            throw new ArgumentException(
                $"The gradient has shape {Guard.Format(gradient.ShapeSpan)}, but the tensor has shape {Guard.Format(root.ShapeSpan)}.", nameof(gradient));

        using (Autograd.NoGrad())
            new BackwardEngine().Execute(root, gradient, retainGraph);
    }

    private void Execute(Tensor root, Tensor? gradient, bool retainGraph)
    {
        Tensor target = GradientTarget(root)!;
        if (gradient is null) target.Kernels.Unary(Backends.UnaryOp.Affine, target.Data, target.Data, 1f, 1f);  // += 1
        else target.AddFrom(gradient);

        Node? start = root.GradFn;
        if (start is null) return;  // a leaf: its gradient is the seed itself
        if (start.IsFreed) throw FreedGraph(start.Name);

        List<Tensor>? finished = null;
        foreach (Node node in TopologicalOrder(start))
        {
            if (!_pending.Remove(node, out Tensor? grad)) continue;  // no gradient reached it
            Tensor[] inputs = node.Inputs;
            if (!retainGraph)
                foreach (Tensor input in inputs)
                    if (input.FreeAfterBackward) (finished ??= []).Add(input);
            try
            {
                node.Backward(grad, new GradientSink(this, node));
                if (Autograd.IsAnomalyDetectionEnabled)
                    for (int i = 0; i < inputs.Length; i++)
                        if (GradientTarget(inputs[i]) is { } produced)
                            Autograd.CheckFinite(produced, () => $"the backward of {node.Name} (the gradient of its input {i})");
            }
            finally
            {
                grad.Dispose();
            }
            if (!retainGraph) node.Free();
        }
        foreach (Tensor orphan in _pending.Values) orphan.Dispose();
        // Every node that could read them has run: the graph's own intermediates go back to the pool now.
        if (finished is not null) foreach (Tensor t in finished) t.Dispose();
    }

    /// <summary>The buffer input <paramref name="input"/>'s gradient accumulates in: its own Grad for a leaf,
    /// a pending buffer for an intermediate tensor; null when it does not require grad.</summary>
    internal Tensor? GradientTarget(Tensor input)
    {
        if (!input.RequiresGrad) return null;
        Node? node = input.GradFn;
        if (node is null) return input.Grad ??= Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true, owned: true);
        if (node.IsFreed) throw FreedGraph(node.Name);
        if (!_pending.TryGetValue(node, out Tensor? grad))
            _pending[node] = grad = Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true, owned: true);
        return grad;
    }

    /// <summary>Nodes ordered so that every node comes before the nodes that produced its inputs.</summary>
    private static List<Node> TopologicalOrder(Node start)
    {
        var postOrder = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance) { start };
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((start, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                Node? child = node.Inputs[next].GradFn;
                if (child is not null && node.Inputs[next].RequiresGrad && visited.Add(child))
                {
                    if (child.IsFreed) throw FreedGraph(child.Name);
                    stack.Push((child, 0));
                }
            }
            else
            {
                postOrder.Add(node);
            }
        }
        postOrder.Reverse();
        return postOrder;
    }
}
