using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

/// <summary>CIFAR-100's binary format, on files written here from its description: 3,074-byte records of coarse
/// label, fine label and 3,072 pixel bytes (R, G, B planes).</summary>
public class Cifar100Tests
{
    private static byte[] Record(int coarse, int fine, int seed)
    {
        var r = new byte[Cifar100.RecordLength];
        r[0] = (byte)coarse;
        r[1] = (byte)fine;
        for (int i = 2; i < r.Length; i++) r[i] = (byte)((i * 7 + seed * 31) % 256);
        return r;
    }

    [Fact]
    public void Reads_fine_or_coarse_labels_and_chw_pixels()
    {
        using var dir = new TempFolder();
        string folder = Directory.CreateDirectory(dir.File("cifar-100-binary")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), [.. Record(4, 30, 1), .. Record(19, 99, 2), .. Record(0, 0, 3)]);
        var fine = Cifar100.Load(dir.Path, train: false);
        Assert.Equal(3, fine.Count);
        Assert.Equal(100, fine.Classes!.Count);
        Assert.Equal([30f, 99f, 0f], Enumerable.Range(0, 3).Select(fine.LabelOf));
        Assert.Equal("dolphin", fine.Classes[30]);
        var (image, label) = fine[1];
        Assert.Equal([3, 32, 32], image.Shape);
        Assert.Equal(99f, label);
        byte[] expected = Record(19, 99, 2);
        // ToTensor: pixel / 255, in the file's C×H×W order (the green plane starts at byte 2 + 1,024).
        Assert.Equal(expected[2 + 1024 + 5] / 255f, image.ToArray()[1024 + 5], 6);
        var coarse = Cifar100.Load(dir.Path, train: false, coarse: true);
        Assert.Equal([4f, 19f, 0f], Enumerable.Range(0, 3).Select(coarse.LabelOf));
        Assert.Equal("vehicles_2", coarse.Classes![19]);
    }

    [Fact]
    public void Bad_files_name_the_file_and_the_problem()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("train.bin"), [.. Record(1, 2, 0), 7]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar100.Load(dir.Path));
        Assert.StartsWith($"{dir.File("train.bin")} (3075 bytes): a CIFAR-100 binary file is a run of 3074-byte records", e.Message);
        File.WriteAllBytes(dir.File("train.bin"), Record(20, 2, 0));
        e = Assert.Throws<InvalidDataException>(() => Cifar100.Load(dir.Path));
        Assert.Equal($"{dir.File("train.bin")}: record 0 has coarse label 20 and fine label 2, but there are 20 coarse (0–19) and 100 fine classes (0–99).", e.Message);
        Assert.StartsWith("CIFAR-100 test file test.bin not found in", Assert.Throws<FileNotFoundException>(() => Cifar100.Load(dir.Path, train: false)).Message);
    }
}

public class ConcatDatasetTests
{
    [Fact]
    public void Samples_come_from_the_part_they_fall_in()
    {
        using var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 1, 1, 2);
        using var la = Tensor.FromArray([0f, 1f], 2);
        using var b = Tensor.FromArray([5f, 6f], 1, 1, 1, 2);
        using var lb = Tensor.FromArray([2f], 1);
        var all = new ConcatDataset(new TensorDataset(a, la), new TensorDataset(b, lb));
        Assert.Equal(3, all.Count);
        Assert.Equal([0f, 1f, 2f], Enumerable.Range(0, 3).Select(all.LabelOf));
        Assert.Equal([5f, 6f], all[2].Image.ToArray());
        Assert.Equal([3f, 4f], all[1].Image.ToArray());
        using var loader = new DataLoader(all, 3);
        var (x, y) = loader.First();
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], x.ToArray());
        Assert.Equal([0f, 1f, 2f], y.ToArray());
        Assert.StartsWith("ConcatDataset needs at least one dataset, but got none.", Assert.Throws<ArgumentException>(() => new ConcatDataset()).Message);
    }
}
