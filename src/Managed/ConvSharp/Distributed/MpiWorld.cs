using System.Diagnostics;
using System.Text;
using static ConvSharp.Interop;

namespace ConvSharp.Distributed;

/// <summary>MPI_COMM_WORLD through Open MPI's ABI: the predefined handles, the checked calls, and the one wait
/// loop every collective goes through (MPI_Test until done or <see cref="Distributed.Timeout"/>).</summary>
internal static unsafe class MpiWorld
{
    private static nint s_comm, s_float, s_double, s_int, s_byte, s_sum, s_max;
    private static bool s_failed;

    internal static nint Comm => s_comm;

    /// <summary>Whether a collective failed in this process (then MPI is left unfinalized).</summary>
    internal static bool Failed => s_failed;

    internal static void Start(out int rank, out int size)
    {
        s_comm = NativeLibraryResolver.MpiGlobal("ompi_mpi_comm_world");
        s_float = NativeLibraryResolver.MpiGlobal("ompi_mpi_float");
        s_double = NativeLibraryResolver.MpiGlobal("ompi_mpi_double");
        s_int = NativeLibraryResolver.MpiGlobal("ompi_mpi_int");
        s_byte = NativeLibraryResolver.MpiGlobal("ompi_mpi_byte");
        s_sum = NativeLibraryResolver.MpiGlobal("ompi_mpi_op_sum");
        s_max = NativeLibraryResolver.MpiGlobal("ompi_mpi_op_max");
        nint errorsReturn = NativeLibraryResolver.MpiGlobal("ompi_mpi_errors_return");

        int flag = 0;
        Check(Mpi.MPI_Initialized(&flag), "MPI_Initialized");
        if (flag == 0) Check(Mpi.MPI_Init(null, null), "MPI_Init");
        Check(Mpi.MPI_Comm_set_errhandler(s_comm, errorsReturn), "MPI_Comm_set_errhandler");
        int r = 0, n = 0;
        Check(Mpi.MPI_Comm_rank(s_comm, &r), "MPI_Comm_rank");
        Check(Mpi.MPI_Comm_size(s_comm, &n), "MPI_Comm_size");
        rank = r;
        size = n;
    }

    internal static void Stop()
    {
        if (s_failed) return;
        int flag = 0;
        Check(Mpi.MPI_Finalized(&flag), "MPI_Finalized");
        if (flag == 0) Check(Mpi.MPI_Finalize(), "MPI_Finalize");
    }

    internal static string LibraryVersion()
    {
        byte* text = stackalloc byte[8192];
        int length = 0;
        Check(Mpi.MPI_Get_library_version(text, &length), "MPI_Get_library_version");
        return Encoding.ASCII.GetString(text, Math.Clamp(length, 0, 8192)).Trim('\0', ' ', '\n');
    }

    internal static void Barrier()
    {
        nint request;
        Check(Mpi.MPI_Ibarrier(s_comm, &request), "MPI_Ibarrier");
        Wait(ref request, "Barrier");
    }

    internal static void AllReduceSum(Span<float> values, string what)
    {
        fixed (float* p = values)
        {
            nint request = StartAllReduceSum(p, p, values.Length, what, inPlace: true);
            Wait(ref request, what);
        }
    }

    internal static void AllReduceSum(Span<double> values, string what)
    {
        fixed (double* p = values)
        {
            nint request;
            Check(Mpi.MPI_Iallreduce((void*)1, p, values.Length, s_double, s_sum, s_comm, &request), "MPI_Iallreduce", what);
            Wait(ref request, what);
        }
    }

    /// <summary>Starts a sum over all ranks of <paramref name="send"/> into <paramref name="receive"/>
    /// (MPI_Iallreduce); both must stay pinned until <see cref="Wait"/> returns.</summary>
    internal static nint StartAllReduceSum(float* send, float* receive, int count, string what, bool inPlace = false)
    {
        nint request;
        if (inPlace)
        {
            // Open MPI's MPI_IN_PLACE is ((void*)1): sums into the receive buffer without a second copy.
            Check(Mpi.MPI_Iallreduce((void*)1, receive, count, s_float, s_sum, s_comm, &request), "MPI_Iallreduce", what);
        }
        else
        {
            Check(Mpi.MPI_Iallreduce(send, receive, count, s_float, s_sum, s_comm, &request), "MPI_Iallreduce", what);
        }
        return request;
    }

    internal static int AllReduceMax(int value, string what)
    {
        int result = 0;
        nint request;
        Check(Mpi.MPI_Iallreduce(&value, &result, 1, s_int, s_max, s_comm, &request), "MPI_Iallreduce", what);
        Wait(ref request, what);
        return result;
    }

    internal static void Broadcast(Span<float> values, int root, string what)
    {
        fixed (float* p = values)
        {
            nint request;
            Check(Mpi.MPI_Ibcast(p, values.Length, s_float, root, s_comm, &request), "MPI_Ibcast", what);
            Wait(ref request, what);
        }
    }

    /// <summary>Every rank's bytes, in rank order (lengths first, then the padded bytes).</summary>
    internal static byte[][] AllGather(byte[] mine, string what)
    {
        int size = Distributed.WorldSize;
        var lengths = new int[size];
        int length = mine.Length;
        nint request;
        fixed (int* all = lengths)
        {
            Check(Mpi.MPI_Iallgather(&length, 1, s_int, all, 1, s_int, s_comm, &request), "MPI_Iallgather", what);
            Wait(ref request, what);
        }
        int longest = lengths.Max();
        var padded = new byte[longest];
        mine.CopyTo(padded, 0);
        var gathered = new byte[(long)longest * size];
        fixed (byte* send = padded)
        fixed (byte* receive = gathered)
        {
            Check(Mpi.MPI_Iallgather(send, longest, s_byte, receive, longest, s_byte, s_comm, &request), "MPI_Iallgather", what);
            Wait(ref request, what);
        }
        var result = new byte[size][];
        for (int r = 0; r < size; r++) result[r] = gathered.AsSpan(r * longest, lengths[r]).ToArray();
        return result;
    }

    /// <summary>Polls <paramref name="request"/> until it completes; throws <see cref="TimeoutException"/> after
    /// <see cref="Distributed.Timeout"/>. Spins briefly, then yields, then sleeps a millisecond per poll, so a
    /// long wait on an oversubscribed machine leaves the cores to the ranks that are still computing.</summary>
    internal static void Wait(ref nint request, string what)
    {
        long start = Stopwatch.GetTimestamp();
        TimeSpan timeout = Distributed.Timeout;
        try
        {
            for (int polls = 0; ; polls++)
            {
                int done = 0;
                fixed (nint* r = &request) Check(Mpi.MPI_Test(r, &done, null), "MPI_Test", what);
                if (done != 0) return;
                TimeSpan waited = Stopwatch.GetElapsedTime(start);
                if (waited > timeout)
                {
                    s_failed = true;
                    throw new TimeoutException(
                        $"{what} on rank {Distributed.Rank} of {Distributed.WorldSize} waited {waited.TotalSeconds:F1} s for the other ranks " +
                        $"(timeout {timeout.TotalSeconds:F1} s): a rank died, stopped, or is running a different collective. " +
                        $"Set Distributed.Timeout (or {Distributed.TimeoutVariable}) to wait longer.");
                }
                if (waited < TimeSpan.FromMilliseconds(1)) Thread.SpinWait(32);
                else if (waited < TimeSpan.FromMilliseconds(20)) Thread.Yield();
                else Thread.Sleep(1);
            }
        }
        finally
        {
            Interlocked.Add(ref Distributed.s_communicationTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    internal static void Check(int code, string call, string? what = null)
    {
        if (code == Mpi.Success) return;
        s_failed = true;
        byte* text = stackalloc byte[1024];
        int length = 0;
        string message = Mpi.MPI_Error_string(code, text, &length) == Mpi.Success ? Encoding.ASCII.GetString(text, Math.Clamp(length, 0, 1024)) : "(no error text)";
        throw new MpiException(what is null ? call : $"{call} ({what})", code, message);
    }
}
