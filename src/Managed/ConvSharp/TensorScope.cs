namespace ConvSharp;

/// <summary>Disposes, when it ends, every tensor created on this thread while it was the innermost
/// scope, except those moved out with <see cref="Tensor.MoveToOuterScope"/>. Made by
/// <see cref="Tensor.Scope"/>; scopes nest.</summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    internal TensorScope()
    {
        _outer = t_current;
        t_current = this;
    }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    internal static void Register(Tensor tensor)
    {
        TensorScope? scope = t_current;
        if (scope is null) return;
        scope._owned.Add(tensor);
        tensor.OwningScope = scope;
    }

    internal void MoveToOuter(Tensor tensor)
    {
        if (!_owned.Remove(tensor)) return;
        tensor.OwningScope = _outer;
        _outer?._owned.Add(tensor);
    }

    internal void Forget(Tensor tensor)
    {
        if (_owned.Remove(tensor)) tensor.OwningScope = null;
    }

    /// <summary>Disposes the tensors this scope owns and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Tensor tensor in _owned) tensor.Dispose();
        _owned.Clear();
        if (t_current == this) t_current = _outer;
    }
}

public partial class Tensor
{
    internal TensorScope? OwningScope { get; set; }

    /// <summary>Starts a scope: <c>using var scope = Tensor.Scope();</c> disposes every tensor created
    /// inside it on this thread when it ends, so a training loop returns its buffers each step.</summary>
    public static TensorScope Scope() => new();

    /// <summary>Keeps this tensor alive past the scope it was created in: it moves to the enclosing
    /// scope (or to none, so the caller owns it). Returns this tensor.</summary>
    public Tensor MoveToOuterScope()
    {
        OwningScope?.MoveToOuter(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: its new owner (a module, an optimizer) disposes it.</summary>
    internal Tensor DetachFromScope()
    {
        OwningScope?.Forget(this);
        return this;
    }
}
