using ConvSharp.Backends;
using ConvSharp.Backends.Cpu;

namespace ConvSharp;

/// <summary>The kinds of device a tensor can live on.</summary>
public enum DeviceType
{
    /// <summary>Host memory; kernels from libconvsharp_native.so and OpenBLAS.</summary>
    Cpu,
    /// <summary>An OpenCL device (the optional GPU backend).</summary>
    OpenCL,
}

/// <summary>Where a tensor's storage lives and which kernels run on it.
/// <see cref="Cpu"/> is the default for everything created without a device.</summary>
public sealed partial class Device : IEquatable<Device>
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu, 0, "cpu");

    private readonly Lazy<IKernels> _kernels;

    private Device(DeviceType type, int index, string name, Func<Device, IKernels>? kernels = null)
    {
        Type = type;
        Index = index;
        Name = name;
        _kernels = new Lazy<IKernels>(() => new CheckedKernels(kernels is null ? new CpuKernels(this) : kernels(this)));
    }

    /// <summary>The kind of device.</summary>
    public DeviceType Type { get; }

    /// <summary>The device's index among devices of its type (0 for the CPU).</summary>
    public int Index { get; }

    /// <summary>A short name, as PyTorch prints it: "cpu", "opencl:0".</summary>
    public string Name { get; }

    /// <summary>The kernels every op on this device runs through: the backend behind the one set of slice checks.</summary>
    internal IKernels Kernels => _kernels.Value;

    /// <summary>The backend itself, without the checks (tests and diagnostics).</summary>
    internal IKernels Backend => ((CheckedKernels)_kernels.Value).Backend;

    /// <summary>A device backed by another kernel set; the seam the OpenCL backend plugs into.</summary>
    internal static Device Create(DeviceType type, int index, string name, Func<Device, IKernels> kernels) =>
        new(type, index, name, kernels);

    /// <inheritdoc />
    public bool Equals(Device? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <inheritdoc />
    public override string ToString() => Name;
}
