using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ConvSharp.Data;

public sealed partial class DataLoader
{
    /// <summary>One epoch. With prefetching, one long-running task builds batches in plan order into a queue of
    /// capacity one, so it works one batch ahead of the caller; without, MoveNext builds each batch.</summary>
    private sealed class BatchEnumerator : IEnumerator<(Tensor Images, Tensor Labels)>
    {
        private readonly DataLoader _loader;
        private readonly BatchPlan _plan;
        private readonly int _epoch;
        private readonly SampleContext? _context;                         // synchronous mode
        private readonly BlockingCollection<(Tensor, Tensor)>? _queue;    // prefetch mode
        private readonly CancellationTokenSource? _cancel;
        private readonly Task? _worker;
        private ExceptionDispatchInfo? _error;
        private (Tensor Images, Tensor Labels) _current;
        private int _next;
        private int _disposed;

        public BatchEnumerator(DataLoader loader, BatchPlan plan, int epoch)
        {
            _loader = loader;
            _plan = plan;
            _epoch = epoch;
            if (!loader.Prefetch)
            {
                _context = new SampleContext(new Generator(0));
                return;
            }
            _queue = new BlockingCollection<(Tensor, Tensor)>(boundedCapacity: 1);
            _cancel = new CancellationTokenSource();
            // The worker's batches belong to no scope until the consumer's next scope adopts them: the caller's
            // current scope (which flows with the ExecutionContext) must not follow it onto the worker.
            using (ExecutionContext.SuppressFlow())
                _worker = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public (Tensor Images, Tensor Labels) Current => _current;

        object System.Collections.IEnumerator.Current => _current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_current.Images is not null) TensorScope.WithdrawOffer(_current.Images);  // not taken: it stays the caller's
            (Tensor, Tensor) batch;
            if (_queue is not null)
            {
                if (!_queue.TryTake(out batch, Timeout.Infinite))
                {
                    _current = default;
                    _error?.Throw();
                    return false;
                }
            }
            else
            {
                if (_next >= _plan.Count)
                {
                    _current = default;
                    return false;
                }
                batch = _loader.BuildBatch(_plan, _next++, _epoch, _context!);
            }
            _current = batch;
            TensorScope.OfferToNextScope(batch.Item1, batch.Item2);
            return true;
        }

        private void Work()
        {
            var context = new SampleContext(new Generator(0));
            CancellationToken token = _cancel!.Token;
            try
            {
                for (int b = 0; b < _plan.Count && !token.IsCancellationRequested; b++)
                {
                    (Tensor Images, Tensor Labels) batch = _loader.BuildBatch(_plan, b, _epoch, context);
                    try
                    {
                        _queue!.Add(batch, token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Images.Dispose();
                        batch.Labels.Dispose();
                        break;
                    }
                }
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                context.Release();
                _queue!.CompleteAdding();
            }
        }

        public void Reset() => throw new NotSupportedException("A DataLoader epoch cannot be restarted; enumerate the loader again for the next epoch.");

        /// <summary>Stops the worker and frees the batches it prepared that were never yielded.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            if (_current.Images is not null) TensorScope.WithdrawOffer(_current.Images);
            if (_queue is not null)
            {
                _cancel!.Cancel();
                try { _worker!.Wait(); } catch (AggregateException) { /* its error was for the caller, who stopped listening */ }
                while (_queue.TryTake(out (Tensor Images, Tensor Labels) left))
                {
                    left.Images.Dispose();
                    left.Labels.Dispose();
                }
                _cancel.Dispose();
            }
            _context?.Release();
            _loader.Finished(this);
        }
    }
}
