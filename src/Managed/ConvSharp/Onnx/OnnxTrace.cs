using ConvSharp.NN;

namespace ConvSharp.Onnx;

/// <summary>Writes the ONNX nodes of one traced op, given the value names of its inputs ("" for an absent optional
/// input) and the name its output must get.</summary>
internal delegate void OnnxEmit(OnnxGraphBuilder graph, string[] inputs, string output);

/// <summary>One op seen during an export's forward: the tensors it read, how to write it as ONNX (null when it has no
/// mapping), and the module that ran it.</summary>
internal sealed record TracedOp(string Op, Tensor?[] Inputs, OnnxEmit? Emit, string Where, string? Refusal);

/// <summary>The recorder behind <see cref="Onnx.Export(Module, string, int[])"/>: while an export runs, ops report the
/// tensor they made through <see cref="Current"/> (null otherwise, so the hooks in Ops/ cost one thread-static read).
/// Every op that records an autograd node reports itself as unmapped first; an op with an ONNX mapping then overwrites
/// that with its mapping, and a composite op (Linear = MatMul + Add) overwrites its parts' mapping of the same output,
/// so the last, outermost report of a tensor wins and parts that nothing reads are never written.</summary>
internal sealed partial class OnnxTrace
{
    [ThreadStatic] private static OnnxTrace? t_current;

    private readonly Dictionary<Module, string> _paths = new(ReferenceEqualityComparer.Instance);
    private readonly List<Module> _stack = [];

    private OnnxTrace(Module root)
    {
        foreach (var (name, module) in root.NamedModules()) _paths.TryAdd(module, name);
    }

    /// <summary>The trace running on this thread, or null when no export is running.</summary>
    internal static OnnxTrace? Current => t_current;

    /// <summary>Who made each tensor, by reference.</summary>
    internal Dictionary<Tensor, TracedOp> Producers { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Starts tracing on this thread until the returned scope is disposed.</summary>
    internal static (OnnxTrace Trace, IDisposable Scope) Start(Module root)
    {
        if (t_current is not null) throw new InvalidOperationException("Onnx.Export was called from inside another export's forward.");
        var trace = new OnnxTrace(root);
        t_current = trace;
        return (trace, new Exit(() => t_current = null));
    }

    /// <summary>Marks <paramref name="module"/> as running until the returned scope is disposed (Module.Forward).</summary>
    internal IDisposable Enter(Module module)
    {
        _stack.Add(module);
        return new Exit(() => _stack.RemoveAt(_stack.Count - 1));
    }

    /// <summary>The module path of the innermost running module, e.g. "'layer1.conv' (Conv2d)".</summary>
    private string Where()
    {
        if (_stack.Count == 0) return "outside any module";
        Module m = _stack[^1];
        string path = _paths.TryGetValue(m, out var p) ? (p.Length == 0 ? "<root>" : p) : "<unregistered>";
        return $"module '{path}' ({m.GetType().Name})";
    }

    /// <summary>Any op that records an autograd node: unmapped unless a mapping for the same tensor is reported.</summary>
    internal void Recorded(Tensor output, string op, Tensor[] inputs)
    {
        Producers.TryAdd(output, new TracedOp(op, inputs, null, Where(), null));
    }

    /// <summary>An op with an ONNX mapping.</summary>
    internal void Map(Tensor output, string op, Tensor?[] inputs, OnnxEmit emit) =>
        Producers[output] = new TracedOp(op, inputs, emit, Where(), null);

    /// <summary>An op whose arguments have no exact ONNX equivalent.</summary>
    internal void Refuse(Tensor output, string op, Tensor?[] inputs, string reason) =>
        Producers[output] = new TracedOp(op, inputs, null, Where(), reason);

    private sealed class Exit(Action exit) : IDisposable
    {
        private Action? _exit = exit;

        public void Dispose() => Interlocked.Exchange(ref _exit, null)?.Invoke();
    }
}
