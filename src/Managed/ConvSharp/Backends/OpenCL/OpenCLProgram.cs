using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace ConvSharp.Backends.OpenCL;

/// <summary>ConvSharp's OpenCL program: the element bodies of native/kernels/shared/ (also compiled into the CPU
/// kernels) followed by the embedded native/kernels/opencl/*.cl sources, concatenated (common.cl first) and built once per device and process. The built binary is cached on disk under a
/// key of device name, driver version, platform version, build options and source hash, so a second
/// process loads it instead of compiling; a binary the driver rejects is rebuilt from source.
/// The cache folder is CONVSHARP_OPENCL_CACHE, else the user's local application data.</summary>
internal static unsafe class OpenCLProgram
{
    private const uint ProgramBinarySizes = 0x1165, ProgramBinaries = 0x1166, ProgramBuildLog = 0x1183;

    /// <summary>The element bodies shared with the CPU kernels (native/kernels/shared/), prepended in this order; their
    /// <c>#include "..."</c> lines are dropped, since the OpenCL compiler cannot resolve them from a string.</summary>
    private static readonly string[] s_shared =
        ["cs_dialect.h", "ops.def", "binary.h", "unary.h", "optim.h", "philox.h", "losses.h", "pool.h"];

    /// <summary>Source files in the order they are concatenated (later files use helpers of earlier ones).</summary>
    private static readonly string[] s_files =
        ["common.cl", "elementwise.cl", "gemm.cl", "im2col.cl", "conv.cl", "pooling.cl", "reduce.cl", "nn.cl", "optim.cl", "upsample.cl", "index.cl"];

    private static readonly Lazy<string> s_source = new(LoadSource);

    /// <summary>How the last program was obtained (for <c>convsharp devices</c> and the report).</summary>
    public static (TimeSpan Elapsed, bool FromCache) LastBuild { get; private set; }

    public static string Source => s_source.Value;

    private static string LoadSource()
    {
        var text = new StringBuilder();
        foreach (string file in s_shared)
        {
            text.Append("/* ---- shared/").Append(file).Append(" ---- */\n");
            foreach (string line in Embedded("shared." + file).Split('\n'))
                if (!line.TrimStart().StartsWith("#include \"", StringComparison.Ordinal)) text.Append(line).Append('\n');
        }
        foreach (string file in s_files)
            text.Append("/* ---- ").Append(file).Append(" ---- */\n").Append(Embedded(file)).Append('\n');
        return text.ToString();
    }

    private static string Embedded(string name)
    {
        var assembly = typeof(OpenCLProgram).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("ConvSharp.OpenCL." + name)
            ?? throw new InvalidOperationException($"The OpenCL source {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static string CacheFolder()
    {
        string? configured = Environment.GetEnvironmentVariable("CONVSHARP_OPENCL_CACHE");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "ConvSharp", "opencl-cache");
    }

    /// <summary>Builds (or loads from the cache) the program for one device of one context.</summary>
    public static OpenCLProgramHandle Build(nint context, OpenCLDeviceInfo device, string options)
    {
        var watch = Stopwatch.StartNew();
        string key = CacheKey(device, options);
        string path = Path.Combine(CacheFolder(), key + ".bin");
        if (TryLoadBinary(context, device, options, path) is { } cached)
        {
            LastBuild = (watch.Elapsed, true);
            return cached;
        }
        var program = FromSource(context, device, options);
        TrySaveBinary(program, path);
        LastBuild = (watch.Elapsed, false);
        return program;
    }

    private static string CacheKey(OpenCLDeviceInfo device, string options)
    {
        string identity = string.Join('\n', device.Name, device.Vendor, device.DriverVersion, device.Version,
            OpenCLDiscovery.PlatformVersionOf(device.PlatformId), options, Source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static OpenCLProgramHandle FromSource(nint context, OpenCLDeviceInfo device, string options)
    {
        var cl = OpenCLApi.Cl;
        byte[] source = Encoding.UTF8.GetBytes(Source);
        int error;
        nint program;
        fixed (byte* s = source)
        {
            byte* strings = s;
            nuint length = (nuint)source.Length;
            program = cl.CreateProgramWithSource(context, 1, &strings, &length, &error);
        }
        OpenCLApi.Check(error, "clCreateProgramWithSource");
        var handle = new OpenCLProgramHandle(program);
        BuildOrThrow(handle, device, options);
        return handle;
    }

    private static void BuildOrThrow(OpenCLProgramHandle program, OpenCLDeviceInfo device, string options)
    {
        nint id = device.DeviceId;
        int status = OpenCLApi.Cl.BuildProgram(program.Value, 1, &id, options, null, null);
        if (status == 0) return;
        string log = BuildLog(program.Value, id);
        program.Dispose();
        throw new InvalidOperationException(
            $"Building ConvSharp's OpenCL kernels for {device.Name} failed with {OpenCLApi.ErrorName(status)}:\n{log}");
    }

    private static string BuildLog(nint program, nint device)
    {
        nuint size;
        if (OpenCLApi.Cl.GetProgramBuildInfo(program, device, (Silk.NET.OpenCL.ProgramBuildInfo)ProgramBuildLog, 0, null, &size) != 0) return "(no build log)";
        var bytes = new byte[(int)size];
        fixed (byte* b = bytes) OpenCLApi.Cl.GetProgramBuildInfo(program, device, (Silk.NET.OpenCL.ProgramBuildInfo)ProgramBuildLog, size, b, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static OpenCLProgramHandle? TryLoadBinary(nint context, OpenCLDeviceInfo device, string options, string path)
    {
        byte[] binary;
        try
        {
            if (!File.Exists(path)) return null;
            binary = File.ReadAllBytes(path);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (binary.Length == 0) return null;
        var cl = OpenCLApi.Cl;
        nint id = device.DeviceId;
        int error, binaryStatus;
        nint program;
        fixed (byte* b = binary)
        {
            byte* binaries = b;
            nuint length = (nuint)binary.Length;
            program = cl.CreateProgramWithBinary(context, 1, &id, &length, &binaries, &binaryStatus, &error);
        }
        if (error != 0 || binaryStatus != 0 || program == 0) return null;
        var handle = new OpenCLProgramHandle(program);
        if (cl.BuildProgram(program, 1, &id, options, null, null) != 0)
        {
            handle.Dispose();
            return null;  // a binary this driver no longer takes: rebuilt from source and overwritten
        }
        return handle;
    }

    private static void TrySaveBinary(OpenCLProgramHandle program, string path)
    {
        var cl = OpenCLApi.Cl;
        nuint size;
        if (cl.GetProgramInfo(program.Value, (Silk.NET.OpenCL.ProgramInfo)ProgramBinarySizes, (nuint)sizeof(nuint), &size, null) != 0 || size == 0) return;
        var binary = new byte[(int)size];
        fixed (byte* b = binary)
        {
            byte* binaries = b;
            if (cl.GetProgramInfo(program.Value, (Silk.NET.OpenCL.ProgramInfo)ProgramBinaries, (nuint)sizeof(nint), &binaries, null) != 0) return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, binary);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException) { }  // a read-only or full disk only costs the next start a compile
        catch (UnauthorizedAccessException) { }
    }
}
