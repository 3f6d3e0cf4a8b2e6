using System.Text;

namespace ConvSharp.Backends.OpenCL;

/// <summary>One OpenCL device as the driver describes it (what <c>convsharp devices</c> lists).</summary>
/// <param name="PlatformIndex">Index of its platform in the ICD loader's list.</param>
/// <param name="DeviceIndex">Index of the device within its platform.</param>
/// <param name="PlatformName">The platform, e.g. "Portable Computing Language".</param>
/// <param name="Name">The device, e.g. "pthread-skylake-avx512-AMD EPYC".</param>
/// <param name="Vendor">The device vendor.</param>
/// <param name="DriverVersion">CL_DRIVER_VERSION.</param>
/// <param name="Version">CL_DEVICE_VERSION, e.g. "OpenCL 1.2 PoCL ...".</param>
/// <param name="IsGpu">Whether the device reports itself as a GPU.</param>
/// <param name="ComputeUnits">CL_DEVICE_MAX_COMPUTE_UNITS.</param>
/// <param name="GlobalMemoryBytes">CL_DEVICE_GLOBAL_MEM_SIZE.</param>
/// <param name="HasFp64">Whether it supports double precision (cl_khr_fp64); long sums then accumulate in double, as on the CPU.</param>
public sealed record OpenCLDeviceInfo(int PlatformIndex, int DeviceIndex, string PlatformName, string Name, string Vendor,
    string DriverVersion, string Version, bool IsGpu, int ComputeUnits, long GlobalMemoryBytes, bool HasFp64)
{
    internal nint PlatformId { get; init; }
    internal nint DeviceId { get; init; }
    internal long MaxWorkGroupSize { get; init; }
    internal long LocalMemoryBytes { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{PlatformIndex}:{DeviceIndex} {Name} ({(IsGpu ? "GPU" : "CPU/other")}, {PlatformName}, {Version}, driver {DriverVersion}, " +
        $"{ComputeUnits} compute units, {GlobalMemoryBytes / (1024 * 1024)} MiB{(HasFp64 ? ", fp64" : "")})";
}

/// <summary>Enumerates the platforms and devices the ICD loader knows.</summary>
internal static unsafe class OpenCLDiscovery
{
    private const uint PlatformName = 0x0902, PlatformVersion = 0x0901;
    private const uint DeviceType = 0x1000, DeviceMaxComputeUnits = 0x1002, DeviceMaxWorkGroupSize = 0x1004,
        DeviceGlobalMemSize = 0x101F, DeviceLocalMemSize = 0x1023, DeviceName = 0x102B, DeviceVendor = 0x102C,
        DriverVersion = 0x102D, DeviceVersion = 0x102F, DeviceExtensions = 0x1030;
    private const ulong TypeGpu = 4, TypeAll = 0xFFFFFFFF;

    /// <summary>Every device of every platform, or an empty list when there is no loader or no platform
    /// (<paramref name="why"/> then says what happened).</summary>
    public static IReadOnlyList<OpenCLDeviceInfo> Enumerate(out string? why)
    {
        why = null;
        if (!OpenCLApi.IsLoaded)
        {
            why = OpenCLApi.LoadError;
            return [];
        }
        var cl = OpenCLApi.Cl;
        uint count;
        int status = cl.GetPlatformIDs(0, null, &count);
        if (status != 0 || count == 0)
        {
            why = status == 0 ? null : $"clGetPlatformIDs returned {OpenCLApi.ErrorName(status)}";
            return [];
        }
        var platforms = new nint[count];
        fixed (nint* p = platforms) OpenCLApi.Check(cl.GetPlatformIDs(count, p, null), "clGetPlatformIDs");
        var result = new List<OpenCLDeviceInfo>();
        for (int pi = 0; pi < platforms.Length; pi++)
        {
            uint devices;
            if (cl.GetDeviceIDs(platforms[pi], (Silk.NET.OpenCL.DeviceType)TypeAll, 0, null, &devices) != 0 || devices == 0) continue;
            var ids = new nint[devices];
            fixed (nint* d = ids) OpenCLApi.Check(cl.GetDeviceIDs(platforms[pi], (Silk.NET.OpenCL.DeviceType)TypeAll, devices, d, null), "clGetDeviceIDs");
            string platformName = PlatformString(platforms[pi], PlatformName);
            for (int di = 0; di < ids.Length; di++)
            {
                nint id = ids[di];
                result.Add(new OpenCLDeviceInfo(pi, di, platformName, DeviceString(id, DeviceName), DeviceString(id, DeviceVendor),
                    DeviceString(id, DriverVersion), DeviceString(id, DeviceVersion), (DeviceValue<ulong>(id, DeviceType) & TypeGpu) != 0,
                    (int)DeviceValue<uint>(id, DeviceMaxComputeUnits), (long)DeviceValue<ulong>(id, DeviceGlobalMemSize),
                    DeviceString(id, DeviceExtensions).Contains("cl_khr_fp64", StringComparison.Ordinal))
                {
                    PlatformId = platforms[pi],
                    DeviceId = id,
                    MaxWorkGroupSize = (long)DeviceValue<nuint>(id, DeviceMaxWorkGroupSize),
                    LocalMemoryBytes = (long)DeviceValue<ulong>(id, DeviceLocalMemSize),
                });
            }
        }
        return result;
    }

    /// <summary>CL_PLATFORM_VERSION of a platform (part of the program cache key).</summary>
    public static string PlatformVersionOf(nint platform) => PlatformString(platform, PlatformVersion);

    private static string PlatformString(nint platform, uint param)
    {
        var cl = OpenCLApi.Cl;
        nuint size;
        OpenCLApi.Check(cl.GetPlatformInfo(platform, (Silk.NET.OpenCL.PlatformInfo)param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes) OpenCLApi.Check(cl.GetPlatformInfo(platform, (Silk.NET.OpenCL.PlatformInfo)param, size, b, null), "clGetPlatformInfo");
        return Text(bytes);
    }

    private static string DeviceString(nint device, uint param)
    {
        var cl = OpenCLApi.Cl;
        nuint size;
        OpenCLApi.Check(cl.GetDeviceInfo(device, (Silk.NET.OpenCL.DeviceInfo)param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes) OpenCLApi.Check(cl.GetDeviceInfo(device, (Silk.NET.OpenCL.DeviceInfo)param, size, b, null), "clGetDeviceInfo");
        return Text(bytes);
    }

    private static T DeviceValue<T>(nint device, uint param) where T : unmanaged
    {
        T value = default;
        OpenCLApi.Check(OpenCLApi.Cl.GetDeviceInfo(device, (Silk.NET.OpenCL.DeviceInfo)param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
}
