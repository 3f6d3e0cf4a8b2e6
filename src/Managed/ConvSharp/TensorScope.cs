namespace ConvSharp;

/// <summary>Disposes, when it ends, every tensor created in this asynchronous flow while it was the innermost
/// scope, except those moved out with <see cref="Tensor.MoveToOuterScope"/>. Made by
/// <see cref="Tensor.Scope"/>; scopes nest. The current scope flows with the <see cref="ExecutionContext"/>
/// (an <see cref="AsyncLocal{T}"/>), as PyTorch's context managers do with contextvars: a task that awaits inside
/// its scope comes back to it on whatever thread it resumes, and concurrent tasks each see their own scope.
/// Work started inside a scope (<c>Task.Run</c>) registers in it too, so registration is thread-safe.</summary>
public sealed class TensorScope : IDisposable
{
    private static readonly AsyncLocal<TensorScope?> s_current = new();
    [ThreadStatic] private static Tensor[]? t_offered;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = [];
    private volatile bool _disposed;

    internal TensorScope()
    {
        _outer = Current;
        s_current.Value = this;
        Tensor[]? offered = t_offered;
        t_offered = null;
        if (offered is not null) foreach (Tensor tensor in offered) Adopt(tensor);
    }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count
    {
        get { lock (_owned) return _owned.Count; }
    }

    /// <summary>The innermost live scope of this flow. A flow can hold a scope that has already ended (a task
    /// started inside it that outlived it): tensors made there belong to no scope, as before any scope began.</summary>
    private static TensorScope? Current
    {
        get
        {
            TensorScope? scope = s_current.Value;
            while (scope is { _disposed: true }) scope = scope._outer;
            return scope;
        }
    }

    internal static void Register(Tensor tensor)
    {
        TensorScope? scope = s_current.Value;
        if (scope is null) return;
        if (scope._disposed && (scope = Current) is null) return;
        lock (scope._owned)
        {
            if (scope._disposed) return;
            scope._owned.Add(tensor);
            tensor.OwningScope = scope;
        }
    }

    /// <summary>Offers tensors that belong to no scope (a DataLoader batch, made on its worker thread) to the
    /// next scope started on this thread, which then owns and disposes them; replaces any earlier offer.
    /// So <c>foreach (var (x, y) in loader) { using var scope = Tensor.Scope(); ... }</c> returns each batch.</summary>
    internal static void OfferToNextScope(Tensor[] tensors) => t_offered = tensors;

    /// <summary>Withdraws the offer of <paramref name="tensors"/> if no scope has taken it yet.</summary>
    internal static void WithdrawOffer(Tensor[] tensors)
    {
        if (ReferenceEquals(t_offered, tensors)) t_offered = null;
    }

    private void Adopt(Tensor? tensor)
    {
        if (tensor is null || tensor.IsDisposed || tensor.OwningScope is not null) return;
        lock (_owned)
        {
            _owned.Add(tensor);
            tensor.OwningScope = this;
        }
    }

    internal void MoveToOuter(Tensor tensor)
    {
        lock (_owned)
            if (!_owned.Remove(tensor)) return;
        TensorScope? outer = _outer;
        while (outer is { _disposed: true }) outer = outer._outer;
        tensor.OwningScope = null;
        if (outer is null) return;
        lock (outer._owned)
        {
            if (outer._disposed) return;
            outer._owned.Add(tensor);
            tensor.OwningScope = outer;
        }
    }

    internal void Forget(Tensor tensor)
    {
        lock (_owned)
            if (_owned.Remove(tensor)) tensor.OwningScope = null;
    }

    /// <summary>Disposes the tensors this scope owns and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        Tensor[] owned;
        lock (_owned)
        {
            if (_disposed) return;
            _disposed = true;
            owned = [.. _owned];
            _owned.Clear();
        }
        foreach (Tensor tensor in owned) tensor.Dispose();
        if (ReferenceEquals(s_current.Value, this)) s_current.Value = _outer;
    }
}

public partial class Tensor
{
    internal TensorScope? OwningScope { get; set; }

    /// <summary>Starts a scope: <c>using var scope = Tensor.Scope();</c> disposes every tensor created
    /// inside it (in this flow of control, across <c>await</c>) when it ends, so a training loop returns its
    /// buffers each step.</summary>
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
