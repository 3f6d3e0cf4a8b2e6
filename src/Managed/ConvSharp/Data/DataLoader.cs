using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>Batches a <see cref="Dataset"/> (PyTorch's <c>DataLoader</c>): enumerating yields one <see cref="Batch"/> per
/// step, holding one float32 CPU tensor in pooled storage per tensor of the dataset's items, stacked along a new first
/// dimension: (images [N, C, H, W], labels [N]) for an image/label dataset, labels holding class indices; every tensor of
/// a <see cref="TensorDataset"/> ((noisy, clean), or three for three); a <see cref="Dataset{T}"/> of tensors converts
/// to a <see cref="Dataset"/> and is collated the same way. A batch deconstructs: <c>foreach (var (x, y) in loader)</c>.
/// <para>Order: each enumeration is one epoch (<see cref="Epoch"/> counts them). With <c>shuffle</c>, the
/// order is a fixed function of (seed, epoch); random transforms draw from a generator seeded per sample
/// from (seed, epoch, dataset index), so batches and augmentations are reproducible, prefetching or not.</para>
/// <para>Shapes: samples of different shapes never share a batch; they are grouped by shape (bucketed) and
/// each group is batched on its own.</para>
/// <para>Prefetching: with <c>prefetch</c> (the default) one background task builds the next batch while the
/// caller trains on the current one. In steady state no memory is allocated per sample.</para>
/// <para>Ownership: each batch belongs to the caller. The first <see cref="Tensor.Scope"/> started on the
/// enumerating thread after a batch is yielded takes it, so
/// <c>foreach (var (x, y) in loader) { using var scope = Tensor.Scope(); ... }</c> returns every batch to the
/// pool; without such a scope, dispose the batch's tensors yourself (<see cref="Batch.Dispose"/>; or keep them).</para>
/// <para><see cref="Dispose"/> stops the worker and frees batches it had prepared.</para></summary>
public sealed partial class DataLoader : IEnumerable<Batch>, IDataLoader, IDisposable
{
    private readonly int[] _bucketOf;
    private readonly int[] _bucketSizes;
    private readonly SampleShape[] _bucketShapes;
    private readonly List<BatchEnumerator> _active = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>A loader over <paramref name="dataset"/>. Every sample's shape is read once here, so a
    /// transform that cannot take some image fails now, not mid-epoch.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (the last batch of each shape may be smaller).</param>
    /// <param name="shuffle">Draw a new order every epoch (from seed and epoch).</param>
    /// <param name="seed">Seeds the shuffle and the per-sample generators of random transforms.</param>
    /// <param name="dropLast">Drop each shape's last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="prefetch">Build batches on a background task, one ahead of the caller.</param>
    public DataLoader(Dataset dataset, int batchSize = 1, bool shuffle = false, long seed = 0, bool dropLast = false, bool prefetch = true)
    {
        Guard.NotNull(dataset);
        Guard.Positive(batchSize);
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Prefetch = prefetch;

        int n = dataset.Count;
        _bucketOf = new int[n];
        var shapes = new List<SampleShape>();
        var sizes = new List<int>();
        var ids = new Dictionary<SampleShape, int>();
        bool imageLabel = dataset.IsImageLabel;
        ImageShape lastImage = default;
        SampleShape? last = null;
        int lastId = -1;
        for (int i = 0; i < n; i++)
        {
            // Image/label datasets are bucketed by ShapeOf (no object per sample); others by the shapes of all their fields.
            SampleShape shape;
            if (imageLabel)
            {
                ImageShape image = dataset.ShapeOf(i).Validate();
                if (last is not null && image == lastImage) shape = last;
                else (shape, lastImage) = (SampleShape.ImageAndLabel(image), image);
            }
            else shape = dataset.SampleShapeOf(i);
            if (lastId < 0 || !ReferenceEquals(shape, last) && !shape.Equals(last))
            {
                if (!ids.TryGetValue(shape, out lastId))
                {
                    lastId = shapes.Count;
                    ids.Add(shape, lastId);
                    shapes.Add(shape);
                    sizes.Add(0);
                }
                shape = shapes[lastId];
            }
            last = shape;
            _bucketOf[i] = lastId;
            sizes[lastId]++;
        }
        _bucketShapes = [.. shapes];
        _bucketSizes = [.. sizes];
        foreach (SampleShape shape in _bucketShapes)
            for (int f = 0; f < shape.Count; f++)
            {
                // A batch is one buffer of batchSize samples per field: refuse a size that cannot be one, by its numbers, before
                // the batch arithmetic below (size + batchSize - 1) can wrap around.
                long sample = shape.Length(f);
                if ((double)batchSize * sample > Array.MaxLength)
                    throw new ArgumentException(
                        $"batchSize {batchSize} of samples {string.Join("x", shape[f])} ({sample} floats each) needs " +
                        $"{(double)batchSize * sample:0} floats per batch, more than one buffer can hold ({Array.MaxLength}).", nameof(batchSize));
            }
        foreach (int size in _bucketSizes) BatchCount += dropLast ? size / batchSize : (int)(((long)size + batchSize - 1) / batchSize);
    }

    /// <summary>The dataset batches come from.</summary>
    public Dataset Dataset { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch draws a new order.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed of the shuffle and of random transforms.</summary>
    public long Seed { get; }

    /// <summary>Whether short last batches are dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether a background task builds the next batch ahead.</summary>
    public bool Prefetch { get; }

    /// <summary>Batches per epoch (PyTorch's <c>len(loader)</c>).</summary>
    public int BatchCount { get; }

    /// <summary>The distinct image shapes (of the first tensor of each item), in order of first appearance; batches of
    /// each are made separately.</summary>
    /// <exception cref="InvalidOperationException">The first tensor's items are not images.</exception>
    public IReadOnlyList<ImageShape> Shapes => _bucketShapes.Select(s => s.Image(0)).ToArray();

    /// <summary>The epoch the next enumeration runs; each enumeration takes it and adds one. Set it to resume
    /// or replay an epoch (like a distributed sampler's set_epoch).</summary>
    public int Epoch { get; set; }

    /// <summary>The dataset indices of every batch of <paramref name="epoch"/>, in the order they are yielded.</summary>
    public IReadOnlyList<int[]> BatchIndices(int epoch)
    {
        BatchPlan plan = Plan(epoch);
        var result = new int[plan.Count][];
        for (int b = 0; b < plan.Count; b++) result[b] = plan.Order.AsSpan(plan.Starts[b], plan.Lengths[b]).ToArray();
        return result;
    }

    /// <summary>Starts epoch <see cref="Epoch"/> (and advances it).</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int epoch = Epoch++;
            if (Dataset is DistributedSampler sampler) sampler.Epoch = epoch;  // every rank reshuffles alike
            var enumerator = new BatchEnumerator(this, Plan(epoch), epoch);
            _active.Add(enumerator);
            return enumerator;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    IEnumerable<(Tensor Input, Tensor Target)> IDataLoader.Batches()
    {
        if (Dataset.FieldCount != 2)
            throw new InvalidOperationException(
                $"The trainer needs (input, target) batches, but this loader's items have {Dataset.FieldCount} tensors each.");
        return this.Select(b => (b[0], b[1]));
    }

    /// <summary>Stops every running enumeration: cancels and waits for its worker and disposes batches it had
    /// prepared but not yielded. Batches already yielded stay the caller's. Safe to call twice.</summary>
    public void Dispose()
    {
        BatchEnumerator[] active;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            active = [.. _active];
        }
        foreach (BatchEnumerator e in active) e.Dispose();
    }

    private BatchPlan Plan(int epoch) =>
        BatchPlan.Create(_bucketOf, _bucketSizes, BatchSize, Shuffle, DropLast, new Generator(SeedMix.Epoch(Seed, epoch)));

    private void Finished(BatchEnumerator enumerator)
    {
        lock (_gate) _active.Remove(enumerator);
    }

    /// <summary>Batch <paramref name="b"/> of <paramref name="plan"/>: new tensors (one per field) owned by no scope.</summary>
    private Batch BuildBatch(BatchPlan plan, int b, int epoch, SampleContext context)
    {
        int start = plan.Starts[b], n = plan.Lengths[b];
        SampleShape shape = _bucketShapes[plan.Buckets[b]];
        var tensors = new Tensor[shape.Count];
        try
        {
            for (int f = 0; f < tensors.Length; f++) tensors[f] = Tensor.Allocate(Device.Cpu, [n, .. shape[f]], zero: false, owned: true);
            var data = new BufferSlice[tensors.Length];
            var fields = new BufferSlice[tensors.Length];
            var lengths = new long[tensors.Length];
            for (int f = 0; f < tensors.Length; f++) (data[f], lengths[f]) = (tensors[f].Data, shape.Length(f));
            for (int j = 0; j < n; j++)
            {
                int index = plan.Order[start + j];
                context.Reseed(Seed, epoch, index);
                for (int f = 0; f < fields.Length; f++) fields[f] = data[f].Slice(j * lengths[f], lengths[f]);
                Dataset.WriteFields(index, shape, fields, context);
            }
        }
        catch
        {
            foreach (Tensor? t in tensors) t?.Dispose();
            throw;
        }
        return new Batch(tensors);
    }
}
