namespace ConvSharp.Data;

/// <summary>One epoch's batches: which dataset indices, in which order. Batches are contiguous runs of
/// <see cref="Order"/>; every batch holds samples of one shape (one bucket).</summary>
internal sealed class BatchPlan
{
    private BatchPlan(int[] order, int[] starts, int[] lengths, int[] buckets)
    {
        Order = order;
        Starts = starts;
        Lengths = lengths;
        Buckets = buckets;
    }

    /// <summary>Dataset indices; batch b is Order[Starts[b] .. Starts[b] + Lengths[b]).</summary>
    public int[] Order { get; }
    public int[] Starts { get; }
    public int[] Lengths { get; }

    /// <summary>The bucket (sample shape) of each batch.</summary>
    public int[] Buckets { get; }

    public int Count => Starts.Length;

    /// <summary>The batches of one epoch. With <paramref name="shuffle"/>, the sample order is a permutation drawn
    /// from <paramref name="generator"/>; samples are then grouped by bucket, keeping that order within each
    /// bucket, cut into batches (a short last batch per bucket is dropped with <paramref name="dropLast"/>), and,
    /// when there is more than one bucket and <paramref name="shuffle"/> is on, the batches are shuffled with the
    /// same generator. Without shuffle: index order, bucket by bucket.</summary>
    public static BatchPlan Create(int[] bucketOf, int[] bucketSizes, int batchSize, bool shuffle, bool dropLast, Generator generator)
    {
        int n = bucketOf.Length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) generator.Shuffle(order);

        int bucketCount = bucketSizes.Length;
        if (bucketCount > 1)
        {
            // Stable partition by bucket.
            var next = new int[bucketCount];
            for (int b = 1; b < bucketCount; b++) next[b] = next[b - 1] + bucketSizes[b - 1];
            var grouped = new int[n];
            foreach (int index in order) grouped[next[bucketOf[index]]++] = index;
            order = grouped;
        }

        int batches = 0;
        foreach (int size in bucketSizes) batches += dropLast ? size / batchSize : (int)(((long)size + batchSize - 1) / batchSize);
        var starts = new int[batches];
        var lengths = new int[batches];
        var buckets = new int[batches];
        int k = 0, offset = 0;
        for (int b = 0; b < bucketCount; b++)
        {
            int size = bucketSizes[b];
            for (long s = 0; s < size; s += batchSize)
            {
                int length = (int)Math.Min(batchSize, size - s);
                if (length < batchSize && dropLast) break;
                (starts[k], lengths[k], buckets[k]) = (offset + (int)s, length, b);
                k++;
            }
            offset += size;
        }

        if (shuffle && bucketCount > 1)
        {
            var permutation = new int[batches];
            for (int i = 0; i < batches; i++) permutation[i] = i;
            generator.Shuffle(permutation);
            starts = [.. permutation.Select(i => starts[i])];
            lengths = [.. permutation.Select(i => lengths[i])];
            buckets = [.. permutation.Select(i => buckets[i])];
        }
        return new BatchPlan(order, starts, lengths, buckets);
    }
}
