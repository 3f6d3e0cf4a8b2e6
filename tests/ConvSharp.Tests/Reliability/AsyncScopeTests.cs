namespace ConvSharp.Tests.Reliability;

/// <summary>Tensor.Scope() flows with the async context: a task that awaits inside its scope (and resumes on another
/// thread) still owns its tensors, and concurrent tasks never dispose each other's.</summary>
public sealed class AsyncScopeTests
{
    [Fact]
    public async Task Four_hundred_concurrent_tasks_awaiting_inside_nested_scopes_keep_their_own_tensors()
    {
        const int tasks = 400;
        using var gate = new SemaphoreSlim(0);
        async Task<string?> Worker(int id)
        {
            using var outer = Tensor.Scope();
            var kept = Tensor.Full([4], id);
            await gate.WaitAsync();  // every task is inside its outer scope before any goes on
            Tensor inner;
            using (var scope = Tensor.Scope())
            {
                var a = Tensor.Full([4], id) + 1f;
                await Task.Yield();
                await Task.Delay(id % 3);
                inner = (a * 2f).MoveToOuterScope();
                if (a.IsDisposed) return $"task {id}: a tensor of its inner scope was disposed while it awaited";
                if (scope.Count != 2) return $"task {id}: its inner scope owns {scope.Count} tensors, not 2 (the full tensor and a)";
            }
            await Task.Yield();
            if (kept.IsDisposed || inner.IsDisposed) return $"task {id}: a tensor of its outer scope was disposed by another task's scope";
            float[] values = [.. kept.ToArray(), .. inner.ToArray()];
            if (values.Take(4).Any(v => v != id) || values.Skip(4).Any(v => v != 2 * (id + 1)))
                return $"task {id}: its tensors hold {string.Join(", ", values)}";
            if (outer.Count != 2) return $"task {id}: its outer scope owns {outer.Count} tensors, not 2 (kept and the moved result)";
            return null;
        }
        Task<string?>[] running = [.. Enumerable.Range(0, tasks).Select(i => Task.Run(() => Worker(i)))];
        gate.Release(tasks);
        string?[] failures = await Task.WhenAll(running);
        string[] failed = [.. failures.OfType<string>()];
        Assert.True(failed.Length == 0, $"{failed.Length} of {tasks} tasks failed: " + string.Join("; ", failed.Take(5)));
    }

    [Fact]
    public async Task A_scope_ends_in_its_own_flow_and_the_caller_scope_is_current_again()
    {
        using var outer = Tensor.Scope();
        var before = Tensor.Zeros(2);
        Tensor made;
        using (Tensor.Scope())
        {
            await Task.Yield();
            made = Tensor.Zeros(2);
        }
        Assert.True(made.IsDisposed);
        var after = Tensor.Zeros(2);
        Assert.Equal(2, outer.Count);  // before and after, in the outer scope again
        Assert.False(before.IsDisposed || after.IsDisposed);
    }

    [Fact]
    public async Task A_task_that_outlives_the_scope_it_started_in_owns_its_tensors_itself()
    {
        Task<Tensor> late;
        using (Tensor.Scope())
        {
            late = Task.Run(async () =>
            {
                await Task.Delay(50);
                return Tensor.Ones(3);  // the scope has ended: this tensor belongs to no scope
            });
        }
        using Tensor t = await late;
        Assert.False(t.IsDisposed);
        Assert.Equal([1f, 1f, 1f], t.ToArray());
    }
}
