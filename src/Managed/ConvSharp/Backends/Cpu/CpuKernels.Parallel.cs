namespace ConvSharp.Backends.Cpu;

// How the CPU splits work over cores: ParallelFor runs independent ranges on persistent spinning helper threads
// (WorkerTeam), with OpenBLAS on one thread meanwhile. Only this backend uses it; ops never see workers.
internal sealed unsafe partial class CpuKernels
{
    private static readonly Lock ThreadGate = new();
    private static int _parallelSections, _savedThreads;

    /// <summary>Workers a parallel section runs: the thread setting (<see cref="Blas.NumThreads"/>).</summary>
    public int Workers
    {
        get
        {
            // The user's setting even while another thread's section has OpenBLAS at 1: the worker count decides
            // how weight gradients are split and summed, so it must not depend on what other threads run.
            lock (ThreadGate) return _parallelSections > 0 ? _savedThreads : Interop.OpenBlas.openblas_get_num_threads();
        }
    }

    public void ParallelFor(int count, int workers, Action<int, int, int> body)
    {
        workers = Math.Clamp(Math.Min(workers, count), 1, Math.Max(1, count));
        // The body's GEMMs always run on one OpenBLAS thread, even with one worker: a GEMM's last bits depend
        // on how OpenBLAS splits it, so this keeps an op's result independent of the thread setting and of
        // other threads' parallel sections (concurrent inference gives exactly the sequential results).
        // Whole images per core also scale better than each image's GEMM split across threads.
        EnterSection();
        try
        {
            if (workers == 1)
                body(0, 0, count);
            else if (!WorkerTeam.Shared.TryRun(count, workers, body))
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                    i => body(i, (int)((long)count * i / workers), (int)((long)count * (i + 1) / workers)));
        }
        finally { ExitSection(); }
    }

    /// <summary>Starts a section: OpenBLAS runs on one thread until the matching <see cref="ExitSection"/>.
    /// Concurrent sections share one saved setting.</summary>
    private static void EnterSection()
    {
        lock (ThreadGate)
        {
            if (_parallelSections++ == 0) _savedThreads = Interop.OpenBlas.openblas_get_num_threads();
            if (_savedThreads > 1) Interop.OpenBlas.openblas_set_num_threads(1);
        }
    }

    private static void ExitSection()
    {
        lock (ThreadGate)
            if (--_parallelSections == 0 && _savedThreads > 1) Interop.OpenBlas.openblas_set_num_threads(_savedThreads);
    }

}
