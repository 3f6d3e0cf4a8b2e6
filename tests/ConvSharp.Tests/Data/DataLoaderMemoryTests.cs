using ConvSharp.Data;
using ConvSharp.Memory;
using ConvSharp.Tests.Memory;

namespace ConvSharp.Tests.Data;

/// <summary>Loader epochs against the shared pool's counters (run alone, like the other pool tests).</summary>
[Collection(SharedPoolCollection.Name)]
public class DataLoaderMemoryTests
{
    private static PoolStatistics Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return PinnedArrayPool.Shared.Statistics;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scoped_epochs_return_every_batch_and_scratch_buffer_and_stop_growing_the_pool(bool prefetch)
    {
        var data = FashionMnist.Load(train: false, new Compose(new RandomRotation(15f), new ToTensor(), new Normalize(0.2860f, 0.3530f)));
        using var loader = new DataLoader(data, batchSize: 16, shuffle: true, seed: 1, prefetch: prefetch);
        void Epoch(bool slow = false)
        {
            int step = 0;
            foreach (var (images, labels) in loader)
            {
                using var scope = Tensor.Scope();
                // A slow start lets the worker get as far ahead as it can (one batch queued, one in the making),
                // so the warm-up epoch rents as many batches at once as any later epoch.
                if (slow && step++ < 5) Thread.Sleep(20);
                using var sum = images.Sum();
                Assert.True(float.IsFinite(sum.Item()));
            }
        }
        Epoch(slow: true);
        PoolStatistics warm = Settled();
        Epoch();
        Epoch();
        PoolStatistics after = Settled();
        Assert.Equal(warm.RentedBytes, after.RentedBytes);
        Assert.Equal(warm.AllocatedBytes, after.AllocatedBytes);
        Assert.True(after.Rents - warm.Rents >= 2 * 63 * 2, "each batch should rent its two tensors");
    }

    [Fact]
    public void Leaving_an_epoch_early_returns_the_batches_the_worker_had_prepared()
    {
        var data = DataLoaderTests.Numbers(2000);
        PoolStatistics before = Settled();
        using (var loader = new DataLoader(data, batchSize: 8, shuffle: true))
        {
            foreach (var (images, labels) in loader)
            {
                using var scope = Tensor.Scope();
                break;
            }
            using var running = loader.GetEnumerator();
            Assert.True(running.MoveNext());
            running.Current.Images.Dispose();
            running.Current.Labels.Dispose();
        }   // disposes the loader while its worker is a batch ahead
        PoolStatistics after = Settled();
        Assert.Equal(before.RentedBytes, after.RentedBytes);
    }
}
