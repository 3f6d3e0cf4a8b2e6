namespace ConvSharp.Data;

public abstract partial class Dataset
{
    /// <summary>Splits the samples at random into non-overlapping subsets of the given sizes, which must add up
    /// to <see cref="Count"/> (PyTorch's <c>random_split</c>). The permutation is a fixed function of
    /// <paramref name="seed"/>: the same seed gives the same split on every machine.</summary>
    public Subset[] RandomSplit(int[] lengths, long seed = 0)
    {
        Guard.NotNull(lengths);
        if (lengths.Length == 0) throw new ArgumentException("RandomSplit needs at least one length.", nameof(lengths));
        long sum = 0;
        foreach (int n in lengths)
        {
            if (n < 0) throw new ArgumentException($"RandomSplit lengths must not be negative, but one is {n}.", nameof(lengths));
            sum += n;
        }
        if (sum != Count)
            throw new ArgumentException(
                $"RandomSplit sizes [{string.Join(", ", lengths)}] add up to {sum}, but the dataset has {Count} samples.", nameof(lengths));

        int[] permutation = Enumerable.Range(0, Count).ToArray();
        new Generator(seed).Shuffle(permutation);
        var result = new Subset[lengths.Length];
        int offset = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            result[i] = Subset.Trusted(this, permutation[offset..(offset + lengths[i])]);
            offset += lengths[i];
        }
        return result;
    }

    /// <summary>Splits by fractions that add up to 1, as PyTorch does: each subset gets floor(Count · fraction)
    /// samples, and the remainder is handed out one at a time from the first subset on.</summary>
    public Subset[] RandomSplit(double[] fractions, long seed = 0) => RandomSplit(SplitLengths(fractions, Count), seed);

    /// <summary>Two random subsets of <paramref name="first"/> and <paramref name="second"/> samples (together
    /// <see cref="Count"/>): <c>var (train, val) = data.Split(50_000, 10_000, seed: 0);</c></summary>
    public (Subset First, Subset Second) Split(int first, int second, long seed = 0)
    {
        Subset[] parts = RandomSplit([first, second], seed);
        return (parts[0], parts[1]);
    }

    /// <summary>Two random subsets holding the given fractions of the samples (together 1):
    /// <c>var (train, val) = data.Split(0.9, 0.1, seed: 0);</c></summary>
    public (Subset First, Subset Second) Split(double first, double second, long seed = 0)
    {
        Subset[] parts = RandomSplit([first, second], seed);
        return (parts[0], parts[1]);
    }

    internal static int[] SplitLengths(double[] fractions, int count)
    {
        Guard.NotNull(fractions);
        if (fractions.Length == 0) throw new ArgumentException("RandomSplit needs at least one fraction.", nameof(fractions));
        double total = 0;
        foreach (double f in fractions)
        {
            if (!(f >= 0 && f <= 1))
                throw new ArgumentException($"RandomSplit fractions must lie in [0, 1], but one is {f}.", nameof(fractions));
            total += f;
        }
        if (Math.Abs(total - 1) > 1e-9)
            throw new ArgumentException($"RandomSplit fractions [{string.Join(", ", fractions)}] add up to {total}, not 1.", nameof(fractions));
        var lengths = new int[fractions.Length];
        int assigned = 0;
        for (int i = 0; i < fractions.Length; i++)
        {
            lengths[i] = (int)Math.Floor(count * fractions[i]);
            assigned += lengths[i];
        }
        for (int i = 0; assigned < count; i++, assigned++) lengths[i % lengths.Length]++;
        return lengths;
    }
}
