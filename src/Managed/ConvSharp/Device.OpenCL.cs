using ConvSharp.Backends.OpenCL;

namespace ConvSharp;

public sealed partial class Device
{
    /// <summary>The environment variable that picks the device <see cref="OpenCL()"/> returns, as
    /// "platform:device" indices (e.g. "0:1"), as <c>convsharp devices</c> lists them.</summary>
    public const string OpenCLDeviceVariable = "CONVSHARP_OPENCL_DEVICE";

    private static readonly Lock s_openClLock = new();
    private static readonly Dictionary<(int Platform, int Device), Device> s_openClDevices = [];

    /// <summary>The OpenCL device this is, or null for the CPU.</summary>
    public OpenCLDeviceInfo? OpenCLInfo { get; private init; }

    /// <summary>Every OpenCL device the installed drivers report (empty when there is no OpenCL platform).</summary>
    public static IReadOnlyList<OpenCLDeviceInfo> OpenCLDevices() => OpenCLDiscovery.Enumerate(out _);

    /// <summary>An OpenCL device: the one <see cref="OpenCLDeviceVariable"/> names when it is set, else the first GPU,
    /// else the first device of any kind. The same <see cref="Device"/> object is returned for the same device every
    /// time; its context, queue and compiled kernels are made on the first call.</summary>
    /// <exception cref="PlatformNotSupportedException">No OpenCL platform or device is installed; the message says
    /// what was searched and how to install a driver.</exception>
    public static Device OpenCL()
    {
        if (ParseDeviceVariable(Environment.GetEnvironmentVariable(OpenCLDeviceVariable)) is var (p, d))
            return OpenCL(p, d);
        var devices = FoundDevices();
        var info = devices.FirstOrDefault(x => x.IsGpu) ?? devices[0];
        return OpenCL(info.PlatformIndex, info.DeviceIndex);
    }

    /// <summary>The (platform, device) a CONVSHARP_OPENCL_DEVICE value names, or null when it is unset or blank.</summary>
    internal static (int Platform, int Device)? ParseDeviceVariable(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        string[] parts = value.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int p) || !int.TryParse(parts[1], out int d) || p < 0 || d < 0)
            throw new InvalidOperationException(
                $"{OpenCLDeviceVariable}=\"{value}\" is not \"platform:device\" (two indices, e.g. \"0:1\"); `convsharp devices` lists them.");
        return (p, d);
    }

    /// <summary>OpenCL device <paramref name="deviceIndex"/> of platform <paramref name="platformIndex"/>
    /// (the indices <see cref="OpenCLDevices"/> reports).</summary>
    public static Device OpenCL(int platformIndex, int deviceIndex)
    {
        lock (s_openClLock)
        {
            if (s_openClDevices.TryGetValue((platformIndex, deviceIndex), out var known)) return known;
            var devices = FoundDevices();
            var info = devices.FirstOrDefault(x => x.PlatformIndex == platformIndex && x.DeviceIndex == deviceIndex)
                ?? throw new ArgumentOutOfRangeException(nameof(deviceIndex), $"{platformIndex}:{deviceIndex}",
                    $"There is no OpenCL device {platformIndex}:{deviceIndex}; found: {string.Join("; ", devices.Select(x => $"{x.PlatformIndex}:{x.DeviceIndex} {x.Name}"))}.");
            var context = new OpenCLContext(info);
            int index = devices.ToList().IndexOf(info);
            var device = new Device(DeviceType.OpenCL, index, $"opencl:{platformIndex}:{deviceIndex}", d => new OpenCLKernels(d, context))
            {
                OpenCLInfo = info,
            };
            s_openClDevices[(platformIndex, deviceIndex)] = device;
            return device;
        }
    }

    /// <summary>Waits until every kernel queued on this device has run (PyTorch's <c>cuda.synchronize</c>); the CPU runs
    /// everything synchronously, so there it returns at once. Reading a tensor (ToArray, Item) waits by itself.</summary>
    public void Synchronize()
    {
        Kernels.Synchronize();
    }

    private static IReadOnlyList<OpenCLDeviceInfo> FoundDevices()
    {
        var devices = OpenCLDiscovery.Enumerate(out string? why);
        if (devices.Count == 0) throw new PlatformNotSupportedException(OpenCLApi.NoPlatformMessage(why));
        return devices;
    }
}
