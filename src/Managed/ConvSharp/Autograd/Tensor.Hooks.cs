namespace ConvSharp;

// Gradient hooks on leaves: what DistributedDataParallel uses to start the all-reduce of a bucket while the
// rest of the backward still runs. A hook fires once per Backward, after the last node that feeds this
// leaf has added into Grad (the engine counts the leaf's consumers in the topological order).
public partial class Tensor
{
    private List<Action<Tensor>>? _postAccumulateGradHooks;

    /// <summary>The number of leaves that have hooks, so a backward without any skips the bookkeeping.</summary>
    internal static int s_hookedLeaves;

    internal bool HasPostAccumulateGradHooks => _postAccumulateGradHooks is { Count: > 0 };

    /// <summary>Calls <paramref name="hook"/>(this) during <see cref="Backward"/>, once this leaf's gradient
    /// has been accumulated for the last time in that pass (PyTorch's <c>register_post_accumulate_grad_hook</c>).
    /// The hook runs on the thread that called Backward, with grad mode off; it is not called when the
    /// backward does not reach this tensor. Dispose the returned handle to remove it.</summary>
    /// <exception cref="InvalidOperationException">This tensor is not a leaf that requires grad.</exception>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        Guard.NotNull(hook);
        if (!IsLeaf || !RequiresGrad)
            throw new InvalidOperationException(
                $"RegisterPostAccumulateGradHook needs a leaf tensor that requires grad, but this tensor of shape {Guard.Format(_shape)} " +
                (IsLeaf ? "does not require grad." : $"was made by {GradFn!.Name}."));
        var hooks = _postAccumulateGradHooks ??= [];
        if (hooks.Count == 0) Interlocked.Increment(ref s_hookedLeaves);
        hooks.Add(hook);
        return new GradHookHandle(this, hook);
    }

    internal void RunPostAccumulateGradHooks()
    {
        if (_postAccumulateGradHooks is not { Count: > 0 } hooks) return;
        foreach (Action<Tensor> hook in hooks.ToArray()) hook(this);
    }

    private sealed class GradHookHandle(Tensor owner, Action<Tensor> hook) : IDisposable
    {
        private Tensor? _owner = owner;

        public void Dispose()
        {
            Tensor? owner = Interlocked.Exchange(ref _owner, null);
            if (owner?._postAccumulateGradHooks is not { } hooks) return;
            if (hooks.Remove(hook) && hooks.Count == 0) Interlocked.Decrement(ref s_hookedLeaves);
        }
    }
}
