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
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Initialized(int* flag);

        // int MPI_Finalized(int *flag);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Finalized(int* flag);

        // int MPI_Init(int *argc, char ***argv);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Init(int* argc, byte*** argv);

        // int MPI_Finalize(void);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Finalize();

        // int MPI_Abort(MPI_Comm comm, int errorcode);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Abort(nint comm, int errorCode);

        // int MPI_Get_library_version(char *version, int *resultlen);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Get_library_version(byte* version, int* length);

        // int MPI_Error_string(int errorcode, char *string, int *resultlen);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Error_string(int errorCode, byte* text, int* length);

        // int MPI_Comm_rank(MPI_Comm comm, int *rank);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Comm_rank(nint comm, int* rank);

        // int MPI_Comm_size(MPI_Comm comm, int *size);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Comm_size(nint comm, int* size);

        // int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Comm_set_errhandler(nint comm, nint errhandler);

        // int MPI_Ibarrier(MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Ibarrier(nint comm, nint* request);

        // int MPI_Ibcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Ibcast(void* buffer, int count, nint datatype, int root, nint comm, nint* request);

        // int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
        //                    MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Iallreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm, nint* request);

        // int MPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount,
        //                    MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Iallgather(void* send, int sendCount, nint sendType, void* receive, int receiveCount, nint receiveType,
            nint comm, nint* request);

        // int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status);   (status: MPI_STATUS_IGNORE = NULL in Open MPI)
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Test(nint* request, int* flag, void* status);

        // int MPI_Cancel(MPI_Request *request);
        [LibraryImport(Libraries.Mpi)]
        internal static partial int MPI_Cancel(nint* request);
    }
}
