namespace ConvSharp.Backends.OpenCL;

/// <summary>Commands one thread has issued on one OpenCL context: kernel launches, device-side copies, blocking reads to the host
/// (Item, ToArray, To(Device.Cpu)), blocking writes from unpinned host memory, and explicit waits (clFinish, also
/// issued after every 64 asynchronous uploads). Subtract two snapshots for the commands of one training step.</summary>
internal readonly record struct OpenCLCounters(long Launches, long Copies, long BlockingReads, long BlockingWrites, long Finishes)
{
    public static OpenCLCounters operator -(OpenCLCounters a, OpenCLCounters b) =>
        new(a.Launches - b.Launches, a.Copies - b.Copies, a.BlockingReads - b.BlockingReads,
            a.BlockingWrites - b.BlockingWrites, a.Finishes - b.Finishes);

    /// <summary>Every command that makes the host wait for the device.</summary>
    public long HostWaits => BlockingReads + BlockingWrites + Finishes;
}
