namespace ConvSharp.Data;

/// <summary>This rank's shard of a dataset in data-parallel training (PyTorch's <c>DistributedSampler</c>), as a
/// dataset view a <see cref="DataLoader"/> batches like any other (build the loader with <c>shuffle: false</c>:
/// the order is the sampler's). Each epoch draws one permutation of the whole dataset from (seed, epoch), the
/// same on every rank; it is padded by repeating its start to a multiple of the world size (or cut with
/// <c>dropLast</c>), and rank r takes positions r, r + N, r + 2N, .... So the ranks' shards are disjoint, of
/// equal length, and batch k of every rank together is positions [k·B·N, (k+1)·B·N) of the permutation, the
/// global batch a single process with batch B·N would see. A <see cref="DataLoader"/> over it sets
/// <see cref="Epoch"/> when each enumeration starts, so <c>loader.Epoch = e</c> reshuffles on every rank alike.</summary>
public sealed class DistributedSampler : Dataset
{
    private readonly Lock _gate = new();
    private int _epoch;
    private int[]? _indices;

    /// <summary>The shard of rank <paramref name="rank"/> of <paramref name="worldSize"/>.</summary>
    /// <param name="dataset">The whole dataset, the same on every rank. With <paramref name="shuffle"/>, all its samples must have one shape.</param>
    /// <param name="rank">This process's rank, 0..worldSize−1 (usually Distributed.Rank).</param>
    /// <param name="worldSize">The number of ranks (usually Distributed.WorldSize).</param>
    /// <param name="shuffle">Draw a new permutation every epoch (else index order).</param>
    /// <param name="seed">Seeds the permutation; every rank must pass the same.</param>
    /// <param name="dropLast">Drop the tail that does not divide evenly instead of repeating samples to pad it.</param>
    public DistributedSampler(Dataset dataset, int rank, int worldSize, bool shuffle = true, long seed = 0, bool dropLast = false)
    {
        Guard.NotNull(dataset);
        Guard.Positive(worldSize);
        if ((uint)rank >= (uint)worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1} for a world of {worldSize}, but is {rank}.");
        if (dataset.Count == 0) throw new ArgumentException("DistributedSampler needs a dataset with at least one sample, but it is empty.", nameof(dataset));
        if (dropLast && dataset.Count < worldSize)
            throw new ArgumentException($"DistributedSampler with dropLast: the dataset has {dataset.Count} samples, fewer than the {worldSize} ranks.", nameof(dataset));
        if (shuffle)
        {
            // The loader reads each position's shape once; a shuffled view keeps that true only when all shapes agree.
            ImageShape first = dataset.ShapeOf(0);
            for (int i = 1; i < dataset.Count; i++)
                if (dataset.ShapeOf(i) is var s && s != first)
                    throw new NotSupportedException($"DistributedSampler with shuffle needs samples of one shape, but sample 0 is {first} and sample {i} is {s}; resize them (a transform) first.");
        }
        Dataset = dataset;
        Rank = rank;
        WorldSize = worldSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Count = dropLast ? dataset.Count / worldSize : (dataset.Count + worldSize - 1) / worldSize;
    }

    /// <summary>The shard of this process (Distributed.Rank of Distributed.WorldSize; the whole dataset without MPI).</summary>
    public DistributedSampler(Dataset dataset, bool shuffle = true, long seed = 0, bool dropLast = false)
        : this(dataset, Distributed.Distributed.Rank, Distributed.Distributed.WorldSize, shuffle, seed, dropLast)
    {
    }

    /// <summary>The whole dataset the shards come from.</summary>
    public Dataset Dataset { get; }

    /// <summary>This shard's rank.</summary>
    public int Rank { get; }

    /// <summary>The number of shards.</summary>
    public int WorldSize { get; }

    /// <summary>Whether each epoch draws a new permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>The permutation seed.</summary>
    public long Seed { get; }

    /// <summary>Whether the uneven tail is dropped rather than padded.</summary>
    public bool DropLast { get; }

    /// <summary>The epoch whose permutation this view shows (PyTorch's <c>set_epoch</c>); a DataLoader sets it.</summary>
    public int Epoch
    {
        get => _epoch;
        set
        {
            lock (_gate)
            {
                if (value == _epoch && _indices is not null) return;
                _epoch = value;
                _indices = null;
            }
        }
    }

    /// <summary>Sets <see cref="Epoch"/> (PyTorch's name).</summary>
    public void SetEpoch(int epoch) => Epoch = epoch;

    /// <inheritdoc />
    public override int Count { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string>? Classes => Dataset.Classes;

    /// <summary>The dataset indices this rank sees in <paramref name="epoch"/>, in order.</summary>
    public int[] Indices(int epoch)
    {
        int n = Dataset.Count;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (Shuffle) new Generator(SeedMix.Epoch(Seed, epoch)).Shuffle(order);
        var shard = new int[Count];
        for (int k = 0; k < Count; k++) shard[k] = order[(Rank + (long)k * WorldSize) % n];  // padding wraps to the start
        return shard;
    }

    /// <inheritdoc />
    public override ImageShape ShapeOf(int index) => Dataset.ShapeOf(Map(index));

    /// <inheritdoc />
    public override float LabelOf(int index) => Dataset.LabelOf(Map(index));

    /// <summary>The same shard of the dataset with its transform replaced.</summary>
    public override DistributedSampler WithTransform(Transform? transform) =>
        new(Dataset.WithTransform(transform), Rank, WorldSize, Shuffle, Seed, DropLast) { Epoch = Epoch };

    /// <inheritdoc />
    protected internal override void WriteSample(int index, ImageBuffer destination, SampleContext context) =>
        Dataset.WriteSample(Map(index), destination, context);

    internal override int FieldCount => Dataset.FieldCount;

    internal override bool IsImageLabel => Dataset.IsImageLabel;

    internal override SampleShape SampleShapeOf(int index) => Dataset.SampleShapeOf(Map(index));

    internal override void WriteFields(int index, SampleShape shape, ConvSharp.Backends.BufferSlice[] fields, SampleContext context) =>
        Dataset.WriteFields(Map(index), shape, fields, context);

    private int Map(int index)
    {
        CheckIndex(index);
        int[] indices;
        lock (_gate) indices = _indices ??= Indices(_epoch);
        return indices[index];
    }
}
