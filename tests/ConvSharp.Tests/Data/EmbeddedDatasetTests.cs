using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

public class EmbeddedDatasetTests
{
    private static string RepositoryData()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Interop.sln"))) return Path.Combine(dir.FullName, "data", "fashion-mnist");
        throw new InvalidOperationException("The tests do not run inside the repository.");
    }

    [Fact]
    public void The_default_search_finds_the_embedded_subset_first()
    {
        Assert.Equal(RepositoryData(), FashionMnist.FindDirectory(train: true));
        Assert.Equal(RepositoryData(), FashionMnist.FindDirectory(train: false));
        IReadOnlyList<string> paths = FashionMnist.SearchPaths();
        Assert.Equal("/usr/share/datasets/fashion-mnist", paths[^1]);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory.TrimEnd('/'), "data", "fashion-mnist"), paths[0]);
    }

    [Theory]
    [InlineData(true, 6000)]
    [InlineData(false, 1000)]
    public void The_embedded_subset_loads_class_balanced_with_labels_0_to_9(bool train, int count)
    {
        ImageDataset data = FashionMnist.Load(train);
        Assert.Equal(count, data.Count);
        Assert.Equal(new ImageShape(1, 28, 28), data.ShapeOf(0));
        Assert.Equal(FashionMnist.Classes, data.Classes);
        Assert.Equal("Ankle boot", data.Classes![9]);
        int[] perClass = new int[10];
        foreach (int l in data.Labels) perClass[l]++;
        Assert.All(perClass, n => Assert.Equal(count / 10, n));
        // Fashion-MNIST's first training image is an ankle boot, its first test image too.
        Assert.Equal(9f, data.LabelOf(0));

        var (image, label) = data[count - 1];
        using (image)
        {
            float[] values = image.ToArray();
            Assert.All(values, v => Assert.InRange(v, 0f, 1f));
            Assert.Contains(values, v => v > 0.5f);
            Assert.Equal(data.PixelsOf(count - 1)[400] / 255f, values[400], 6);
            Assert.Equal(data.Labels[count - 1], label);
        }
    }

    [Fact]
    public void When_nothing_is_found_the_error_lists_every_folder_searched_and_the_install_command()
    {
        using var files = new DataFiles();
        string[] paths = [Path.Combine(files.Root, "a"), Path.Combine(files.Root, "b")];
        var e = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.FindDirectory(train: true, paths));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("  " + paths[0] + Environment.NewLine + "  " + paths[1], e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        // A folder with only the training files does not satisfy a search for the test split.
        files.Write("b/train-images-idx3-ubyte.gz", []);
        files.Write("b/train-labels-idx1-ubyte", []);
        Assert.Equal(paths[1], FashionMnist.FindDirectory(train: true, paths));
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.FindDirectory(train: false, paths));
    }

    [Fact]
    public void An_explicit_folder_without_the_files_is_named_in_the_error()
    {
        using var files = new DataFiles();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(files.Root, train: false));
        Assert.Contains(files.Root, e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void Mnist_loads_synthetic_idx_files_and_refuses_mismatched_counts_and_labels()
    {
        using var files = new DataFiles();
        files.Write("train-images-idx3-ubyte.gz", DataFiles.IdxImages(3, 28, 28, DataFiles.Pattern(3 * 784)), gzip: true);
        files.Write("train-labels-idx1-ubyte", DataFiles.IdxLabels([4, 0, 9]));
        ImageDataset data = Mnist.Load(files.Root, train: true, transform: null);
        Assert.Equal([4, 0, 9], data.Labels.ToArray());
        Assert.Equal(DataFiles.Pattern(3 * 784)[784..1568], data.PixelsOf(1).ToArray());

        files.Write("t10k-images-idx3-ubyte", DataFiles.IdxImages(2, 28, 28, DataFiles.Pattern(2 * 784)));
        files.Write("t10k-labels-idx1-ubyte", DataFiles.IdxLabels([1, 2, 3]));
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(files.Root, train: false));
        Assert.Contains("holds 2 images", e.Message);
        Assert.Contains("3 labels", e.Message);

        files.Write("t10k-labels-idx1-ubyte", DataFiles.IdxLabels([1, 10]));
        var e2 = Assert.Throws<InvalidDataException>(() => Mnist.Load(files.Root, train: false));
        Assert.Contains("label 10 at index 1", e2.Message);
    }
}
