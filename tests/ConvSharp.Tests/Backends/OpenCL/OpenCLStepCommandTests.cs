using ConvSharp.Backends.OpenCL;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>A training step on OpenCL stays on the device: what it enqueues and waits for, counted by the backend (per
/// thread, so the op tests running beside it on the same device do not count). Two blocking reads: the loss the loop
/// asks for (Item), and the class-index check of CrossEntropyLoss, which the IKernels contract answers on the host
/// (FindInvalidClassIndex returns the first bad target's position so the op can throw naming it) after one blocking
/// write of its flag. Nothing else reads, writes from the host or waits with clFinish: every op enqueues.</summary>
[Collection(OpenCLCollection.Name)]
public class OpenCLStepCommandTests
{
    [OpenCLFact]
    public void A_training_step_of_the_29066_parameter_network_blocks_only_on_the_loss_and_its_target_check()
    {
        Device device = OpenCLTest.Device;
        using var net = new Sequential(
            new Conv2d(1, 16, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1, generator: new Generator(3)), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10, generator: new Generator(4)));
        net.To(device);
        using var adam = new Adam(net.Parameters(), lr: 1e-3f);
        var lossFn = new CrossEntropyLoss();
        using var scope = Tensor.Scope();
        Tensor images = Tensor.Rand([8, 1, 28, 28], seed: 1).To(device);
        Tensor labels = Tensor.FromArray([0, 1, 2, 3, 4, 5, 6, 7], 8).To(device);
        float Step()
        {
            using var inner = Tensor.Scope();
            var loss = lossFn.Forward(net.Forward(images), labels);
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
            return loss.Item();
        }
        float first = Step();   // the first step creates Adam's state and fills the pool
        var kernels = (OpenCLKernels)device.Backend;
        OpenCLCounters before = kernels.Context.Counters;
        float second = Step();
        OpenCLCounters step = kernels.Context.Counters - before;
        Assert.True(float.IsFinite(first) && float.IsFinite(second), $"losses {first}, {second}");
        Assert.Equal(2, step.BlockingReads);
        Assert.Equal(1, step.BlockingWrites);
        Assert.Equal(0, step.Finishes);
        Assert.True(step.Launches > 0, "a training step launched no kernel");
    }
}
