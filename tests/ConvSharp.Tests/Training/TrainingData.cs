using ConvSharp.Data;
using ConvSharp.NN;

namespace ConvSharp.Tests.Training;

/// <summary>Small fixed tasks for trainer tests: 3-class 6×6 images (class c is a bright row band) and a tiny network.</summary>
internal static class TrainingData
{
    public static TensorDataset Classes(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[count * 36];
        var labels = new float[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            labels[i] = c;
            for (int p = 0; p < 36; p++) pixels[i * 36 + p] = (float)rng.NextDouble() * 0.3f + (p / 6 / 2 == c ? 0.7f : 0f);
        }
        using var x = Tensor.FromArray(pixels, count, 1, 6, 6);
        using var y = Tensor.FromArray(labels, count);
        return new TensorDataset(x, y);
    }

    public static Sequential Net(long seed) => new(
        new Conv2d(1, 4, 3, padding: 1, generator: new Generator(seed)), new ReLU(), new Flatten(), new Linear(4 * 36, 3, generator: new Generator(seed + 1)));
}

/// <summary>An image-to-image loader over fixed (noisy, clean) pairs, shuffled per epoch: the IDataLoader a denoiser uses.</summary>
internal sealed class PairLoader(float[][] noisy, float[][] clean, int batchSize, int[] shape) : IDataLoader
{
    public int BatchCount => (noisy.Length + batchSize - 1) / batchSize;

    public int Epoch { get; set; }

    public IEnumerable<(Tensor Input, Tensor Target)> Batches()
    {
        int[] order = Enumerable.Range(0, noisy.Length).OrderBy(i => (i * 7919 + Epoch * 104729) % 1009).ToArray();
        for (int b = 0; b < BatchCount; b++)
        {
            int[] idx = order.Skip(b * batchSize).Take(batchSize).ToArray();
            int[] dims = [idx.Length, .. shape];
            yield return (Tensor.FromArray(idx.SelectMany(i => noisy[i]).ToArray(), dims), Tensor.FromArray(idx.SelectMany(i => clean[i]).ToArray(), dims));
        }
    }
}
