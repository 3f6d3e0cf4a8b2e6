namespace ConvSharp;

/// <summary>Disposes, when it ends, every tensor created on this thread while it was the innermost
/// scope, except those moved out with <see cref="Tensor.MoveToOuterScope"/>. Made by
/// <see cref="Tensor.Scope"/>; scopes nest.</summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;
    [ThreadStatic] private static Tensor? t_offeredFirst, t_offeredSecond;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    internal TensorScope()
    {
        _outer = t_current;
        t_current = this;
        Adopt(ref t_offeredFirst);
        Adopt(ref t_offeredSecond);
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

    /// <summary>Offers tensors that belong to no scope (a DataLoader batch, made on its worker thread) to the
    /// next scope started on this thread, which then owns and disposes them; replaces any earlier offer.
    /// So <c>foreach (var (x, y) in loader) { using var scope = Tensor.Scope(); ... }</c> returns each batch.</summary>
    internal static void OfferToNextScope(Tensor first, Tensor second)
    {
        t_offeredFirst = first;
        t_offeredSecond = second;
    }

    /// <summary>Withdraws the offer of <paramref name="first"/> (and its partner) if no scope has taken it yet.</summary>
    internal static void WithdrawOffer(Tensor first)
    {
        if (!ReferenceEquals(t_offeredFirst, first)) return;
        t_offeredFirst = null;
        t_offeredSecond = null;
    }

    private void Adopt(ref Tensor? offered)
    {
        Tensor? tensor = offered;
        offered = null;
        if (tensor is null || tensor.IsDisposed || tensor.OwningScope is not null) return;
        _owned.Add(tensor);
        tensor.OwningScope = this;
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
