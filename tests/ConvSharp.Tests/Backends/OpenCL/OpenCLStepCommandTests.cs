using ConvSharp.Backends.OpenCL;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>A training step on OpenCL stays on the device: what it enqueues and waits for, counted by the backend (per
/// thread, so the op tests running beside it on the same device do not count). The three benchmark networks, with the
/// implicit-GEMM convolution a GPU runs: at most 4 launches per layer (the optimizer updates 8 parameters per launch,
/// zero-grad and the backward pass's intermediate gradients are one fill each), one blocking read (the loss the loop asks
/// for: CrossEntropyLoss's class-index check is read with it), no blocking write and no clFinish.</summary>
[Collection(OpenCLCollection.Name)]
public class OpenCLStepCommandTests
{
    public static TheoryData<string> Networks => new() { "mnist-cnn", "lenet5", "cifar-cnn" };

    /// <summary>The networks of the training benchmarks, from the library's Models (as tools/DeviceCheck builds them).</summary>
    internal static (Sequential Net, int[] Input) Network(string name) => name switch
    {
        "mnist-cnn" => (ConvSharp.Models.MnistCnn(generator: new Generator(1)), [1, 28, 28]),
        "lenet5" => (ConvSharp.Models.LeNet5(inChannels: 3, generator: new Generator(1)), [3, 32, 32]),
        "cifar-cnn" => (ConvSharp.Models.CifarCnn(generator: new Generator(1)), [3, 32, 32]),
        _ => throw new ArgumentException($"Unknown network '{name}'; expected mnist-cnn, lenet5 or cifar-cnn.", nameof(name)),
    };

    [OpenCLTheory]
    [MemberData(nameof(Networks))]
    public void A_training_step_launches_at_most_four_kernels_per_layer_and_reads_back_only_the_loss(string name)
    {
        Device device = OpenCLTest.Device;
        string? strategy = Environment.GetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable);
        Environment.SetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable, "implicit");  // the GPU's plan (PoCL keeps im2col)
        try
        {
            var (net, input) = Network(name);
            using var owned = net;
            net.To(device);
            using var adam = new Adam(net.Parameters(), lr: 1e-3f);
            var lossFn = new CrossEntropyLoss();
            using var scope = Tensor.Scope();
            Tensor images = Tensor.Rand([4, .. input], seed: 1).To(device);
            Tensor labels = Tensor.FromArray([0, 1, 2, 9], 4).To(device);
            float Step()
            {
                using var inner = Tensor.Scope();
                var loss = lossFn.Forward(net.Forward(images), labels);
                adam.ZeroGrad();
                loss.Backward();
                adam.Step();
                return loss.Item();
            }
            float first = Step();   // the first step creates Adam's state and the gradients
            var kernels = (OpenCLKernels)device.Backend;
            OpenCLCounters before = kernels.Context.Counters;
            var byKernelBefore = kernels.Context.LaunchesByKernel;
            float second = Step();
            OpenCLCounters step = kernels.Context.Counters - before;
            string launches = string.Join(", ", kernels.Context.LaunchesByKernel
                .Select(kv => (kv.Key, Count: kv.Value - byKernelBefore.GetValueOrDefault(kv.Key))).Where(kv => kv.Count > 0)
                .Select(kv => $"{kv.Key} {kv.Count}"));
            Assert.True(float.IsFinite(first) && float.IsFinite(second) && second < first + 1f, $"losses {first}, {second}");
            Assert.True(step.Launches <= 4 * net.Count, $"{name}: {step.Launches} launches for {net.Count} layers (> {4 * net.Count}): {launches}");
            Assert.Equal(1, step.BlockingReads);
            Assert.Equal(0, step.BlockingWrites);
            Assert.Equal(0, step.Finishes);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OpenCLKernels.ConvStrategyVariable, strategy);
        }
    }

    [OpenCLFact]
    public void A_batch_moved_with_non_blocking_uploads_without_waiting_and_survives_its_source_being_disposed()
    {
        var kernels = (OpenCLKernels)OpenCLTest.Device.Backend;
        Tensor host = Tensor.Rand([16, 3, 32, 32], seed: 21);
        float[] expected = host.ToArray();
        OpenCLCounters before = kernels.Context.Counters;
        using Tensor moved = host.To(OpenCLTest.Device, nonBlocking: true);
        host.Dispose();   // the queue holds the pinned storage until the write has run
        OpenCLCounters upload = kernels.Context.Counters - before;
        Assert.Equal(0, upload.HostWaits);
        Assert.Equal(expected, moved.ToArray());
    }

    [OpenCLFact]
    public void An_invalid_class_index_on_opencl_throws_the_cpus_exception_when_the_loss_is_read()
    {
        float[] logits = OpenCLTest.Random(new Random(3), 12, -2f, 2f);
        float[] labels = [1, 0, 7];   // 7 is out of range for 4 classes
        var cpuError = Assert.Throws<ArgumentException>(() =>
            Tensor.CrossEntropy(Tensor.FromArray(logits, 3, 4), Tensor.FromArray(labels, 3)));
        using var scope = Tensor.Scope();
        Tensor x = Tensor.FromArray(logits, 3, 4).To(OpenCLTest.Device), t = Tensor.FromArray(labels, 3).To(OpenCLTest.Device);
        Tensor loss = Tensor.CrossEntropy(x, t);   // enqueued: the check is read with the loss
        var oclError = Assert.Throws<ArgumentException>(() => loss.Item());
        Assert.Equal(cpuError.Message, oclError.Message);
        Assert.Contains("target 7 at position [2] is out of range", oclError.Message);
        // The check was consumed: the next read of a good loss does not throw again.
        Assert.True(float.IsFinite(Tensor.CrossEntropy(x, Tensor.FromArray([1f, 0f, 3f], 3).To(OpenCLTest.Device)).Item()));
    }
}
