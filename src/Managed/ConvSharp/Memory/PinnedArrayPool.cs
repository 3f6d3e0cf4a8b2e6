using System.Buffers;

namespace ConvSharp.Memory;

/// <summary>How much memory a <see cref="PinnedArrayPool"/> holds and has handed out.</summary>
/// <param name="RentedBytes">Bytes in arrays currently rented out (tensor storage and scratch in use).</param>
/// <param name="RetainedBytes">Bytes in arrays returned and kept for reuse.</param>
/// <param name="AllocatedBytes">Bytes allocated over the pool's lifetime (a steady loop stops growing this).</param>
/// <param name="Rents">Rent calls so far.</param>
public readonly record struct PoolStatistics(long RentedBytes, long RetainedBytes, long AllocatedBytes, long Rents);

/// <summary>An <see cref="ArrayPool{T}"/> of float arrays on the pinned object heap: their address never
/// moves, so native code gets a stable pointer with no <c>fixed</c> and no copy. Arrays come in
/// power-of-two sizes plus <see cref="AlignmentSlack"/> floats (a CPU buffer starts on the array's first
/// 64-byte boundary, up to 15 floats in, so a tensor of exactly 2^k floats still fits the 2^k bucket); each
/// size keeps a bounded number of returned arrays, the rest go to the GC.</summary>
public sealed class PinnedArrayPool : ArrayPool<float>
{
    private const int MinBucketShift = 4;      // 16 floats
    private const int MaxBucketShift = 31;

    /// <summary>Floats every array has beyond its power of two: room to start a buffer on a 64-byte boundary.</summary>
    public const int AlignmentSlack = 15;

    /// <summary>The pool behind every CPU tensor and every scratch buffer.</summary>
    public static new PinnedArrayPool Shared { get; } = new(maxArraysPerBucket: 32) { CollectsUnderPressure = true };

    private readonly Stack<float[]>[] _buckets;
    private readonly int _maxPerBucket;
    private readonly Lock _gate = new();
    private long _rented, _retained, _allocated, _rents;

    /// <summary>Creates a pool that keeps up to <paramref name="maxArraysPerBucket"/> returned arrays of each size.</summary>
    public PinnedArrayPool(int maxArraysPerBucket)
    {
        Guard.Positive(maxArraysPerBucket);
        _maxPerBucket = maxArraysPerBucket;
        _buckets = new Stack<float[]>[MaxBucketShift + 1];
        for (int i = 0; i < _buckets.Length; i++) _buckets[i] = new Stack<float[]>();
    }

    /// <summary>A snapshot of this pool's counters.</summary>
    public PoolStatistics Statistics
    {
        get { lock (_gate) return new PoolStatistics(_rented, _retained, _allocated, _rents); }
    }

    /// <summary>Rents a pinned array of at least <paramref name="minimumLength"/> floats. Its contents are undefined.</summary>
    public override float[] Rent(int minimumLength)
    {
        Guard.NonNegative(minimumLength);
        int shift = BucketShift(minimumLength - AlignmentSlack);
        float[]? array = null;
        lock (_gate)
        {
            _rents++;
            if (_buckets[shift].TryPop(out array)) _retained -= Bytes(array);
        }
        if (array is null && CollectUnderPressure())
        {
            lock (_gate)
                if (_buckets[shift].TryPop(out array)) _retained -= Bytes(array);
        }
        if (array is null)
        {
            int length = shift >= MaxBucketShift ? Array.MaxLength : (1 << shift) + AlignmentSlack;
            array = GC.AllocateUninitializedArray<float>(length, pinned: true);
            lock (_gate) _allocated += Bytes(array);
        }
        lock (_gate) _rented += Bytes(array);
        return array;
    }

    /// <summary>Returns an array rented from this pool. Arrays of a size this pool does not make are refused.</summary>
    public override void Return(float[] array, bool clearArray = false)
    {
        Guard.NotNull(array);
        int shift = BucketShift(array.Length - AlignmentSlack);
        bool ours = shift < MaxBucketShift ? array.Length == (1 << shift) + AlignmentSlack : array.Length == Array.MaxLength;
        if (!ours)
            throw new ArgumentException($"An array of {array.Length} floats was not rented from this pool.", nameof(array));
        if (clearArray) Array.Clear(array);
        lock (_gate)
        {
            _rented -= Bytes(array);
            if (_buckets[shift].Count < _maxPerBucket)
            {
                _buckets[shift].Push(array);
                _retained += Bytes(array);
            }
            // else: dropped, the GC reclaims it
        }
    }

    /// <summary>Drops every retained array and has the GC reclaim them and give their memory back to the operating
    /// system (an aggressive, compacting collection), so the process's resident memory falls by about what the
    /// pool held: call it after a burst of large tensors has been disposed.</summary>
    public void Trim()
    {
        lock (_gate)
        {
            foreach (var bucket in _buckets) bucket.Clear();
            _retained = 0;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Whether pool pressure collects garbage (the rule below); on by default for <see cref="Shared"/>.</summary>
    public bool CollectsUnderPressure { get; set; }

    /// <summary>Pressure collections so far.</summary>
    public long PressureCollections => Interlocked.Read(ref _pressureCollections);

    /// <summary>Headroom above the live set before a collection is considered: 64 MiB.</summary>
    public const long PressureHeadroomBytes = 64L << 20;

    private long _baseline, _pressureCollections;
    private int _collecting;

    /// <summary>The pool-pressure rule. Tensors that nobody disposes (no <c>using</c>, no <c>Tensor.Scope()</c>, the
    /// loop a PyTorch user writes) return their arrays only from finalizers, which the GC runs when its own
    /// (managed) heap is under pressure, not when pinned arrays pile up. So when an allocation would raise the
    /// rented bytes above twice the live set seen after the last collection plus <see cref="PressureHeadroomBytes"/>,
    /// the pool collects, waits for the finalizers (which return garbage tensors' arrays here) and tries its
    /// buckets again; the live set it then sees becomes the new baseline, so a program whose real working set
    /// grows pays for O(log size) collections, and a loop that disposes its tensors never reaches the limit.</summary>
    private bool CollectUnderPressure()
    {
        if (!CollectsUnderPressure) return false;
        long rented = Interlocked.Read(ref _rented), baseline = Interlocked.Read(ref _baseline);
        if (rented <= 2 * baseline + PressureHeadroomBytes) return false;
        if (Interlocked.Exchange(ref _collecting, 1) != 0) return false;  // another thread is collecting
        try
        {
            // A full collection: a gen-1 one was measured to leave 5x more behind (garbage tensors promoted to gen 2
            // by earlier collections are only found by a full one).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _pressureCollections);
            Interlocked.Exchange(ref _baseline, Interlocked.Read(ref _rented));
            return true;
        }
        finally
        {
            Volatile.Write(ref _collecting, 0);
        }
    }

    private static int BucketShift(int length)
    {
        if (length <= 1 << MinBucketShift) return MinBucketShift;
        int shift = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));
        return Math.Min(shift, MaxBucketShift);
    }

    private static long Bytes(float[] array) => (long)array.Length * sizeof(float);
}
