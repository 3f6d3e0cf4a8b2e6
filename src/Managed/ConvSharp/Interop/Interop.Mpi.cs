using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    /// <summary>The MPI entry points ConvSharp.Distributed calls, in Open MPI's ABI (libmpi.so.40): handles
    /// (MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler, MPI_Request) are pointers, and the predefined ones are
    /// the addresses of exported globals (resolved in Distributed/MpiWorld.cs). Every call returns an MPI error code
    /// (0 = MPI_SUCCESS) once the communicator's error handler is MPI_ERRORS_RETURN. Only the non-blocking
    /// collectives are used, so every wait can time out.</summary>
    internal static unsafe partial class Mpi
    {
        internal const int Success = 0;

        // int MPI_Initialized(int *flag);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Initialized")]
        internal static partial int Initialized(int* flag);

        // int MPI_Finalized(int *flag);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Finalized")]
        internal static partial int Finalized(int* flag);

        // int MPI_Init(int *argc, char ***argv);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Init")]
        internal static partial int Init(int* argc, byte*** argv);

        // int MPI_Finalize(void);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Finalize")]
        internal static partial int FinalizeMpi();

        // int MPI_Abort(MPI_Comm comm, int errorcode);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Abort")]
        internal static partial int Abort(nint comm, int errorCode);

        // int MPI_Get_library_version(char *version, int *resultlen);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Get_library_version")]
        internal static partial int GetLibraryVersion(byte* version, int* length);

        // int MPI_Error_string(int errorcode, char *string, int *resultlen);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Error_string")]
        internal static partial int ErrorString(int errorCode, byte* text, int* length);

        // int MPI_Comm_rank(MPI_Comm comm, int *rank);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Comm_rank")]
        internal static partial int CommRank(nint comm, int* rank);

        // int MPI_Comm_size(MPI_Comm comm, int *size);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Comm_size")]
        internal static partial int CommSize(nint comm, int* size);

        // int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Comm_set_errhandler")]
        internal static partial int CommSetErrhandler(nint comm, nint errhandler);

        // int MPI_Ibarrier(MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Ibarrier")]
        internal static partial int Ibarrier(nint comm, nint* request);

        // int MPI_Ibcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Ibcast")]
        internal static partial int Ibcast(void* buffer, int count, nint datatype, int root, nint comm, nint* request);

        // int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
        //                    MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Iallreduce")]
        internal static partial int Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm, nint* request);

        // int MPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount,
        //                    MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Iallgather")]
        internal static partial int Iallgather(void* send, int sendCount, nint sendType, void* receive, int receiveCount, nint receiveType,
            nint comm, nint* request);

        // int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status);   (status: MPI_STATUS_IGNORE = NULL in Open MPI)
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Test")]
        internal static partial int Test(nint* request, int* flag, void* status);

        // int MPI_Cancel(MPI_Request *request);
        [LibraryImport(Libraries.Mpi, EntryPoint = "MPI_Cancel")]
        internal static partial int Cancel(nint* request);
    }
}
