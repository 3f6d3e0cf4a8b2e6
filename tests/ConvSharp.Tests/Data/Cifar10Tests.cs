using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

public class Cifar10Tests
{
    [Fact]
    public void One_batch_reads_labels_and_chw_pixels_record_by_record()
    {
        using var files = new DataFiles();
        byte[] labels = [3, 0, 9, 5];
        byte[] bytes = DataFiles.CifarRecords(labels);
        string path = files.Write("data_batch_1.bin", bytes);

        ImageDataset data = Cifar10.ReadBatches([path]);
        Assert.Equal(4, data.Count);
        Assert.Equal(new ImageShape(3, 32, 32), data.ShapeOf(0));
        Assert.Equal(Cifar10.Classes, data.Classes);
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(labels[i], data.LabelOf(i));
            Assert.Equal(bytes.AsSpan(i * 3073 + 1, 3072).ToArray(), data.PixelsOf(i).ToArray());
        }
        // Record layout: the first 1024 bytes are the red plane, so the image's channel 0.
        using var image = data.Get(2).Image;
        Assert.Equal(bytes[2 * 3073 + 1 + 1024 + 5], image.ToArray()[1024 + 5]);
    }

    [Fact]
    public void Many_batches_concatenate_in_order_and_class_names_come_from_batches_meta()
    {
        using var files = new DataFiles();
        string a = files.Write("a.bin", DataFiles.CifarRecords([1, 2], salt: 0));
        string b = files.Write("b.bin", DataFiles.CifarRecords([2, 1, 0], salt: 50));
        files.Write("batches.meta.txt", "\n"u8.ToArray().Concat("zero\none\r\ntwo\n\n"u8.ToArray()).ToArray());

        ImageDataset data = Cifar10.ReadBatches([a, b]);
        Assert.Equal(5, data.Count);
        Assert.Equal([1, 2, 2, 1, 0], data.Labels.ToArray());
        Assert.Equal(["zero", "one", "two"], data.Classes);
        Assert.Equal(DataFiles.CifarRecords([2, 1, 0], salt: 50).AsSpan(3073 + 1, 3072).ToArray(), data.PixelsOf(3).ToArray());
    }

    [Theory]
    [InlineData(3073 * 2 - 1)]
    [InlineData(3073 + 100)]
    [InlineData(0)]
    public void A_length_that_is_not_a_multiple_of_3073_names_the_file(int length)
    {
        using var files = new DataFiles();
        string path = files.Write("data_batch_1.bin", DataFiles.Pattern(length));
        var e = Assert.Throws<InvalidDataException>(() => Cifar10.ReadBatches([path]));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("3073-byte record", e.Message);
    }

    [Fact]
    public void A_label_beyond_the_classes_names_the_file_and_record()
    {
        using var files = new DataFiles();
        string path = files.Write("test_batch.bin", DataFiles.CifarRecords([1, 12, 3]));
        var e = Assert.Throws<InvalidDataException>(() => Cifar10.ReadBatches([path]));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("record 1 has label 12", e.Message);
    }

    [Fact]
    public void Load_finds_the_batches_in_the_folder_or_cifar_10_batches_bin_and_scales_to_0_1()
    {
        using var files = new DataFiles();
        for (int i = 1; i <= 5; i++) files.Write($"cifar-10-batches-bin/data_batch_{i}.bin", DataFiles.CifarRecords([(byte)i, (byte)(i + 1)], salt: i));
        files.Write("cifar-10-batches-bin/test_batch.bin", DataFiles.CifarRecords([9]));

        ImageDataset train = Cifar10.Load(files.Root, train: true);
        ImageDataset test = Cifar10.Load(files.Root, train: false);
        Assert.Equal(10, train.Count);
        Assert.Equal([1, 2, 2, 3, 3, 4, 4, 5, 5, 6], train.Labels.ToArray());
        Assert.Equal(1, test.Count);
        using var image = train.Get(0).Image;
        Assert.All(image.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(train.PixelsOf(0)[7] / 255f, image.ToArray()[7], 6);
    }

    [Fact]
    public void Load_names_the_missing_files()
    {
        using var files = new DataFiles();
        files.Write("data_batch_1.bin", DataFiles.CifarRecords([1]));
        var e = Assert.Throws<FileNotFoundException>(() => Cifar10.Load(files.Root));
        Assert.Contains("data_batch_5.bin", e.Message);
        Assert.Contains(files.Root, e.Message);
    }
}
