using ConvSharp.Backends.OpenCL;
using ConvSharp.NN;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Device discovery, selection and the errors around it.</summary>
[Collection(OpenCLCollection.Name)]
public class OpenCLDeviceTests
{
    [OpenCLFact]
    public void Discovery_lists_the_device_and_OpenCL_returns_one_device_object_per_device()
    {
        var devices = Device.OpenCLDevices();
        Assert.NotEmpty(devices);
        Device d = Device.OpenCL();
        Assert.Equal(DeviceType.OpenCL, d.Type);
        Assert.Same(d, Device.OpenCL());
        Assert.NotNull(d.OpenCLInfo);
        Assert.Same(Device.OpenCL(d.OpenCLInfo!.PlatformIndex, d.OpenCLInfo.DeviceIndex), d);
        Assert.Equal($"opencl:{d.OpenCLInfo.PlatformIndex}:{d.OpenCLInfo.DeviceIndex}", d.ToString());
        Assert.Contains(devices, x => x.Name == d.OpenCLInfo.Name);
        // With no GPU present, the first device of any kind is chosen.
        var expected = devices.FirstOrDefault(x => x.IsGpu) ?? devices[0];
        if (Environment.GetEnvironmentVariable(Device.OpenCLDeviceVariable) is null)
            Assert.Equal((expected.PlatformIndex, expected.DeviceIndex), (d.OpenCLInfo.PlatformIndex, d.OpenCLInfo.DeviceIndex));
    }

    [OpenCLFact]
    public void A_device_that_does_not_exist_is_named_with_the_ones_that_do()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Device.OpenCL(7, 3));
        Assert.Contains("There is no OpenCL device 7:3; found: 0:0 ", e.Message);
    }

    [Fact]
    public void The_device_variable_is_platform_colon_device()
    {
        Assert.Null(Device.ParseDeviceVariable(null));
        Assert.Null(Device.ParseDeviceVariable(" "));
        Assert.Equal((0, 1), Device.ParseDeviceVariable("0:1"));
        foreach (string bad in new[] { "1", "gpu", "0:1:2", "-1:0", "0:x" })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Device.ParseDeviceVariable(bad));
            Assert.Equal($"CONVSHARP_OPENCL_DEVICE=\"{bad}\" is not \"platform:device\" (two indices, e.g. \"0:1\"); `convsharp devices` lists them.", e.Message);
        }
    }

    [Fact]
    public void The_no_platform_message_says_what_was_searched_and_how_to_install_a_driver()
    {
        string message = OpenCLApi.NoPlatformMessage("libOpenCL.so.1: cannot open shared object file");
        Assert.StartsWith("No OpenCL platform was found: ConvSharp asked the OpenCL ICD loader (libOpenCL.so.1) for platforms, but it could not be loaded (libOpenCL.so.1: cannot open shared object file).", message);
        Assert.Contains("apt-get install ocl-icd-libopencl1 pocl-opencl-icd", message);
        Assert.Contains("vendor's OpenCL driver", message);
        Assert.Contains("/etc/OpenCL/vendors", message);
    }

    [OpenCLFact]
    public void Ops_mixing_devices_name_both_devices()
    {
        Device ocl = OpenCLTest.Device;
        using var scope = Tensor.Scope();
        var a = Tensor.Ones(2, 3);
        var b = Tensor.Ones(2, 3).To(ocl);
        var e = Assert.Throws<InvalidOperationException>(() => a + b);
        Assert.Equal($"Add: the tensors are on different devices (cpu and {ocl}); move one with To(device).", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Tensor.Cat([b, a]));
        Assert.StartsWith($"Cat: the tensors are on different devices ({ocl} and cpu)", e.Message);
        using var model = new Linear(3, 2, generator: new Generator(1));
        e = Assert.Throws<InvalidOperationException>(() => model.Forward(b));
        Assert.StartsWith($"Linear: the tensors are on different devices ({ocl} and cpu)", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Tensor.CrossEntropy(b, Tensor.Zeros(2)));
        Assert.Contains($"({ocl} and cpu)", e.Message);
    }

    [OpenCLFact]
    public void Tensors_move_between_cpu_and_device_and_keep_their_values()
    {
        var values = OpenCLTest.Random(new Random(3), 1000);
        using var cpu = Tensor.FromArray(values, 10, 100);
        using var ocl = cpu.To(OpenCLTest.Device);
        Assert.Same(OpenCLTest.Device, ocl.Device);
        Assert.Equal(values, ocl.ToArray());
        using var back = ocl.To(Device.Cpu);
        Assert.Equal(values, back.ToArray());
        Assert.Same(ocl, ocl.To(OpenCLTest.Device));
        var e = Assert.Throws<InvalidOperationException>(() => ocl.AsSpan());
        Assert.Contains("AsSpan needs a CPU tensor", e.Message);
        Assert.Equal(values[17], ocl.Reshape(-1).Narrow(0, 17, 1).Item());
    }

    [OpenCLFact]
    public void A_module_moved_to_the_device_initialises_and_loads_like_a_cpu_module()
    {
        using var cpu = new Linear(5, 4, generator: new Generator(9));
        using var ocl = new Linear(5, 4, generator: new Generator(9));
        ocl.To(OpenCLTest.Device);
        Assert.Equal(cpu.Weight.ToArray(), ocl.Weight.ToArray());
        Init.Uniform(ocl.Weight, -0.1f, 0.1f, new Generator(4));
        Init.Uniform(cpu.Weight, -0.1f, 0.1f, new Generator(4));
        Assert.Equal(cpu.Weight.ToArray(), ocl.Weight.ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"convsharp-opencl-{Guid.NewGuid():N}.safetensors");
        try
        {
            ocl.Save(path);
            using var loaded = new Linear(5, 4, generator: new Generator(1));
            loaded.To(OpenCLTest.Device);
            loaded.Load(path);
            Assert.Equal(cpu.Weight.ToArray(), loaded.Weight.ToArray());
        }
        finally { File.Delete(path); }
    }
}
