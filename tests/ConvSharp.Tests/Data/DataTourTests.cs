using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

/// <summary>DESIGN.md's data lines, run on the embedded subset (6,000 training images instead of 60,000).</summary>
public class DataTourTests
{
    [Fact]
    public void The_design_tour_loads_splits_and_batches_fashion_mnist()
    {
        string dataDir = FashionMnist.FindDirectory();
        var (train, val) = FashionMnist.Load(dataDir, train: true).Split(5_000, 1_000, seed: 0);
        using var loader = new DataLoader(train, batchSize: 16, shuffle: true, seed: 0);
        Assert.Equal(313, loader.BatchCount);
        Assert.Equal(1_000, val.Count);
        int batches = 0;
        foreach (var (images, labels) in loader)
        {
            using var scope = Tensor.Scope();
            Assert.Equal(images.Size(0) == 16 ? [16, 1, 28, 28] : new[] { 8, 1, 28, 28 }, images.Shape);
            Assert.All(labels.ToArray(), l => Assert.True(l is >= 0 and <= 9 && l == MathF.Floor(l)));
            if (++batches == 20) break;
        }
        Assert.Equal(20, batches);
    }
}
