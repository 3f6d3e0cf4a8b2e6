using ConvSharp.Backends.OpenCL;
using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>Whole training steps of DESIGN.md's 29,066-parameter network on OpenCL against the CPU, on real
/// Fashion-MNIST images from the embedded subset.</summary>
[Collection(OpenCLCollection.Name)]
public class OpenCLTrainingTests
{
    private static Sequential Net() => new(
        new Conv2d(1, 16, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, padding: 1, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, generator: new Generator(3)), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 3 * 3, 10, generator: new Generator(4)));

    /// <summary>The first <paramref name="count"/> training images (normalized) and labels, on the CPU.</summary>
    private static (Tensor Images, Tensor Labels) Batch(int count)
    {
        var train = FashionMnist.Load(train: true, transform: new Compose(new ToTensor(), new Normalize(0.286f, 0.353f)));
        using var loader = new DataLoader(train, batchSize: count, shuffle: false, seed: 0);
        var (images, labels) = loader.First();
        images.MoveToOuterScope();
        labels.MoveToOuterScope();
        return (images, labels);
    }

    [OpenCLFact]
    public void One_training_step_matches_the_cpu_loss_gradients_and_updated_weights()
    {
        var (images, labels) = Batch(16);
        using var _i = images;
        using var _l = labels;
        using var cpu = Net();
        using var ocl = Net();
        Assert.Equal(29066, ocl.ParameterCount());
        ocl.To(OpenCLTest.Device);
        Assert.All(ocl.Parameters(), p => Assert.Same(OpenCLTest.Device, p.Device));
        using var cpuOpt = new Sgd(cpu.Parameters(), lr: 0.05f, momentum: 0.9f);
        using var oclOpt = new Sgd(ocl.Parameters(), lr: 0.05f, momentum: 0.9f);
        var lossFn = new CrossEntropyLoss();

        float cpuLoss, oclLoss;
        using (Tensor.Scope())
        {
            var loss = lossFn.Forward(cpu.Forward(images), labels);
            cpuOpt.ZeroGrad();
            loss.Backward();
            cpuLoss = loss.Item();
        }
        using (Tensor.Scope())
        {
            var loss = lossFn.Forward(ocl.Forward(images.To(OpenCLTest.Device)), labels.To(OpenCLTest.Device));
            oclOpt.ZeroGrad();
            loss.Backward();
            oclLoss = loss.Item();
        }
        OpenCLTest.AssertClose([cpuLoss], [oclLoss], 1e-4, "training step loss");
        var names = cpu.NamedParameters().Select(p => p.Name).ToArray();
        var cpuParams = cpu.Parameters().ToArray();
        var oclParams = ocl.Parameters().ToArray();
        // Every parameter gradient here is a long reduction: a conv weight or bias gradient sums over N·OH·OW
        // (12,544 terms in the first layer, 3,136 and 784 below), and each carries the rounding of the ten layers
        // above it. OpenBLAS and the tiled OpenCL GEMM add in different orders, so gradients that nearly cancel
        // (a bias gradient of 3.5e-5 from terms of 1e-3) differ by up to ~1.5e-4 relative: gradients get 1e-3.
        // The loss and the updated weights, what the issue asks to match, are held to 1e-4.
        for (int i = 0; i < cpuParams.Length; i++)
            OpenCLTest.AssertClose(cpuParams[i].Grad!.ToArray(), oclParams[i].Grad!.ToArray(), 1e-3, $"training step gradient {names[i]}");
        cpuOpt.Step();
        oclOpt.Step();
        for (int i = 0; i < cpuParams.Length; i++)
            OpenCLTest.AssertClose(cpuParams[i].ToArray(), oclParams[i].ToArray(), 1e-4, $"training step updated {names[i]}");
    }

    [OpenCLFact]
    public void Fifty_adam_steps_on_a_small_batch_lower_the_loss_on_both_devices()
    {
        var (images, labels) = Batch(16);
        using var _i = images;
        using var _l = labels;
        using var oclImages = images.To(OpenCLTest.Device);
        using var oclLabels = labels.To(OpenCLTest.Device);
        var curves = new List<float>[2];
        for (int d = 0; d < 2; d++)
        {
            using var model = Net();
            if (d == 1) model.To(OpenCLTest.Device);
            using var opt = new Adam(model.Parameters(), lr: 2e-3f);
            var lossFn = new CrossEntropyLoss();
            curves[d] = [];
            for (int step = 0; step < 50; step++)
            {
                using var scope = Tensor.Scope();
                var loss = lossFn.Forward(model.Forward(d == 0 ? images : oclImages), d == 0 ? labels : oclLabels);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                curves[d].Add(loss.Item());
            }
        }
        foreach (var curve in curves)
            Assert.True(curve.TakeLast(5).Average() < 0.5f * curve[0], $"the loss should fall: {string.Join(", ", curve.Select(v => v.ToString("F3")))}");
        // The curves start together; Adam's sign-like first steps let float rounding grow later, so only the start is compared.
        OpenCLTest.AssertClose(curves[0].Take(3).ToArray(), curves[1].Take(3).ToArray(), 1e-3, "Adam loss curve, first 3 steps");
    }

    [OpenCLFact]
    public void Many_scoped_steps_keep_the_device_pool_flat()
    {
        // A device of its own (a second context on the same OpenCL device), so that no other test's buffers
        // (the CLI's OpenCL run may train in parallel) move this pool's counts.
        var info = OpenCLTest.Device.OpenCLInfo!;
        var context = new OpenCLContext(info);
        var device = Device.Create(DeviceType.OpenCL, 99, "opencl:pool-test", d => new OpenCLKernels(d, context));
        using var model = new Sequential(new Linear(16, 32, generator: new Generator(1)), new ReLU(), new Linear(32, 4, generator: new Generator(2)));
        model.To(device);
        using var opt = new Adam(model.Parameters(), lr: 1e-3f);
        using var x = Tensor.Randn([8, 16], seed: 3).To(device);
        using var target = Tensor.Randn([8, 4], seed: 4).To(device);
        void Step()
        {
            using var scope = Tensor.Scope();
            var diff = model.Forward(x) - target;
            var loss = (diff * diff).Mean();
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
        }
        OpenCLPoolStatistics Settled()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return context.Pool.Statistics;
        }
        for (int i = 0; i < 20; i++) Step();
        var warm = Settled();
        for (int i = 0; i < 10_000; i++) Step();
        var after = Settled();
        Assert.Equal(warm.RentedBuffers, after.RentedBuffers);
        Assert.Equal(warm.AllocatedBytes, after.AllocatedBytes);
        Assert.Equal(warm.Creates, after.Creates);  // every buffer after warm-up came from the pool
    }
}
