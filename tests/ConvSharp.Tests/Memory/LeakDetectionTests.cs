using ConvSharp.Memory;

namespace ConvSharp.Tests.Memory;

/// <summary>The leak detector itself: a region counts what it allocated, sees it return, and keeps counting a tensor held
/// past its end; the attribute's region reaches the test body.</summary>
public class LeakDetectionTests
{
    private static Tensor? s_kept;

    [Fact]
    [DetectLeaks]
    public void The_attribute_tracks_the_test_body()
    {
        BufferTracker? tracker = BufferTracker.Current;
        Assert.NotNull(tracker);
        long before = tracker!.Allocated;
        using (Tensor.Zeros(3, 4)) Assert.Equal(before + 1, tracker.Allocated);
    }

    [Fact]
    public void A_region_counts_buffers_until_they_return()
    {
        using var region = BufferTracker.Begin();
        var x = Tensor.Zeros(5);
        var y = x.Reshape(5, 1);  // a view shares the buffer
        Assert.Equal(1, region.Outstanding);
        x.Dispose();
        Assert.Equal(1, region.Outstanding);
        y.Dispose();
        Assert.Equal(0, region.Outstanding);
        s_kept = Tensor.Ones(2);
        Assert.Equal(1, region.Outstanding);  // still reachable: what DetectLeaks reports
        s_kept.Dispose();
        s_kept = null;
        Assert.Equal(0, region.Outstanding);
    }

    [Fact]
    public async Task Concurrent_regions_do_not_see_each_other()
    {
        async Task<long> Work(int n)
        {
            using var region = BufferTracker.Begin();
            var tensors = Enumerable.Range(0, n).Select(_ => Tensor.Zeros(4)).ToList();
            await Task.Yield();
            long seen = region.Outstanding;
            foreach (var t in tensors) t.Dispose();
            return seen;
        }
        long[] seen = await Task.WhenAll(Work(3), Work(7), Work(11));
        Assert.Equal([3L, 7L, 11L], seen);
    }
}
