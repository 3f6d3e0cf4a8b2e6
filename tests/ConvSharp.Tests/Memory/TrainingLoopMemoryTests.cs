using System.Runtime.CompilerServices;
using ConvSharp.Memory;
using ConvSharp.NN;

namespace ConvSharp.Tests.Memory;

/// <summary>A training loop must not leak: with Tensor.Scope it rents and returns the same buffers every
/// step; written carelessly (no using, no scope) the finalizer safety net keeps it bounded.</summary>
[Collection(SharedPoolCollection.Name)]
public class TrainingLoopMemoryTests
{
    private static Sequential Model() =>
        new(new Linear(16, 32, generator: new Generator(1)), new ReLU(), new Linear(32, 4, generator: new Generator(2)));

    private static PoolStatistics Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return PinnedArrayPool.Shared.Statistics;
    }

    [Fact]
    public void Ten_thousand_scoped_steps_keep_pool_usage_flat()
    {
        using var model = Model();
        using var x = Tensor.Randn([8, 16], seed: 3);
        using var target = Tensor.Randn([8, 4], seed: 4);
        void Step()
        {
            using var scope = Tensor.Scope();
            var diff = model.Forward(x) - target;
            var loss = (diff * diff).Mean();
            model.ZeroGrad();
            loss.Backward();
        }
        for (int i = 0; i < 100; i++) Step();
        PoolStatistics warm = Settled();
        for (int i = 0; i < 10_000; i++) Step();
        PoolStatistics after = Settled();

        Assert.Equal(warm.RentedBytes, after.RentedBytes);
        Assert.Equal(warm.AllocatedBytes, after.AllocatedBytes);  // every buffer came from the pool
        Assert.True(after.Rents - warm.Rents > 10_000 * 10, "the loop should have rented buffers every step");
    }

    [Fact]
    public void Ten_thousand_careless_steps_stay_bounded_through_the_finalizer()
    {
        using var model = Model();
        using var x = Tensor.Randn([8, 16], seed: 3);
        using var target = Tensor.Randn([8, 4], seed: 4);
        CarelessSteps(model, x, target, 100);
        PoolStatistics warm = Settled();
        long heapWarm = GC.GetTotalMemory(forceFullCollection: true);

        CarelessSteps(model, x, target, 10_000);
        PoolStatistics after = Settled();
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        // Everything the loop abandoned went back to the pool once collected …
        Assert.True(after.RentedBytes <= warm.RentedBytes, $"{after.RentedBytes - warm.RentedBytes} bytes are still rented");
        // … and the pool plus the managed heap did not grow with the number of steps.
        Assert.True(after.RetainedBytes <= warm.RetainedBytes + (4L << 20), $"the pool retains {after.RetainedBytes - warm.RetainedBytes} more bytes");
        Assert.True(heapAfter - heapWarm < (16L << 20), $"the managed heap grew by {heapAfter - heapWarm} bytes");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CarelessSteps(Sequential model, Tensor x, Tensor target, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            var diff = model.Forward(x) - target;
            var loss = (diff * diff).Mean();
            model.ZeroGrad();
            loss.Backward();
        }
    }
}
