using System.Runtime.InteropServices;

namespace ConvSharp.Backends.OpenCL;

// Every OpenCL object ConvSharp creates is held by one of these, so it is released exactly once, even
// when its owner is finalized instead of disposed. Silk.NET hands back bare nint values: they are
// wrapped the moment they are created.

internal abstract class OpenCLHandle : SafeHandle
{
    protected OpenCLHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw handle for a call; throws once released.</summary>
    public nint Value => IsClosed ? throw new ObjectDisposedException(GetType().Name) : handle;
}

internal sealed class OpenCLContextHandle(nint handle) : OpenCLHandle(handle)
{
    protected override bool ReleaseHandle() => OpenCLApi.Cl.ReleaseContext(handle) == 0;
}

internal sealed class OpenCLQueueHandle(nint handle) : OpenCLHandle(handle)
{
    protected override bool ReleaseHandle() => OpenCLApi.Cl.ReleaseCommandQueue(handle) == 0;
}

internal sealed class OpenCLProgramHandle(nint handle) : OpenCLHandle(handle)
{
    protected override bool ReleaseHandle() => OpenCLApi.Cl.ReleaseProgram(handle) == 0;
}

internal sealed class OpenCLKernelHandle(nint handle) : OpenCLHandle(handle)
{
    protected override bool ReleaseHandle() => OpenCLApi.Cl.ReleaseKernel(handle) == 0;
}

internal sealed class OpenCLMemHandle(nint handle) : OpenCLHandle(handle)
{
    protected override bool ReleaseHandle() => OpenCLApi.Cl.ReleaseMemObject(handle) == 0;
}
