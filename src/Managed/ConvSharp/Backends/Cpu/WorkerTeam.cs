using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ConvSharp.Backends.Cpu;

/// <summary>Persistent helper threads for <see cref="CpuKernels.ParallelFor"/>. A training step runs a dozen short
/// parallel sections (each conv pass over a batch of 16 takes 0.1–1 ms) separated by serial work; on the thread
/// pool each section paid for waking a sleeping worker, which made LeNet-5 steps slower on 2 threads than on 1.
/// Helpers here spin for <see cref="SpinTicks"/> after a section (as OpenMP runtimes and OpenBLAS do) before they
/// block, so back-to-back sections start at once. One section runs on the team at a time; a section that finds the
/// team busy (another thread's) runs on the thread pool instead.
/// Slices are claimed, not assigned: the caller and each woken helper take the next unclaimed slice until none is left,
/// so a helper the OS has descheduled (a machine busy with other work) costs nothing but its share: the caller runs
/// the slices nobody took instead of waiting for it. Statically assigned slices made the caller wait for a helper that
/// was not running: on a machine with load 20 on 2 cores, 2-thread inference at batch 16 took 13 ms against 2.3 ms
/// on one thread (docs/benchmarks.md, issue 16). Which thread runs a slice never changes what it computes (its index
/// and bounds are the same), so results stay independent of the scheduling.</summary>
internal sealed class WorkerTeam
{
    /// <summary>How long an idle helper spins before it blocks: about 1 ms.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000;

    private static WorkerTeam? _shared;
    private static readonly Lock CreateGate = new();

    private readonly Lock _busy = new();
    private readonly SemaphoreSlim[] _wake;
    private readonly int[] _sleeping, _posted;  // per helper: asleep; sections posted to it
    private int _remaining, _workers, _count;
    private long _state;  // section generation (high 32 bits) and its next unclaimed slice (low 32 bits)
    private Action<int, int, int>? _body;
    private ExceptionDispatchInfo? _error;

    private WorkerTeam(int helpers)
    {
        _wake = new SemaphoreSlim[helpers + 1];
        _sleeping = new int[helpers + 1];
        _posted = new int[helpers + 1];
        for (int h = 1; h <= helpers; h++)
        {
            _wake[h] = new SemaphoreSlim(0);
            int index = h;
            // Started without the creator's ExecutionContext: these threads live for the process, not for the
            // Tensor.Scope (or other async-local state) that happened to be current when the team was made.
            using (ExecutionContext.SuppressFlow())
                new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"ConvSharp worker {h}" }.Start();
        }
    }

    /// <summary>Threads that can run a section at once: the caller plus the helpers.</summary>
    public int Size => _wake.Length;

    /// <summary>The process-wide team, one thread per core (the caller counts as one), made at first use.</summary>
    public static WorkerTeam Shared
    {
        get
        {
            if (_shared is { } team) return team;
            lock (CreateGate) return _shared ??= new WorkerTeam(Math.Max(1, Environment.ProcessorCount - 1));
        }
    }

    /// <summary>Runs body(worker, start, end) for <paramref name="workers"/> even slices of [0, count): slice 0 on the
    /// calling thread, the others on helpers; returns when all are done and rethrows the first exception. Returns
    /// false without running anything when the team is busy with another thread's section or too small.</summary>
    public bool TryRun(int count, int workers, Action<int, int, int> body)
    {
        if (workers > Size || !_busy.TryEnter()) return false;
        try
        {
            _body = body;
            _count = count;
            _workers = workers;
            _error = null;
            Volatile.Write(ref _remaining, workers);
            long generation = (Volatile.Read(ref _state) >> 32) + 1;
            Interlocked.Exchange(ref _state, generation << 32);  // publishes the fields above: slice 0 is next
            for (int h = 1; h < workers; h++)
            {
                Interlocked.Increment(ref _posted[h]);  // a full fence: the helper sees the fields above
                if (Volatile.Read(ref _sleeping[h]) == 1) _wake[h].Release();
            }
            RunSlices(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            _body = null;
            _error?.Throw();
            return true;
        }
        finally
        {
            _busy.Exit();
        }
    }

    /// <summary>Claims and runs slices of section <paramref name="generation"/> until none is left. While a claimed slice
    /// runs, its section cannot complete, so the fields it reads are that section's.</summary>
    private void RunSlices(long generation)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> 32 != generation) return;
            int slice = (int)(state & 0xFFFF_FFFF);
            if (slice >= Volatile.Read(ref _workers)) return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            Run(slice);
            Interlocked.Decrement(ref _remaining);
        }
    }

    private void Run(int worker)
    {
        try
        {
            _body!(worker, (int)((long)_count * worker / _workers), (int)((long)_count * (worker + 1) / _workers));
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
        }
    }

    private void HelperLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _posted[index]) == seen)
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(50);
                    continue;
                }
                // Announce the sleep before the last look (a full fence), so a section posted meanwhile either is
                // seen here or sees the flag and wakes this helper; an extra wake-up only costs one more loop.
                Interlocked.Exchange(ref _sleeping[index], 1);
                if (Volatile.Read(ref _posted[index]) == seen) _wake[index].Wait();
                Interlocked.Exchange(ref _sleeping[index], 0);
            }
            seen = Volatile.Read(ref _posted[index]);  // a late helper catches up: it helps the newest section only
            RunSlices(Volatile.Read(ref _state) >> 32);
        }
    }
}
