using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

public class SplitTests
{
    private static TensorDataset Numbers(int n)
    {
        float[] values = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        using var images = Tensor.FromArray(values, n, 1, 1, 1);
        using var labels = Tensor.FromArray(values, n);
        return new TensorDataset(images, labels);
    }

    [Fact]
    public void Counts_split_into_disjoint_subsets_that_cover_the_dataset()
    {
        var data = Numbers(100);
        Subset[] parts = data.RandomSplit([50, 30, 20], seed: 7);
        Assert.Equal([50, 30, 20], parts.Select(p => p.Count));
        int[] all = parts.SelectMany(p => p.Indices).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), all.Order());
        Assert.Equal(parts[1].Indices[4], (int)parts[1].LabelOf(4));  // a subset reads its base at its index
    }

    [Fact]
    public void Fractions_round_down_then_hand_out_the_remainder_from_the_first_subset_as_PyTorch_does()
    {
        Assert.Equal([4, 3, 3], Dataset.SplitLengths([0.33, 0.33, 0.34], 10));
        Assert.Equal([8, 2], Dataset.SplitLengths([0.8, 0.2], 10));
        Assert.Equal([34, 33, 33], Dataset.SplitLengths([1 / 3.0, 1 / 3.0, 1 / 3.0], 100));
        var (train, val) = Numbers(10).Split(0.7, 0.3, seed: 1);
        Assert.Equal((7, 3), (train.Count, val.Count));
        Assert.Empty(train.Indices.Intersect(val.Indices));
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var data = Numbers(1000);
        var (a1, b1) = data.Split(900, 100, seed: 3);
        var (a2, _) = data.Split(900, 100, seed: 3);
        var (a3, _) = data.Split(900, 100, seed: 4);
        Assert.Equal(a1.Indices, a2.Indices);
        Assert.NotEqual(a1.Indices, a3.Indices);
        Assert.Empty(a1.Indices.Intersect(b1.Indices));
    }

    [Fact]
    public void Sizes_that_do_not_add_up_are_refused_with_both_numbers()
    {
        var data = Numbers(6000);
        var e = Assert.Throws<ArgumentException>(() => data.Split(50_000, 10_000, seed: 0));
        Assert.Contains("add up to 60000, but the dataset has 6000 samples", e.Message);
        Assert.Contains("add up to 0.9", Assert.Throws<ArgumentException>(() => data.Split(0.8, 0.1)).Message);
        Assert.Throws<ArgumentException>(() => data.RandomSplit([7000, -1000]));
        Assert.Throws<ArgumentException>(() => data.RandomSplit([1.5, -0.5]));
    }

    [Fact]
    public void WithTransform_on_a_subset_keeps_its_indices_and_replaces_the_transform()
    {
        var data = Numbers(10).WithTransform(new Normalize(0f, 2f));
        var (train, _) = data.Split(6, 4, seed: 2);
        Subset raw = train.WithTransform(null);
        Assert.Equal(train.Indices, raw.Indices);
        using var scaled = train.Get(0).Image;
        using var plain = raw.Get(0).Image;
        Assert.Equal(train.Indices[0] / 2f, scaled.Item());
        Assert.Equal(train.Indices[0], plain.Item());
    }

    [Fact]
    public void Subset_refuses_indices_out_of_range()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Subset(Numbers(5), [0, 5]));
        Assert.Contains("Index 5 (position 1) is outside a dataset of 5 samples", e.Message);
    }
}
