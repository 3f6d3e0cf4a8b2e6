using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

/// <summary>Datasets of any number of tensors (TensorDataset, Dataset&lt;T&gt;), the DataLoader's tuple batches and paired transforms.</summary>
[DetectLeaks]
public class GeneralDatasetTests
{
    /// <summary>n items of shape [1, h, w] whose values encode (item, position): item·1000 + position.</summary>
    private static Tensor Images(int n, int h, int w, float offset = 0) =>
        Tensor.FromArray(Enumerable.Range(0, n * h * w).Select(v => (v / (h * w)) * 1000f + v % (h * w) + offset).ToArray(), n, 1, h, w);

    [Fact]
    public void An_image_to_image_dataset_batches_into_noisy_and_clean_pairs_that_match_row_by_row()
    {
        using var noisy = Images(10, 4, 5, offset: 0.5f);
        using var clean = Images(10, 4, 5);
        var dataset = new TensorDataset(noisy, clean);
        using var loader = new DataLoader(dataset, batchSize: 4, shuffle: true, seed: 3);
        var seen = new List<int>();
        foreach (var (x, y) in loader)
        {
            using var scope = Tensor.Scope();
            Assert.Equal(x.Shape[1..], new[] { 1, 4, 5 });
            Assert.Equal(x.Shape, y.Shape);
            float[] a = x.ToArray(), b = y.ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i] + 0.5f, a[i]);
            for (int r = 0; r < x.Shape[0]; r++) seen.Add((int)(b[r * 20] / 1000));
        }
        Assert.Equal(3, loader.BatchCount);
        Assert.Equal(Enumerable.Range(0, 10), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 10), seen);  // shuffled
    }

    [Fact]
    public void Three_tensors_of_different_shapes_deconstruct_into_three_and_drop_last_drops_the_short_batch()
    {
        using var features = Tensor.FromArray(Enumerable.Range(0, 7 * 3).Select(v => (float)v).ToArray(), 7, 3);
        using var targets = Tensor.FromArray(Enumerable.Range(0, 7 * 2 * 2).Select(v => -(float)v).ToArray(), 7, 2, 2);
        using var weights = Tensor.FromArray(Enumerable.Range(0, 7).Select(v => v * 0.25f).ToArray(), 7);
        var dataset = new TensorDataset(features, targets, weights);
        Assert.Equal(3, dataset.TensorCount);
        using var loader = new DataLoader(dataset, batchSize: 3, dropLast: true, prefetch: false);
        int batches = 0;
        foreach (var (f, t, w) in loader)
        {
            using var scope = Tensor.Scope();
            Assert.Equal([3, 3], f.Shape);
            Assert.Equal([3, 2, 2], t.Shape);
            Assert.Equal([3], w.Shape);
            int first = batches * 3;
            Assert.Equal(Enumerable.Range(first * 3, 9).Select(v => (float)v), f.ToArray());
            Assert.Equal(Enumerable.Range(first * 4, 12).Select(v => -(float)v), t.ToArray());
            Assert.Equal(Enumerable.Range(first, 3).Select(v => v * 0.25f), w.ToArray());
            batches++;
        }
        Assert.Equal(2, batches);
        Tensor[] item = dataset.GetTensors(5);
        try
        {
            Assert.Equal([3], item[0].Shape);
            Assert.Equal(new float[] { 15, 16, 17 }, item[0].ToArray());
            Assert.Equal(1.25f, item[2].Item());
        }
        finally
        {
            foreach (Tensor t in item) t.Dispose();
        }
    }

    [Fact]
    public void First_dimensions_that_differ_are_an_argument_exception_naming_both_sizes()
    {
        using var a = Tensor.Zeros(4, 3);
        using var b = Tensor.Zeros(5, 2);
        using var c = Tensor.Zeros(4);
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(a, c, b));
        Assert.Equal("tensors", e.ParamName);
        Assert.Contains("tensor 0 has 4 items", e.Message);
        Assert.Contains("tensor 2 has 5", e.Message);
        var pair = Assert.Throws<ArgumentException>(() => new TensorDataset(a, b));
        Assert.Equal("labels", pair.ParamName);
        Assert.Contains("4", pair.Message);
        Assert.Contains("5", pair.Message);
        Assert.Throws<ArgumentException>(() => new TensorDataset(Array.Empty<Tensor>()));
    }

    [Fact]
    public void A_batch_deconstructed_into_the_wrong_number_of_tensors_says_how_many_it_holds()
    {
        using var a = Tensor.Zeros(4, 3);
        using var loader = new DataLoader(new TensorDataset(a, a, a), 2);
        using var batch = loader.First();
        var e = Assert.Throws<InvalidOperationException>(() => { var (x, y) = batch; });
        Assert.Contains("holds 3 tensors", e.Message);
        var trainer = Assert.Throws<InvalidOperationException>(() => ((IDataLoader)loader).Batches().First());
        Assert.Contains("3 tensors", trainer.Message);
    }

    [Fact]
    public void Pairs_keep_working_with_split_subset_concat_and_the_image_label_tensor_dataset_keeps_its_labels()
    {
        using var x = Images(6, 2, 2);
        using var y = Images(6, 2, 2, offset: 7);
        var (train, val) = new TensorDataset(x, y).Split(4, 2, seed: 1);
        var both = new ConcatDataset(train, val);
        using var loader = new DataLoader(both, batchSize: 6);
        var (input, target) = loader.First();
        using (input)
        using (target)
        {
            float[] a = input.ToArray(), b = target.ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i] + 7, b[i]);
            Assert.Equal(Enumerable.Range(0, 6), Enumerable.Range(0, 6).Select(r => (int)(a[r * 4] / 1000)).Order());
        }
        var labelled = new TensorDataset(x, Tensor.FromArray([0f, 1, 2, 0, 1, 2], 6));
        Assert.Equal(2f, labelled.LabelOf(5));
        var (image, label) = labelled[4];
        using (image) Assert.Equal(1f, label);
        var noLabels = Assert.Throws<InvalidOperationException>(() => new TensorDataset(x, y).LabelOf(0));
        Assert.Contains("GetTensors", noLabels.Message);
    }

    [Fact]
    public void A_paired_crop_and_flip_cut_input_and_target_at_the_same_place()
    {
        // The target is the input + 0.25 everywhere, so after the same crop and flip it must still be exactly that.
        using var input = Tensor.Rand([8, 1, 10, 12], seed: 4);
        using var target = input + 0.25f;
        var paired = new PairedTransform(new RandomCrop(6, padding: 1), new RandomHorizontalFlip());
        var dataset = new TensorDataset([input, target], pairedTransform: paired);
        using var loader = new DataLoader(dataset, batchSize: 4, shuffle: true, seed: 9);
        var crops = new HashSet<string>();
        for (int epoch = 0; epoch < 2; epoch++)
            foreach (var (a, b) in loader)
            {
                using var scope = Tensor.Scope();
                Assert.Equal([4, 1, 6, 6], a.Shape);
                Assert.Equal(a.Shape, b.Shape);
                float[] x = a.ToArray(), y = b.ToArray();
                for (int i = 0; i < x.Length; i++)
                    Assert.True(x[i] == 0 && y[i] == 0 || Math.Abs(x[i] + 0.25f - y[i]) < 1e-6f, $"value {i}: input {x[i]}, target {y[i]}");
                for (int r = 0; r < 4; r++) crops.Add(string.Join(",", x.Skip(r * 36).Take(3)));
            }
        Assert.True(crops.Count > 4, "the crops should differ between samples and epochs");

        var unpaired = new TensorDataset([input, target], transform: new RandomCrop(6));
        Tensor[] item = unpaired.GetTensors(0);
        try
        {
            Assert.Equal([1, 6, 6], item[0].Shape);
            Assert.Equal([1, 10, 12], item[1].Shape);  // only the input is cropped
        }
        finally
        {
            foreach (Tensor t in item) t.Dispose();
        }
        using var small = Tensor.Zeros(8, 1, 5, 5);
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset([input, small], pairedTransform: paired));
        Assert.Contains("one height and width", e.Message);
    }

    /// <summary>A user's own dataset of (input, target) tensor pairs, made per item.</summary>
    private sealed class Squares(int count) : Dataset<(Tensor, Tensor)>
    {
        public override int Count => count;

        public override (Tensor, Tensor) Get(int index) =>
            (Tensor.Full([2], index), Tensor.Full([1, 3], (float)index * index));
    }

    private sealed class Ragged : Dataset<Tensor[]>
    {
        public override int Count => 3;

        public override Tensor[] Get(int index) => [Tensor.Zeros(index == 2 ? 3 : 2)];
    }

    [Fact]
    public void A_users_dataset_of_tensor_pairs_is_collated_by_the_data_loader()
    {
        using var loader = new DataLoader(new Squares(5), batchSize: 2);
        var rows = new List<float>();
        foreach (var (x, y) in loader)
        {
            using var scope = Tensor.Scope();
            Assert.Equal(x.Shape[0], y.Shape[0]);
            Assert.Equal([x.Shape[0], 1, 3], y.Shape);
            float[] a = x.ToArray(), b = y.ToArray();
            for (int r = 0; r < x.Shape[0]; r++)
            {
                Assert.Equal(a[r * 2], a[r * 2 + 1]);
                Assert.Equal(a[r * 2] * a[r * 2], b[r * 3]);
                rows.Add(a[r * 2]);
            }
        }
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, rows);
        Assert.Equal(16f, new Squares(5)[4].Item2.ToArray()[0]);

        using var ragged = new DataLoader(new Ragged(), batchSize: 3, prefetch: false);
        var e = Assert.Throws<InvalidOperationException>(() => ragged.First());
        Assert.Contains("Item 2", e.Message);
        Assert.Contains("[3]", e.Message);
    }
}
