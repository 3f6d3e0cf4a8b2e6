namespace ConvSharp.Data;

/// <summary>Derives independent seeds from (seed, epoch) and (seed, epoch, index) with SplitMix64's
/// finalizer, so a loader's shuffle order and each sample's augmentation are fixed functions of those
/// numbers, whichever thread computes them.</summary>
internal static class SeedMix
{
    private const ulong OrderStream = 0x6A09E667F3BCC909UL, SampleStream = 0xBB67AE8584CAA73BUL;

    /// <summary>The seed of epoch <paramref name="epoch"/>'s shuffle.</summary>
    internal static long Epoch(long seed, long epoch) => (long)Mix(Mix((ulong)seed ^ OrderStream) + (ulong)epoch);

    /// <summary>The seed of the generator that sample <paramref name="index"/>'s transforms draw from in
    /// epoch <paramref name="epoch"/>.</summary>
    internal static long Sample(long seed, long epoch, long index) =>
        (long)Mix(Mix(Mix((ulong)seed ^ SampleStream) + (ulong)epoch) + (ulong)index);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Draws the data pipeline needs from a <see cref="Generator"/>.</summary>
internal static class GeneratorDraws
{
    /// <summary>A uniform integer in [0, <paramref name="count"/>).</summary>
    internal static int NextInt(this Generator generator, int count) =>
        count <= 1 ? 0 : (int)Math.BigMul(generator.NextUInt64(), (ulong)count, out _);

    /// <summary>A uniform integer in [low, high] (both inclusive).</summary>
    internal static int NextIntInclusive(this Generator generator, int low, int high) => low + generator.NextInt(high - low + 1);

    /// <summary>A uniform double in [low, high).</summary>
    internal static double Uniform(this Generator generator, double low, double high) => low + (high - low) * generator.NextDouble();

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    internal static void Shuffle(this Generator generator, Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = generator.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
