using System.Runtime.CompilerServices;
using ConvSharp.Memory;

namespace ConvSharp.Tests.Memory;

/// <summary>Tests that read the shared pool's counters run alone, so no other test rents meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedPoolCollection
{
    public const string Name = "shared pool";
}

[Collection(SharedPoolCollection.Name)]
public class PoolTests
{
    private static PoolStatistics Settled()
    {
        // Finalizers of tensors other tests abandoned return their arrays; let them run first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return PinnedArrayPool.Shared.Statistics;
    }

    [Fact]
    public void Ten_thousand_tensor_rent_dispose_cycles_leave_the_pool_bounded()
    {
        var rng = new Random(1);
        int[] sizes = Enumerable.Range(0, 64).Select(_ => rng.Next(1, 70_000)).ToArray();
        foreach (int size in sizes) Tensor.Zeros(size).Dispose();  // warm every bucket these sizes use
        PoolStatistics before = Settled();

        for (int i = 0; i < 10_000; i++)
        {
            using var a = Tensor.Zeros(sizes[i % sizes.Length]);
            using var b = Tensor.Ones(sizes[(i * 7 + 3) % sizes.Length], 1);
        }
        PoolStatistics after = Settled();

        Assert.Equal(before.RentedBytes, after.RentedBytes);
        Assert.True(after.Rents - before.Rents >= 20_000, $"only {after.Rents - before.Rents} rents were counted");
        // Two tensors alive at once can need a second array of a size; anything beyond that is a leak.
        long growth = after.AllocatedBytes - before.AllocatedBytes;
        Assert.True(growth <= 2 * 131_072 * sizeof(float), $"the pool allocated {growth} more bytes over 10,000 cycles");
    }

    [Fact]
    public void Abandoned_tensors_go_back_to_the_pool_through_the_finalizer()
    {
        PoolStatistics before = Settled();
        AbandonTensors(1000);
        Assert.True(PinnedArrayPool.Shared.Statistics.RentedBytes > before.RentedBytes, "the abandoned tensors should still hold their arrays");
        PoolStatistics after = Settled();
        Assert.True(after.RentedBytes <= before.RentedBytes,
            $"{after.RentedBytes - before.RentedBytes} bytes stayed rented after the abandoned tensors were collected");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonTensors(int count)
    {
        for (int i = 0; i < count; i++) _ = Tensor.Ones(64, 64);
    }

    [Fact]
    public void A_private_pool_reuses_arrays_and_keeps_at_most_its_bucket_limit()
    {
        var pool = new PinnedArrayPool(maxArraysPerBucket: 2);
        for (int i = 0; i < 10_000; i++) pool.Return(pool.Rent(1000 + i % 24));
        PoolStatistics s = pool.Statistics;
        const int bucket = 1024 + PinnedArrayPool.AlignmentSlack;
        Assert.Equal(bucket * sizeof(float), s.AllocatedBytes);  // one array of the 1024 bucket, reused
        Assert.Equal(0, s.RentedBytes);
        Assert.Equal(bucket * sizeof(float), s.RetainedBytes);

        float[][] held = Enumerable.Range(0, 5).Select(_ => pool.Rent(bucket)).ToArray();
        foreach (float[] array in held) pool.Return(array);
        Assert.Equal(2 * bucket * sizeof(float), pool.Statistics.RetainedBytes);  // three were dropped
        pool.Trim();
        Assert.Equal(0, pool.Statistics.RetainedBytes);
    }

    [Fact]
    public void A_tensor_of_a_power_of_two_floats_takes_that_bucket_with_its_alignment_slack()
    {
        var pool = new PinnedArrayPool(4);
        float[] array = pool.Rent(4096 + PinnedArrayPool.AlignmentSlack);  // what a 4,096-float CPU buffer asks for
        Assert.Equal(4096 + PinnedArrayPool.AlignmentSlack, array.Length);  // not the 8,192 bucket
        pool.Return(array);
        Assert.Equal(16 + PinnedArrayPool.AlignmentSlack, pool.Rent(31).Length);  // 16 floats after the slack
        Assert.Equal(32 + PinnedArrayPool.AlignmentSlack, pool.Rent(32).Length);  // 17: the next bucket
    }

    [Fact]
    public void A_pool_refuses_an_array_it_did_not_make()
    {
        var pool = new PinnedArrayPool(4);
        var e = Assert.Throws<ArgumentException>(() => pool.Return(new float[1000]));
        Assert.StartsWith("An array of 1000 floats was not rented from this pool.", e.Message);
    }

    [Fact]
    public unsafe void Pooled_arrays_do_not_move_when_the_gc_compacts()
    {
        var pool = new PinnedArrayPool(4);
        float[] array = pool.Rent(4096);
        nint before = (nint)Unsafe.AsPointer(ref array[0]);
        for (int i = 0; i < 200; i++) _ = new byte[10_000];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Assert.Equal(before, (nint)Unsafe.AsPointer(ref array[0]));
        pool.Return(array);
    }
}
