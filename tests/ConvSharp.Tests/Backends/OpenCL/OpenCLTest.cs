using System.Collections.Concurrent;
using ConvSharp.Backends;
using ConvSharp.Backends.OpenCL;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>A test that needs an OpenCL device. It is skipped, with the reason Device.OpenCL() gives, only when
/// no OpenCL platform is installed at all; CI always has PoCL, so there it always runs.</summary>
public sealed class OpenCLFactAttribute : FactAttribute
{
    public OpenCLFactAttribute()
    {
        if (OpenCLTest.Unavailable is { } why) Skip = why;
    }
}

/// <summary>The theory form of <see cref="OpenCLFactAttribute"/>.</summary>
public sealed class OpenCLTheoryAttribute : TheoryAttribute
{
    public OpenCLTheoryAttribute()
    {
        if (OpenCLTest.Unavailable is { } why) Skip = why;
    }
}

/// <summary>The OpenCL tests share one device and its buffer pool (which one of them watches), so they run one
/// at a time.</summary>
[CollectionDefinition(Name)]
public sealed class OpenCLCollection
{
    public const string Name = "OpenCL device";
}

/// <summary>The device the OpenCL tests run on and the parity comparison they share.</summary>
internal static class OpenCLTest
{
    private static readonly Lazy<string?> s_unavailable = new(() =>
    {
        try
        {
            _ = Device.OpenCL();
            return null;
        }
        catch (PlatformNotSupportedException e)
        {
            return e.Message;
        }
    });

    /// <summary>Why there is no OpenCL device, or null when there is one.</summary>
    public static string? Unavailable => s_unavailable.Value;

    public static Device Device => Device.OpenCL();

    public static OpenCLKernels Kernels => (OpenCLKernels)Device.Backend;

    public static ConvSharp.Backends.Cpu.CpuKernels Cpu => (ConvSharp.Backends.Cpu.CpuKernels)ConvSharp.Device.Cpu.Backend;

    /// <summary>The largest relative error each check saw; written at exit to the file CONVSHARP_PARITY_REPORT names, if set.</summary>
    public static readonly ConcurrentDictionary<string, double> MaxErrors = new();

    static OpenCLTest()
    {
        if (Environment.GetEnvironmentVariable("CONVSHARP_PARITY_REPORT") is { Length: > 0 } path)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                File.WriteAllLines(path, MaxErrors.OrderByDescending(e => e.Value).Select(e => $"{e.Value:E2}\t{e.Key}"));
    }

    /// <summary>Element-wise relative error of the OpenCL result against the CPU's, each element measured against
    /// max(|cpu|, 1e-3·max|cpu|) so values cancelled to near zero are judged at the array's scale.
    /// Both NaN (or equal infinities) is agreement; NaN on one side only fails.</summary>
    public static double AssertClose(float[] cpu, float[] ocl, double tolerance, string what)
    {
        Assert.Equal(cpu.Length, ocl.Length);
        double scale = 0;
        foreach (float v in cpu) if (float.IsFinite(v)) scale = Math.Max(scale, Math.Abs(v));
        double worst = 0;
        for (int i = 0; i < cpu.Length; i++)
        {
            float c = cpu[i], g = ocl[i];
            if (float.IsNaN(c) || float.IsNaN(g) || float.IsInfinity(c) || float.IsInfinity(g))
            {
                Assert.True(c.Equals(g), $"{what}[{i}]: OpenCL {g}, CPU {c}");
                continue;
            }
            double err = Math.Abs((double)g - c) / Math.Max(Math.Max(Math.Abs(c), 1e-3 * scale), 1e-30);
            if (c == g) err = 0;
            worst = Math.Max(worst, err);
            Assert.True(err <= tolerance, $"{what}[{i}]: OpenCL {g}, CPU {c} (relative error {err:E2} > {tolerance:E0})");
        }
        MaxErrors.AddOrUpdate(what, worst, (_, old) => Math.Max(old, worst));
        return worst;
    }

    public static float[] Random(Random rng, long count, float low = -1f, float high = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = low + (float)rng.NextDouble() * (high - low);
        return values;
    }
}

/// <summary>The same values on the CPU and on the OpenCL device, for one kernel argument.</summary>
internal sealed class BufferPair : IDisposable
{
    private readonly DeviceBuffer _cpu, _ocl;

    public BufferPair(float[] values)
    {
        Length = values.Length;
        _cpu = OpenCLTest.Cpu.Allocate(values.Length, zero: false);
        _ocl = OpenCLTest.Kernels.Allocate(values.Length, zero: false);
        OpenCLTest.Cpu.Upload(values, Cpu);
        OpenCLTest.Kernels.Upload(values, Ocl);
    }

    public static BufferPair Random(Random rng, long count, float low = -1f, float high = 1f) => new(OpenCLTest.Random(rng, count, low, high));

    public long Length { get; }

    public BufferSlice Cpu => new(_cpu, 0, Length);

    public BufferSlice Ocl => new(_ocl, 0, Length);

    public float[] CpuValues()
    {
        var values = new float[Length];
        OpenCLTest.Cpu.Download(Cpu, values);
        return values;
    }

    public float[] OclValues()
    {
        var values = new float[Length];
        OpenCLTest.Kernels.Download(Ocl, values);
        return values;
    }

    public double AssertClose(string what, double tolerance = 1e-4) => OpenCLTest.AssertClose(CpuValues(), OclValues(), tolerance, what);

    /// <summary>Integer payloads (argmax offsets stored as int bits) must match exactly.</summary>
    public void AssertBitsEqual(string what)
    {
        int[] c = Array.ConvertAll(CpuValues(), BitConverter.SingleToInt32Bits), g = Array.ConvertAll(OclValues(), BitConverter.SingleToInt32Bits);
        Assert.True(c.SequenceEqual(g), $"{what}: the OpenCL values differ from the CPU's bit for bit");
    }

    public void Dispose()
    {
        _cpu.Release();
        _ocl.Release();
    }
}
