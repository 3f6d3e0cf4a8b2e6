using System.Diagnostics;
using System.Globalization;

namespace ConvSharp.Distributed;

/// <summary>The process group of a data-parallel run (PyTorch's <c>torch.distributed</c> over the MPI backend):
/// N copies of one program started by <c>mpirun -np N</c>, each with its <see cref="Rank"/> in 0..N−1.
/// Communication runs on Open MPI (libmpi.so.40 through [LibraryImport]); ConvSharp has no socket protocol
/// of its own. Started without an MPI launcher, the group is this process alone: <see cref="WorldSize"/> is 1,
/// <see cref="Rank"/> 0 and every collective is a no-op, so one script serves both.
/// <para>Failure: MPI's error handler is set to return errors, which become <see cref="MpiException"/>; every
/// collective is started non-blocking and waited for at most <see cref="Timeout"/>, after which it throws
/// <see cref="TimeoutException"/> instead of hanging on a rank that died or stopped participating.</para></summary>
public static partial class Distributed
{
    private static readonly Lock s_gate = new();
    private static bool s_initialized;
    private static bool s_usesMpi;
    private static bool s_finalized;
    private static int s_rank;
    private static int s_worldSize = 1;

    /// <summary>The variable that sets the default <see cref="Timeout"/>, in seconds.</summary>
    public const string TimeoutVariable = "CONVSHARP_DISTRIBUTED_TIMEOUT";

    /// <summary>Whether this process was started by an MPI launcher (Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE;
    /// PMI-based launchers such as Slurm's srun set PMI_SIZE or PMIX_RANK).</summary>
    public static bool IsLaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 } ||
        Environment.GetEnvironmentVariable("PMI_SIZE") is { Length: > 0 } ||
        Environment.GetEnvironmentVariable("PMIX_RANK") is { Length: > 0 };

    /// <summary>Whether <see cref="Init"/> has run (and <see cref="Finalize"/> has not).</summary>
    public static bool IsInitialized { get { lock (s_gate) return s_initialized && !s_finalized; } }

    /// <summary>This process's index in the group, 0..<see cref="WorldSize"/>−1 (0 before <see cref="Init"/>).</summary>
    public static int Rank => s_rank;

    /// <summary>The number of processes in the group (1 before <see cref="Init"/> and without an MPI launcher).</summary>
    public static int WorldSize => s_worldSize;

    /// <summary>Whether this process is rank 0, the one that prints and writes files.</summary>
    public static bool IsMain => s_rank == 0;

    /// <summary>How long one collective (barrier, broadcast, all-reduce) may wait for the other ranks before it
    /// throws <see cref="TimeoutException"/>. Default: 300 s, or <see cref="TimeoutVariable"/> seconds.</summary>
    public static TimeSpan Timeout
    {
        get => s_timeout;
        set
        {
            if (!(value > TimeSpan.Zero))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The distributed timeout must be positive, but is {value}.");
            s_timeout = value;
        }
    }
    private static TimeSpan s_timeout = DefaultTimeout();

    /// <summary>Joins the process group: under an MPI launcher, initialises MPI (once), makes errors return
    /// instead of aborting, and reads <see cref="Rank"/> and <see cref="WorldSize"/>; otherwise sets up a group
    /// of one. Calling it again returns a new session over the same group. Dispose the session (or call
    /// <see cref="Finalize"/>) when training is over.</summary>
    /// <param name="timeout">Overrides <see cref="Timeout"/>.</param>
    /// <exception cref="DllNotFoundException">Launched by MPI, but no Open MPI library loads (the message says what was tried and the fix).</exception>
    /// <exception cref="NotSupportedException">The MPI library is not Open MPI (for example MPICH).</exception>
    public static DistributedSession Init(TimeSpan? timeout = null)
    {
        if (timeout is { } t) Timeout = t;
        lock (s_gate)
        {
            if (s_finalized)
                throw new InvalidOperationException("Distributed.Init() was called after Distributed.Finalize(): MPI can be initialised once per process.");
            if (!s_initialized)
            {
                if (IsLaunchedByMpi) MpiWorld.Start(out s_rank, out s_worldSize);
                s_usesMpi = IsLaunchedByMpi;
                s_initialized = true;
            }
        }
        return new DistributedSession();
    }

    /// <summary>Initialises the group when nothing has yet (what DistributedDataParallel and SyncBatchNorm call).</summary>
    internal static void EnsureInitialized()
    {
        if (!IsInitialized) Init();
    }

    /// <summary>Blocks until every rank has reached it (MPI_Ibarrier, waited for at most <see cref="Timeout"/>).</summary>
    public static void Barrier()
    {
        if (!ActiveMpi("Barrier")) return;
        MpiWorld.Barrier();
    }

    /// <summary>Sums <paramref name="values"/> element-wise over all ranks, in place (every rank gets the sum).</summary>
    public static void AllReduce(Span<float> values)
    {
        if (!ActiveMpi("AllReduce") || values.IsEmpty) return;
        MpiWorld.AllReduceSum(values, "AllReduce");
    }

    /// <summary>Sums a CPU tensor element-wise over all ranks, in place (PyTorch's <c>all_reduce</c>, op SUM).</summary>
    public static void AllReduce(Tensor tensor)
    {
        Guard.NotNull(tensor);
        if (!ActiveMpi("AllReduce")) return;
        float[] values = tensor.ToArray();
        MpiWorld.AllReduceSum(values, "AllReduce");
        tensor.CopyFrom(values);
    }

    /// <summary>Overwrites <paramref name="values"/> on every rank with rank <paramref name="source"/>'s values.</summary>
    public static void Broadcast(Span<float> values, int source = 0)
    {
        CheckRank(source);
        if (!ActiveMpi("Broadcast") || values.IsEmpty) return;
        MpiWorld.Broadcast(values, source, "Broadcast");
    }

    /// <summary>Overwrites a tensor on every rank with rank <paramref name="source"/>'s values (PyTorch's <c>broadcast</c>).</summary>
    public static void Broadcast(Tensor tensor, int source = 0)
    {
        Guard.NotNull(tensor);
        CheckRank(source);
        if (!ActiveMpi("Broadcast")) return;
        float[] values = tensor.ToArray();
        MpiWorld.Broadcast(values, source, "Broadcast");
        tensor.CopyFrom(values);
    }

    /// <summary>Leaves the group: finalises MPI (a world of one can be joined again afterwards). After a collective failed (timeout or MPI error) the other ranks
    /// may be gone, so MPI is not finalised (that would wait for them); the process should exit with an error.</summary>
#pragma warning disable CS0465 // PyTorch-like name for the MPI call; this is a static method, not a destructor.
    public static void Finalize()
#pragma warning restore CS0465
    {
        lock (s_gate)
        {
            if (!s_initialized || s_finalized) return;
            if (!s_usesMpi)
            {
                s_initialized = false;  // a world of one holds nothing: it can be joined again
                return;
            }
            s_finalized = true;
            MpiWorld.Stop();
        }
    }

    /// <summary>Whether MPI is to be called: false for a group of one; throws before Init under a launcher.</summary>
    internal static bool ActiveMpi(string what)
    {
        lock (s_gate)
        {
            if (s_finalized) throw new InvalidOperationException($"Distributed.{what}: the process group was finalized.");
            if (!s_initialized)
            {
                if (IsLaunchedByMpi)
                    throw new InvalidOperationException($"Distributed.{what} was called before Distributed.Init() in a process started by mpirun; call Distributed.Init() first.");
                return false;
            }
            return s_usesMpi && s_worldSize > 1;
        }
    }

    private static void CheckRank(int source)
    {
        if ((uint)source >= (uint)Math.Max(1, s_worldSize))
            throw new ArgumentOutOfRangeException(nameof(source), source, $"source must be a rank in 0..{s_worldSize - 1}, but is {source}.");
    }

    private static TimeSpan DefaultTimeout()
    {
        string? text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (text is { Length: > 0 } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0)
            return TimeSpan.FromSeconds(seconds);
        return TimeSpan.FromSeconds(300);
    }

    /// <summary>Time spent waiting in collectives since the process started (for the scaling figures).</summary>
    public static TimeSpan CommunicationTime => Stopwatch.GetElapsedTime(0, s_communicationTicks);
    internal static long s_communicationTicks;
}

/// <summary>A joined process group; <see cref="Dispose"/> calls <see cref="Distributed.Finalize"/>.</summary>
public sealed class DistributedSession : IDisposable
{
    internal DistributedSession() { }

    /// <summary>This process's rank.</summary>
    public int Rank => Distributed.Rank;

    /// <summary>The number of processes.</summary>
    public int WorldSize => Distributed.WorldSize;

    /// <summary>Finalises MPI (safe to call twice).</summary>
    public void Dispose() => Distributed.Finalize();
}

/// <summary>An MPI call returned an error (MPI_ERRORS_RETURN is set on the world communicator).</summary>
public sealed class MpiException : Exception
{
    /// <summary>An error from <paramref name="call"/> with MPI's error code and text.</summary>
    public MpiException(string call, int errorCode, string text)
        : base($"{call} failed on rank {Distributed.Rank} of {Distributed.WorldSize} with MPI error {errorCode}: {text}")
    {
        Call = call;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function that failed.</summary>
    public string Call { get; }

    /// <summary>MPI's error code.</summary>
    public int ErrorCode { get; }
}
