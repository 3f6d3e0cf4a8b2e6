using ConvSharp.Data;
using ConvSharp.Distributed;
using ConvSharp.NN;

namespace ConvSharp.Tests.Distributed;

/// <summary>Without mpirun the same script runs alone: a world of one, every collective a no-op; the sampler
/// and the gradient hook checked directly.</summary>
public sealed class WorldOfOneTests
{
    [Fact]
    public void Without_mpirun_the_world_is_this_process_and_collectives_are_no_ops()
    {
        Assert.False(ConvSharp.Distributed.Distributed.IsLaunchedByMpi);
        using var session = ConvSharp.Distributed.Distributed.Init();
        Assert.Equal(0, session.Rank);
        Assert.Equal(1, session.WorldSize);
        ConvSharp.Distributed.Distributed.Barrier();
        float[] values = [1.5f, -2f];
        ConvSharp.Distributed.Distributed.AllReduce(values);
        ConvSharp.Distributed.Distributed.Broadcast(values);
        Assert.Equal([1.5f, -2f], values);
    }

    [Fact]
    public void DistributedDataParallel_in_a_world_of_one_trains_like_the_model_itself()
    {
        var g1 = new Generator(3);
        var g2 = new Generator(3);
        using var plain = new Sequential(new Linear(4, 3, generator: g1), new ReLU(), new Linear(3, 2, generator: g1));
        using var wrapped = new Sequential(new Linear(4, 3, generator: g2), new ReLU(), new Linear(3, 2, generator: g2));
        using var ddp = new DistributedDataParallel(wrapped);
        Assert.Equal(["module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias"], ddp.NamedParameters().Select(p => p.Name));
        Assert.Equal(1, ddp.BucketCount);
        var x = Tensor.FromArray([0.1f, -0.4f, 0.9f, 0.3f, 0.5f, 0.2f, -0.7f, 0.8f], 2, 4);
        plain.Forward(x).Sum().Backward();
        ddp.Forward(x).Sum().Backward();
        var a = plain.Parameters().ToArray();
        var b = ddp.Parameters().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Grad!.ToArray(), b[i].Grad!.ToArray());
    }

    [Fact]
    public void ConvertSyncBatchNorm_swaps_every_batch_norm_keeping_names_values_and_outputs()
    {
        var g = new Generator(4);
        using var model = new Sequential(new Conv2d(1, 4, 3, padding: 1, bias: false, generator: g), new BatchNorm2d(4, momentum: 0.3f), new ReLU(),
            new Flatten(), new Linear(4 * 5 * 5, 3, generator: g), new BatchNorm1d(3));
        var bn = (BatchNorm2d)model.Children().ElementAt(1);
        bn.Weight!.CopyFrom([0.5f, 1.5f, -1f, 2f]);
        bn.RunningMean!.CopyFrom([0.1f, 0.2f, 0.3f, 0.4f]);
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 25).Select(i => MathF.Sin(i * 0.7f)).ToArray(), 2, 1, 5, 5);
        model.Eval();
        float[] before = model.Forward(x).ToArray();
        var names = model.NamedParameters().Select(p => p.Name).Concat(model.NamedBuffers().Select(b => b.Name)).ToArray();

        Assert.Same(model, SyncBatchNorm.ConvertSyncBatchNorm(model));
        Assert.Equal([typeof(SyncBatchNorm), typeof(SyncBatchNorm)], model.Children().Where(c => c is BatchNormBase).Select(c => c.GetType()));
        var sync = (SyncBatchNorm)model.Children().ElementAt(1);
        Assert.Equal(0.3f, sync.Momentum);
        Assert.Equal([0.5f, 1.5f, -1f, 2f], sync.Weight!.ToArray());
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], sync.RunningMean!.ToArray());
        Assert.False(sync.IsTraining);
        Assert.Equal(names, model.NamedParameters().Select(p => p.Name).Concat(model.NamedBuffers().Select(b => b.Name)));
        Assert.Equal(before, model.Forward(x).ToArray());
        Assert.IsType<SyncBatchNorm>(SyncBatchNorm.ConvertSyncBatchNorm(new BatchNorm2d(2)));
    }

    [Fact]
    public void Buckets_hold_parameters_in_reverse_order_up_to_the_size_asked_for()
    {
        // 0.weight 16x1x3x3 = 144 floats, 0.bias 16, 2.weight 10x16 = 160 floats, 2.bias 10; cap 0.0005 MiB = 524 bytes = 131 floats.
        using var model = new Sequential(new Conv2d(1, 16, 3), new Flatten(), new Linear(16, 10));
        using var ddp = new DistributedDataParallel(model, bucketSizeMb: 0.0005);
        Assert.Equal([["2.bias"], ["2.weight"], ["0.bias"], ["0.weight"]], ddp.BucketParameterNames);
        using var one = new DistributedDataParallel(new Sequential(new Linear(16, 10)));
        Assert.Equal([["0.bias", "0.weight"]], one.BucketParameterNames);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedDataParallel(new Sequential(new Linear(2, 2)), bucketSizeMb: -1));
        Assert.Contains("bucketSizeMb must be positive and finite, but is -1", e.Message);
    }

    [Fact]
    public void The_post_accumulate_hook_fires_once_after_the_last_contribution_to_a_shared_weight()
    {
        var w = Tensor.FromArray([2f, 3f], 2);
        w.RequiresGrad = true;
        var x = Tensor.FromArray([1f, 1f], 2);
        var seen = new List<float[]>();
        using (w.RegisterPostAccumulateGradHook(t => seen.Add(t.Grad!.ToArray())))
        {
            // w is used twice (w·x and w·w): the hook must see the complete gradient x + 2w, once.
            (Tensor.Mul(w, x) + Tensor.Mul(w, w)).Sum().Backward();
            Assert.Single(seen);
            Assert.Equal([1f + 4f, 1f + 6f], seen[0]);
        }
        w.Grad = null;
        (w * 2f).Sum().Backward();
        Assert.Single(seen);  // removed: not called again
        var y = Tensor.Mul(w, x);
        var e = Assert.Throws<InvalidOperationException>(() => y.RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("needs a leaf tensor that requires grad, but this tensor of shape [2] was made by Mul", e.Message);
    }

    [Fact]
    public void The_shards_of_an_epoch_are_disjoint_cover_the_dataset_and_interleave_one_permutation()
    {
        var data = TensorDataset(10);
        var shards = Enumerable.Range(0, 3).Select(r => new DistributedSampler(data, r, 3, shuffle: true, seed: 5)).ToArray();
        Assert.All(shards, s => Assert.Equal(4, s.Count));  // ceil(10 / 3), padded by repeating the start
        int[][] epoch0 = shards.Select(s => s.Indices(0)).ToArray();
        int[] interleaved = Enumerable.Range(0, 12).Select(k => epoch0[k % 3][k / 3]).ToArray();
        Assert.Equal(Enumerable.Range(0, 10), interleaved.Take(10).Order());        // one permutation of all samples
        Assert.Equal(interleaved.Take(2), interleaved.Skip(10));                    // padded with its first two
        Assert.NotEqual(epoch0[0], shards[0].Indices(1));                           // a new epoch, a new permutation
        Assert.Equal(epoch0[1], new DistributedSampler(data, 1, 3, shuffle: true, seed: 5).Indices(0));

        var dropped = new DistributedSampler(data, 2, 3, shuffle: false, dropLast: true);
        Assert.Equal([2, 5, 8], dropped.Indices(0));
    }

    [Fact]
    public void A_loader_over_a_shard_follows_its_epoch()
    {
        var data = TensorDataset(8);
        var shard = new DistributedSampler(data, 1, 2, shuffle: true, seed: 9);
        using var loader = new DataLoader(shard, batchSize: 4, shuffle: false, prefetch: false);
        foreach (int epoch in new[] { 0, 1, 3 })
        {
            loader.Epoch = epoch;
            float[] labels = loader.Select(b => b.Labels.ToArray()).Single();
            Assert.Equal(shard.Indices(epoch).Select(i => (float)i), labels);   // labels are the sample indices
        }
    }

    [Fact]
    public void Bad_sampler_arguments_name_the_value()
    {
        var data = TensorDataset(4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(data, 2, 2));
        Assert.Contains("rank must be in 0..1 for a world of 2, but is 2", e.Message);
        var w = Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(data, 0, 0));
        Assert.Contains("worldSize must be at least 1, but is 0", w.Message);
        var d = Assert.Throws<ArgumentException>(() => new DistributedSampler(data, 0, 5, dropLast: true));
        Assert.Contains("the dataset has 4 samples, fewer than the 5 ranks", d.Message);
    }

    private static Dataset TensorDataset(int n)
    {
        var images = Tensor.FromArray(Enumerable.Range(0, n * 4).Select(i => (float)i).ToArray(), n, 1, 2, 2);
        var labels = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n);
        return new TensorDataset(images, labels);
    }
}
