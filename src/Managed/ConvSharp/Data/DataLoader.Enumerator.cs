using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ConvSharp.Data;

public sealed partial class DataLoader
{
    /// <summary>One epoch. With prefetching, one long-running task builds batches in plan order into a queue of
    /// capacity one, so it works one batch ahead of the caller; without, MoveNext builds each batch.</summary>
    private sealed class BatchEnumerator : IEnumerator<Batch>
    {
        private readonly DataLoader _loader;
        private readonly BatchPlan _plan;
        private readonly int _epoch;
        private readonly SampleContext? _context;                         // synchronous mode
        private readonly BlockingCollection<Batch>? _queue;    // prefetch mode
        private readonly CancellationTokenSource? _cancel;
        private readonly Task? _worker;
        private ExceptionDispatchInfo? _error;
        private Batch? _current;
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
            _queue = new BlockingCollection<Batch>(boundedCapacity: 1);
            _cancel = new CancellationTokenSource();
            // The worker's batches belong to no scope until the consumer's next scope adopts them: the caller's
            // current scope (which flows with the ExecutionContext) must not follow it onto the worker.
            using (ExecutionContext.SuppressFlow())
                _worker = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public Batch Current => _current!;

        object System.Collections.IEnumerator.Current => _current!;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_current is not null) TensorScope.WithdrawOffer(_current.Tensors);  // not taken: it stays the caller's
            Batch? batch;
            if (_queue is not null)
            {
                if (!_queue.TryTake(out batch, Timeout.Infinite))
                {
                    _current = null;
                    _error?.Throw();
                    return false;
                }
            }
            else
            {
                if (_next >= _plan.Count)
                {
                    _current = null;
                    return false;
                }
                batch = _loader.BuildBatch(_plan, _next++, _epoch, _context!);
            }
            _current = batch;
            TensorScope.OfferToNextScope(batch!.Tensors);
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
                    Batch batch = _loader.BuildBatch(_plan, b, _epoch, context);
                    try
                    {
                        _queue!.Add(batch, token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
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
            if (_current is not null) TensorScope.WithdrawOffer(_current.Tensors);
            if (_queue is not null)
            {
                _cancel!.Cancel();
                try { _worker!.Wait(); } catch (AggregateException) { /* its error was for the caller, who stopped listening */ }
                while (_queue.TryTake(out Batch? left)) left.Dispose();
                _cancel.Dispose();
            }
            _context?.Release();
            _loader.Finished(this);
        }
    }
}
