using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Sample i is a 1×1×1 image holding i, labelled i % 10.</summary>
    internal static TensorDataset Numbers(int n)
    {
        using var images = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1, 1, 1);
        using var labels = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(i % 10)).ToArray(), n);
        return new TensorDataset(images, labels);
    }

    /// <summary>Images of three shapes, interleaved; pixel bytes start with the sample index.</summary>
    internal static ImageDataset MixedShapes(int n)
    {
        ImageShape[] kinds = [new(1, 4, 5), new(1, 6, 6), new(3, 2, 2)];
        ImageShape[] shapes = Enumerable.Range(0, n).Select(i => kinds[(i * 7 / 3) % 3]).ToArray();
        var pixels = new List<byte>();
        for (int i = 0; i < n; i++)
        {
            var image = new byte[shapes[i].Length];
            image[0] = (byte)i;
            pixels.AddRange(image);
        }
        return new ImageDataset([.. pixels], shapes, Enumerable.Range(0, n).Select(i => i % 4).ToArray());
    }

    private static List<(float[] Images, int[] Shape, float[] Labels)> Drain(DataLoader loader)
    {
        var batches = new List<(float[], int[], float[])>();
        foreach (var (images, labels) in loader)
        {
            using var scope = Tensor.Scope();
            batches.Add((images.ToArray(), images.Shape, labels.ToArray()));
        }
        return batches;
    }

    [Fact]
    public void Shuffled_order_is_a_function_of_seed_and_epoch_and_covers_every_sample_once()
    {
        var data = Numbers(103);
        var a = new DataLoader(data, batchSize: 10, shuffle: true, seed: 1);
        var b = new DataLoader(data, batchSize: 10, shuffle: true, seed: 1);
        var c = new DataLoader(data, batchSize: 10, shuffle: true, seed: 2);

        Assert.Equal(a.BatchIndices(0), b.BatchIndices(0));
        Assert.Equal(a.BatchIndices(5), b.BatchIndices(5));
        Assert.NotEqual(a.BatchIndices(0), c.BatchIndices(0));
        Assert.NotEqual(a.BatchIndices(0), a.BatchIndices(1));
        for (int epoch = 0; epoch < 3; epoch++)
        {
            IReadOnlyList<int[]> batches = a.BatchIndices(epoch);
            Assert.Equal(11, batches.Count);
            Assert.All(batches.Take(10), batch => Assert.Equal(10, batch.Length));
            Assert.Equal(3, batches[10].Length);
            Assert.Equal(Enumerable.Range(0, 103), batches.SelectMany(x => x).Order());
        }
    }

    [Fact]
    public void Without_shuffle_batches_run_in_index_order_and_drop_last_drops_the_short_batch()
    {
        var data = Numbers(23);
        var keep = new DataLoader(data, batchSize: 5);
        var drop = new DataLoader(data, batchSize: 5, dropLast: true);
        Assert.Equal(5, keep.BatchCount);
        Assert.Equal(4, drop.BatchCount);
        Assert.Equal(Enumerable.Range(0, 23), keep.BatchIndices(0).SelectMany(x => x));
        Assert.Equal(Enumerable.Range(0, 20), drop.BatchIndices(0).SelectMany(x => x));
        var shuffledDrop = new DataLoader(data, batchSize: 5, shuffle: true, dropLast: true, seed: 3);
        Assert.All(shuffledDrop.BatchIndices(0), batch => Assert.Equal(5, batch.Length));
        Assert.Equal(20, shuffledDrop.BatchIndices(0).SelectMany(x => x).Distinct().Count());
        Assert.Equal(4, Drain(shuffledDrop).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Enumeration_yields_the_planned_batches_and_each_enumeration_is_the_next_epoch(bool prefetch)
    {
        var data = Numbers(50);
        using var loader = new DataLoader(data, batchSize: 8, shuffle: true, seed: 9, prefetch: prefetch);
        foreach (int epoch in new[] { 0, 1 })
        {
            IReadOnlyList<int[]> plan = loader.BatchIndices(epoch);
            var batches = Drain(loader);
            Assert.Equal(plan.Count, batches.Count);
            for (int b = 0; b < plan.Count; b++)
            {
                Assert.Equal([plan[b].Length, 1, 1, 1], batches[b].Shape);
                Assert.Equal(plan[b].Select(i => (float)i), batches[b].Images);
                Assert.Equal(plan[b].Select(i => (float)(i % 10)), batches[b].Labels);
            }
        }
        Assert.Equal(2, loader.Epoch);
        loader.Epoch = 0;  // replay
        Assert.Equal(loader.BatchIndices(0)[0].Select(i => (float)i), Drain(loader)[0].Images);
    }

    [Fact]
    public void The_prefetching_loader_yields_the_same_augmented_batches_as_a_synchronous_pass()
    {
        var transform = new Compose(new RandomRotation(15f), new RandomCrop(28, padding: 2), new ToTensor(), new Normalize(0.2860f, 0.3530f));
        var data = new Subset(FashionMnist.Load(train: false, transform), [.. Enumerable.Range(0, 100)]);
        using var prefetching = new DataLoader(data, batchSize: 16, shuffle: true, seed: 5, prefetch: true);
        using var synchronous = new DataLoader(data, batchSize: 16, shuffle: true, seed: 5, prefetch: false);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var a = Drain(prefetching);
            var b = Drain(synchronous);
            Assert.Equal(7, a.Count);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].Shape, b[i].Shape);
                Assert.Equal(a[i].Images, b[i].Images);
                Assert.Equal(a[i].Labels, b[i].Labels);
            }
        }
    }

    [Fact]
    public void Each_sample_is_augmented_from_seed_epoch_and_index_so_Get_matches_loader_seed_0_epoch_0()
    {
        var data = FashionMnist.Load(train: false, new Compose(new RandomRotation(30f), new ToTensor()));
        var subset = new Subset(data, [.. Enumerable.Range(0, 40)]);
        using var loader = new DataLoader(subset, batchSize: 8, shuffle: true, seed: 0, prefetch: true);
        int[] first = loader.BatchIndices(0)[0];
        var (images, _) = loader.First();
        using (images)
        {
            float[] values = images.ToArray();
            for (int j = 0; j < first.Length; j++)
            {
                using var sample = subset.Get(first[j]).Image;
                Assert.Equal(sample.ToArray(), values[(j * 784)..((j + 1) * 784)]);
            }
        }
        // The next epoch draws other augmentations for the same sample.
        using var again = loader.First().Images;
        int[] next = loader.BatchIndices(1)[0];
        using var epoch0 = subset.Get(next[0]).Image;
        Assert.NotEqual(epoch0.ToArray(), again.ToArray()[..784]);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Samples_of_different_shapes_never_share_a_batch(bool shuffle, bool dropLast)
    {
        var data = MixedShapes(61);
        using var loader = new DataLoader(data, batchSize: 4, shuffle: shuffle, seed: 2, dropLast: dropLast);
        Assert.Equal(3, loader.Shapes.Count);
        IReadOnlyList<int[]> plan = loader.BatchIndices(0);
        Assert.Equal(plan, new DataLoader(data, batchSize: 4, shuffle: shuffle, seed: 2, dropLast: dropLast).BatchIndices(0));
        foreach (int[] batch in plan) Assert.Single(batch.Select(data.ShapeOf).Distinct());
        int[] seen = plan.SelectMany(x => x).ToArray();
        Assert.Equal(seen.Length, seen.Distinct().Count());
        if (!dropLast) Assert.Equal(61, seen.Length);
        else Assert.All(plan, batch => Assert.Equal(4, batch.Length));

        var batches = Drain(loader);
        Assert.Equal(plan.Count, batches.Count);
        for (int b = 0; b < plan.Count; b++)
        {
            ImageShape shape = data.ShapeOf(plan[b][0]);
            Assert.Equal([plan[b].Length, shape.Channels, shape.Height, shape.Width], batches[b].Shape);
            for (int j = 0; j < plan[b].Length; j++)
                Assert.Equal(plan[b][j], batches[b].Images[j * (int)shape.Length]);
        }
    }

    [Fact]
    public void Disposing_mid_epoch_stops_the_worker_and_later_use_is_refused()
    {
        var data = Numbers(1000);
        var loader = new DataLoader(data, batchSize: 4, shuffle: true, prefetch: true);
        using (var e = loader.GetEnumerator())
        {
            Assert.True(e.MoveNext());
            e.Current.Images.Dispose();
            e.Current.Labels.Dispose();
        }   // leaves the loop early: the worker stops and frees what it had prepared
        IEnumerator<Batch> running = loader.GetEnumerator();
        Assert.True(running.MoveNext());
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => running.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => loader.GetEnumerator());
        loader.Dispose();
    }

    private sealed class FailOn(float value) : Transform
    {
        public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
        {
            if (source.AsSpan()[0] == value) throw new InvalidOperationException($"sample {value} is bad");
            source.AsSpan().CopyTo(destination.AsSpan());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_error_while_loading_reaches_the_caller_after_the_batches_before_it(bool prefetch)
    {
        var data = Numbers(20).WithTransform(new FailOn(13f));
        using var loader = new DataLoader(data, batchSize: 5, prefetch: prefetch);
        int yielded = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (images, labels) in loader)
            {
                using var scope = Tensor.Scope();
                yielded++;
            }
        });
        Assert.Equal("sample 13 is bad", e.Message);
        Assert.Equal(2, yielded);
    }

    [Fact]
    public void A_scope_started_in_the_loop_body_owns_that_batch_and_a_batch_without_one_stays_the_callers()
    {
        using var loader = new DataLoader(Numbers(12), batchSize: 4);
        var kept = new List<Tensor>();
        var scoped = new List<Tensor>();
        int i = 0;
        foreach (var (images, labels) in loader)
        {
            if (i++ % 2 == 0)
            {
                using var scope = Tensor.Scope();
                scoped.Add(images);
                scoped.Add(labels);
                Assert.Equal(2, scope.Count);
            }
            else
            {
                kept.Add(images);
                kept.Add(labels);
            }
        }
        using (Tensor.Scope()) { }  // a later scope takes nothing
        Assert.All(scoped, t => Assert.True(t.IsDisposed));
        Assert.All(kept, t => Assert.False(t.IsDisposed));
        foreach (Tensor t in kept) t.Dispose();
    }

    [Fact]
    public void Steady_state_loading_allocates_nothing_per_sample()
    {
        var transform = new Compose(new RandomRotation(15f), new RandomHorizontalFlip(), new ToTensor(), new Normalize(0.5f, 0.5f));
        var data = FashionMnist.Load(train: false, transform);
        long Allocated(int batchSize)
        {
            using var loader = new DataLoader(new Subset(data, [.. Enumerable.Range(0, 4 * batchSize)]), batchSize, shuffle: true, prefetch: false);
            using IEnumerator<Batch> e = loader.GetEnumerator();
            Assert.True(e.MoveNext());  // the first batch sizes the scratch buffers
            e.Current.Images.Dispose();
            e.Current.Labels.Dispose();
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (e.MoveNext())
            {
                e.Current.Images.Dispose();
                e.Current.Labels.Dispose();
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(16);
        long small = Allocated(16), large = Allocated(200);  // 3 measured batches each: 48 vs 600 samples
        Assert.True(large - small < 1024, $"3 batches of 200 samples allocated {large} bytes, 3 batches of 16 {small}");
    }
}
