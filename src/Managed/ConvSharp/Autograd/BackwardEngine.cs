namespace ConvSharp;

/// <summary>Runs the tape backward from one or more tensors: nodes in reverse topological order, each adding
/// its inputs' gradients into a buffer per intermediate tensor, or straight into <see cref="Tensor.Grad"/>
/// for leaves. Intermediate gradients are disposed as soon as their node has run.
/// <c>Autograd.Grad</c> runs the same walk in capture mode: the gradients of the tensors it asks for go
/// into fresh tensors it returns, and no leaf's Grad changes.</summary>
internal sealed class BackwardEngine
{
    private readonly Dictionary<Node, Tensor> _pending = new(ReferenceEqualityComparer.Instance);

    // On a device (not the CPU), the intermediate gradients of the whole pass are allocated up front and zeroed by one
    // multi-slice fill, instead of one fill launch each when first reached: a training step's launches stay about four
    // per layer. They then live from the start of the pass (the CPU keeps allocating them as it goes).
    private Dictionary<Node, Tensor>? _preallocated;

    // Capture mode (Autograd.Grad): the result buffer of each requested tensor, found by the tensor for leaves
    // and by the node that made it for intermediate tensors.
    private readonly Dictionary<Tensor, Tensor>? _captureLeaves;
    private readonly Dictionary<Node, Tensor>? _captureNodes;

    private BackwardEngine(Dictionary<Tensor, Tensor>? captureLeaves = null, Dictionary<Node, Tensor>? captureNodes = null)
    {
        _captureLeaves = captureLeaves;
        _captureNodes = captureNodes;
    }

    internal static InvalidOperationException FreedGraph(string op) => new(
        $"Backward ran into the freed graph of {op}: an earlier Backward() freed it, or the tensor {op} made was disposed. " +
        "Pass retainGraph: true to the first Backward() to go through the same graph twice, and keep intermediate tensors alive until Backward().");

    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        CheckRoot(root, gradient, "Backward()");
        using (Autograd.NoGrad())
            new BackwardEngine().Execute([root], [gradient], retainGraph);
    }

    /// <summary>The gradients of Σ gradOutputs[i]·outputs[i] with respect to <paramref name="inputs"/>, leaving every
    /// Grad untouched. An input the outputs do not depend on gets null when <paramref name="allowUnused"/>, else throws.</summary>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[] gradOutputs, bool retainGraph, bool allowUnused)
    {
        for (int i = 0; i < outputs.Length; i++) CheckRoot(outputs[i], gradOutputs[i], $"Autograd.Grad (output {i})");
        var leaves = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var nodes = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance);
        var results = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            Tensor input = inputs[i];
            if (!input.RequiresGrad)
                throw new ArgumentException($"Autograd.Grad: input {i} (shape {Guard.Format(input.ShapeSpan)}) does not require grad.", nameof(inputs));
            if (input.GradFn is { } node)
            {
                if (!nodes.TryGetValue(node, out Tensor? existing)) nodes[node] = existing = Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true);
                results[i] = existing;
            }
            else
            {
                if (!leaves.TryGetValue(input, out Tensor? existing)) leaves[input] = existing = Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true);
                results[i] = existing;
            }
        }
        var engine = new BackwardEngine(leaves, nodes);
        using (Autograd.NoGrad())
            engine.Execute(outputs, gradOutputs, retainGraph);

        var answer = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (engine._reached.Contains(results[i])) { answer[i] = results[i]; continue; }
            if (!allowUnused)
            {
                foreach (Tensor r in results) r.Dispose();
                throw new InvalidOperationException(
                    $"Autograd.Grad: input {i} (shape {Guard.Format(inputs[i].ShapeSpan)}) was not used to compute the outputs; pass allowUnused: true to get null for it.");
            }
        }
        foreach (Tensor r in results) if (!engine._reached.Contains(r)) r.Dispose();
        return answer;
    }

    private readonly HashSet<Tensor> _reached = new(ReferenceEqualityComparer.Instance);

    private static void CheckRoot(Tensor root, Tensor? gradient, string what)
    {
        _ = root.Buffer;  // a disposed root (or gradient) is an ObjectDisposedException, not a grad-mode complaint
        _ = gradient?.Buffer;
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                $"{what} was called on a tensor of shape {Guard.Format(root.ShapeSpan)} that does not require grad: " +
                "none of the tensors it was computed from has RequiresGrad = true (or it was computed under Autograd.NoGrad()).");
        if (gradient is null && root.Numel != 1)
            throw new InvalidOperationException(
                $"{what} without a gradient needs a scalar, but this tensor has shape {Guard.Format(root.ShapeSpan)}; " +
                "pass a gradient of that shape, or reduce it first (e.g. Sum() or Mean()).");
        if (gradient is not null && !gradient.ShapeSpan.SequenceEqual(root.ShapeSpan))
            throw new ArgumentException(
                $"The gradient has shape {Guard.Format(gradient.ShapeSpan)}, but the tensor has shape {Guard.Format(root.ShapeSpan)}.", nameof(gradient));
    }

    private void Execute(Tensor[] roots, Tensor?[] gradients, bool retainGraph)
    {
        try
        {
            ExecuteWalk(roots, gradients, retainGraph);
        }
        finally
        {
            if (_preallocated is not null)
            {
                foreach (Tensor unused in _preallocated.Values) unused.Dispose();
                _preallocated = null;
            }
        }
    }

    /// <summary>Allocates the gradient buffer of every intermediate tensor the walk over <paramref name="order"/> can
    /// reach on a non-CPU device, and zeroes them with one <see cref="Backends.IKernels.Fill"/> per device.</summary>
    private void Preallocate(Tensor[] roots, List<Node> order)
    {
        if (_captureLeaves is not null) return;
        Dictionary<Backends.IKernels, List<Backends.BufferSlice>>? fills = null;
        void Add(Tensor t)
        {
            if (t.GradFn is not { } node || !t.RequiresGrad || t.Device.Type == DeviceType.Cpu) return;
            _preallocated ??= new(ReferenceEqualityComparer.Instance);
            if (_pending.ContainsKey(node) || _preallocated.ContainsKey(node)) return;
            Tensor grad = Tensor.Allocate(t.Device, t.ShapeSpan.ToArray(), zero: false, owned: true);
            _preallocated[node] = grad;
            fills ??= new(ReferenceEqualityComparer.Instance);
            if (!fills.TryGetValue(grad.Kernels, out var slices)) fills[grad.Kernels] = slices = [];
            slices.Add(grad.Data);
        }
        foreach (Tensor root in roots) Add(root);
        foreach (Node node in order)
            foreach (Tensor input in node.Inputs) Add(input);
        if (fills is not null)
            foreach (var (kernels, slices) in fills) kernels.Fill(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(slices), 0f);
    }

    private void ExecuteWalk(Tensor[] roots, Tensor?[] gradients, bool retainGraph)
    {
        var starts = new List<Node>();
        foreach (Tensor root in roots)
            if (root.GradFn is { IsFreed: true } freed) throw FreedGraph(freed.OpName);
        {
            var rootNodes = new List<Node>();
            foreach (Tensor root in roots)
                if (root.GradFn is { } n && root.RequiresGrad) rootNodes.Add(n);
            if (rootNodes.Count > 0) Preallocate(roots, TopologicalOrder(rootNodes));
        }
        for (int r = 0; r < roots.Length; r++)
        {
            Tensor root = roots[r];
            Tensor? target = GradientTarget(root);
            if (target is not null)
            {
                if (gradients[r] is { } gradient) target.AddFrom(gradient);
                else target.Kernels.Unary(Backends.UnaryOp.Affine, target.Data, target.Data, 1f, 1f);  // += 1
            }
            if (root.GradFn is { } start) starts.Add(start);  // a leaf's gradient is the seed itself
        }
        if (starts.Count == 0) return;

        List<Tensor>? finished = null;
        List<Node> order = TopologicalOrder(starts);
        LeafHooks? hooks = Tensor.s_hookedLeaves > 0 ? LeafHooks.For(order) : null;
        foreach (Node node in order)
        {
            Tensor[] inputs = node.Inputs;
            if (!retainGraph)
                foreach (Tensor input in inputs)
                    if (input.FreeAfterBackward) (finished ??= []).Add(input);
            if (!_pending.Remove(node, out Tensor? grad))  // no gradient reached it
            {
                hooks?.Ran(node, inputs, reached: false);
                continue;
            }
            try
            {
                if (_captureNodes is not null && _captureNodes.TryGetValue(node, out Tensor? captured))
                {
                    captured.AddFrom(grad);
                    _reached.Add(captured);
                }
                if (_captureLeaves is null && node.Retained is { } retained)
                    foreach (Tensor t in retained)
                        if (!t.IsDisposed) (t.Grad ??= Tensor.Allocate(t.Device, t.ShapeSpan.ToArray(), zero: true, owned: true)).AddFrom(grad);
                node.Backward(grad, new GradientSink(this, node));
                if (Autograd.IsAnomalyDetectionEnabled)
                    for (int i = 0; i < inputs.Length; i++)
                        if (GradientTarget(inputs[i]) is { } produced)
                            Autograd.CheckFinite(produced, () => $"the backward of {node.OpName} (the gradient of its input {i})");
            }
            finally
            {
                grad.Dispose();
            }
            hooks?.Ran(node, inputs, reached: true);
            if (!retainGraph) node.Free();
        }
        foreach (Tensor orphan in _pending.Values) orphan.Dispose();
        // Every node that could read them has run: the graph's own intermediates go back to the pool now.
        if (finished is not null) foreach (Tensor t in finished) t.Dispose();
    }

    /// <summary>The buffer input <paramref name="input"/>'s gradient accumulates in: its own Grad for a leaf
    /// (in capture mode: the result buffer of a requested leaf, null for any other), a pending buffer for an
    /// intermediate tensor; null when it does not require grad.</summary>
    internal Tensor? GradientTarget(Tensor input)
    {
        if (!input.RequiresGrad) return null;
        Node? node = input.GradFn;
        if (node is null)
        {
            if (_captureLeaves is null) return input.Grad ??= Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true, owned: true);
            if (!_captureLeaves.TryGetValue(input, out Tensor? captured)) return null;
            _reached.Add(captured);
            return captured;
        }
        if (node.IsFreed) throw FreedGraph(node.OpName);
        if (!_pending.TryGetValue(node, out Tensor? grad))
        {
            if (_preallocated is not null && _preallocated.Remove(node, out grad)) _pending[node] = grad;
            else _pending[node] = grad = Tensor.Allocate(input.Device, input.ShapeSpan.ToArray(), zero: true, owned: true);
        }
        return grad;
    }

    /// <summary>The hooked leaves of one backward pass and how many nodes still feed each, so a leaf's
    /// post-accumulate hooks fire right after its last contribution.</summary>
    private sealed class LeafHooks
    {
        private readonly Dictionary<Tensor, int> _remaining = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Tensor> _reached = new(ReferenceEqualityComparer.Instance);

        public static LeafHooks? For(List<Node> order)
        {
            var hooks = new LeafHooks();
            foreach (Node node in order)
                foreach (Tensor leaf in HookedLeaves(node.Inputs))
                    hooks._remaining[leaf] = hooks._remaining.GetValueOrDefault(leaf) + 1;
            return hooks._remaining.Count > 0 ? hooks : null;
        }

        public void Ran(Node node, Tensor[] inputs, bool reached)
        {
            foreach (Tensor leaf in HookedLeaves(inputs))
            {
                if (reached) _reached.Add(leaf);
                int left = _remaining[leaf] - 1;
                _remaining[leaf] = left;
                if (left == 0 && _reached.Contains(leaf)) leaf.RunPostAccumulateGradHooks();
            }
        }

        // Each hooked leaf once per node, even when the node takes it twice (x * x).
        private static IEnumerable<Tensor> HookedLeaves(Tensor[] inputs)
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                Tensor t = inputs[i];
                if (t.GradFn is not null || !t.RequiresGrad || !t.HasPostAccumulateGradHooks) continue;
                bool seen = false;
                for (int j = 0; j < i && !seen; j++) seen = ReferenceEquals(inputs[j], t);
                if (!seen) yield return t;
            }
        }
    }

    /// <summary>Nodes ordered so that every node comes before the nodes that produced its inputs.</summary>
    private static List<Node> TopologicalOrder(List<Node> starts)
    {
        var postOrder = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, int Next)>();
        foreach (Node start in starts)
        {
            if (!visited.Add(start)) continue;
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
                        if (child.IsFreed) throw FreedGraph(child.OpName);
                        stack.Push((child, 0));
                    }
                }
                else
                {
                    postOrder.Add(node);
                }
            }
        }
        postOrder.Reverse();
        return postOrder;
    }
}
