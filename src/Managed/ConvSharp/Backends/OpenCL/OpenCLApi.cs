using Silk.NET.OpenCL;

namespace ConvSharp.Backends.OpenCL;

/// <summary>The process's one binding to the OpenCL ICD loader (libOpenCL.so.1 through Silk.NET), and the
/// status-code check every call goes through.</summary>
internal static class OpenCLApi
{
    private static readonly Lazy<(CL? Api, string? Error)> s_api = new(Load);

    /// <summary>The bound API; throws <see cref="NotSupportedException"/> with install advice when no loader exists.</summary>
    public static CL Cl => s_api.Value.Api ?? throw new NotSupportedException(NoPlatformMessage(s_api.Value.Error));

    /// <summary>Whether the loader could be bound (says nothing about platforms).</summary>
    public static bool IsLoaded => s_api.Value.Api is not null;

    /// <summary>Why binding failed, or null.</summary>
    public static string? LoadError => s_api.Value.Error;

    private static (CL?, string?) Load()
    {
        try
        {
            return (CL.GetApi(), null);
        }
        catch (Exception e) when (e is DllNotFoundException or FileNotFoundException or EntryPointNotFoundException or TypeInitializationException
                                      or InvalidOperationException or PlatformNotSupportedException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The message Device.OpenCL() gives when there is nothing to run on: what was searched, how to fix it.</summary>
    public static string NoPlatformMessage(string? detail) =>
        "No OpenCL platform was found: ConvSharp asked the OpenCL ICD loader (libOpenCL.so.1) for platforms" +
        (detail is null ? " and it reported none" : $", but it could not be loaded ({detail})") +
        ". Install the loader and a driver: for the CPU, PoCL (Debian/Ubuntu: apt-get install ocl-icd-libopencl1 pocl-opencl-icd); " +
        "for a GPU, the vendor's OpenCL driver (NVIDIA's driver package, AMD ROCm/amdgpu-pro, Intel compute-runtime). " +
        "The loader finds drivers through the .icd files in /etc/OpenCL/vendors.";

    /// <summary>Throws when an OpenCL call did not return CL_SUCCESS, naming the call and the error.</summary>
    public static void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"OpenCL {call} failed with {ErrorName(status)} ({status}).");
    }

    public static string ErrorName(int status) => status switch
    {
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -30 => "CL_INVALID_VALUE",
        -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -38 => "CL_INVALID_MEM_OBJECT",
        -42 => "CL_INVALID_BINARY",
        -44 => "CL_INVALID_PROGRAM",
        -45 => "CL_INVALID_PROGRAM_EXECUTABLE",
        -46 => "CL_INVALID_KERNEL_NAME",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "an OpenCL error",
    };
}
