namespace ConvSharp;

/// <summary>A seeded random number generator (xoshiro256**, seeded through SplitMix64), like
/// PyTorch's <c>torch.Generator</c>: the same seed gives the same numbers on every machine and
/// every .NET version.</summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private float? _spareNormal;

    /// <summary>The generator layers use when none is given (PyTorch's default generator); seed it with
    /// <c>Generator.Default.ManualSeed(seed)</c> for reproducible initialisation.</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>A generator started from <paramref name="seed"/>.</summary>
    public Generator(long seed) => ManualSeed(seed);

    /// <summary>The seed this generator was last started from.</summary>
    public long InitialSeed { get; private set; }

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public Generator ManualSeed(long seed)
    {
        InitialSeed = seed;
        ulong x = (ulong)seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        _spareNormal = null;
        return this;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal value (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public float NextNormal()
    {
        if (_spareNormal is float spare) { _spareNormal = null; return spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();  // u1 in (0, 1]: log is finite
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)), angle = 2.0 * Math.PI * u2;
        _spareNormal = (float)(radius * Math.Sin(angle));
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>Fills <paramref name="destination"/> with uniform values in [low, high).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        float scale = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + scale * NextFloat();
    }

    /// <summary>Fills <paramref name="destination"/> with normal values of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> destination, float mean, float std)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * NextNormal();
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
