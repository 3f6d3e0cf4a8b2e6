using ConvSharp.Backends.Cpu;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.NN;

/// <summary>Tensor.To and Module.To through the device seam, with a second CPU device (its own kernel
/// instance) standing in for an accelerator.</summary>
public class DeviceMoveTests
{
    private static readonly Device Second = Device.Create(DeviceType.Cpu, 1, "cpu:1", d => new CpuKernels(d));

    [Fact]
    public void To_the_same_device_returns_the_tensor_itself()
    {
        using var t = Tensor.Ones(3);
        Assert.Same(t, t.To(Device.Cpu));
    }

    [Fact]
    public void A_moved_module_keeps_its_values_and_its_optimizer_keeps_working()
    {
        using var model = new Sequential(new Linear(3, 2, generator: new Generator(1)));
        float[] before = model.Parameters().First().ToArray();
        using var opt = new Sgd(model.Parameters(), lr: 0.1f);
        model.To(Second);
        Assert.All(model.Parameters(), p => Assert.Same(Second, p.Device));
        Assert.Equal(before, model.Parameters().First().ToArray());

        using var scope = Tensor.Scope();
        var x = Tensor.Ones(4, 3);
        var e = Assert.Throws<InvalidOperationException>(() => model.Forward(x));
        Assert.StartsWith("Linear: the tensors are on different devices (cpu and cpu:1); move one with To(device).", e.Message);

        var moved = x.To(Second);
        Assert.Same(Second, moved.Device);
        model.Forward(moved).Sum().Backward();
        opt.Step();
        Assert.NotEqual(before, model.Parameters().First().ToArray());
        Assert.Same(Second, model.Parameters().First().Grad!.Device);
    }
}
