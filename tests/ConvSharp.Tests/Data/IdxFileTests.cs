using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

public class IdxFileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_and_labels_read_back_plain_and_gzipped(bool gzip)
    {
        using var files = new DataFiles();
        byte[] pixels = DataFiles.Pattern(3 * 4 * 5);
        string images = files.Write("img", DataFiles.IdxImages(3, 4, 5, pixels), gzip);
        string labels = files.Write("lab", DataFiles.IdxLabels([7, 0, 9]), gzip);

        var (data, count, rows, columns) = IdxFile.ReadImages(images);
        Assert.Equal((3, 4, 5), (count, rows, columns));
        Assert.Equal(pixels, data);
        Assert.Equal([7, 0, 9], IdxFile.ReadLabels(labels));
    }

    [Fact]
    public void Gzip_is_recognised_by_its_magic_bytes_not_the_file_name()
    {
        using var files = new DataFiles();
        byte[] pixels = DataFiles.Pattern(2 * 2 * 2);
        string gzNamedPlain = files.Write("plain.gz", DataFiles.IdxImages(2, 2, 2, pixels));
        string plainNamedGz = files.Write("images-idx3-ubyte", DataFiles.IdxImages(2, 2, 2, pixels), gzip: true);
        Assert.Equal(pixels, IdxFile.ReadImages(gzNamedPlain).Pixels);
        Assert.Equal(pixels, IdxFile.ReadImages(plainNamedGz).Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_labels_file_read_as_images_names_the_file_and_both_magic_numbers(bool gzip)
    {
        using var files = new DataFiles();
        string path = files.Write("labels", DataFiles.IdxLabels([1, 2, 3]), gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("wrong magic number 0x00000801", e.Message);
        Assert.Contains("labels", e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Fact]
    public void Other_magic_numbers_are_refused()
    {
        using var files = new DataFiles();
        string png = files.Write("x.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Contains("wrong magic number 0x89504E47 (not an IDX file)", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(png)).Message);
        string floats = files.Write("f", DataFiles.Idx(1, [1], [0, 0, 0, 0], type: 0x0D));
        Assert.Contains("another element type", Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(floats)).Message);
        string empty = files.Write("empty", []);
        Assert.Contains("holds 0 bytes", Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(empty)).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_header_is_refused(bool gzip)
    {
        using var files = new DataFiles();
        string path = files.Write("short", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("the header is truncated", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data_is_refused_naming_the_counts(bool gzip)
    {
        using var files = new DataFiles();
        string path = files.Write("img", DataFiles.IdxImages(3, 4, 5, DataFiles.Pattern(59)), gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("3 × 4 × 5 = 60 bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Data_beyond_the_header_dimensions_is_refused(bool gzip)
    {
        using var files = new DataFiles();
        string path = files.Write("lab", DataFiles.Idx(1, [3], [1, 2, 3, 4]), gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("do not match", e.Message);
    }

    [Fact]
    public void A_zero_image_dimension_is_refused()
    {
        using var files = new DataFiles();
        string path = files.Write("img", DataFiles.IdxImages(3, 0, 5, []));
        Assert.Contains("dimension 1 has size 0", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message);
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_an_InvalidDataException_naming_the_file()
    {
        using var files = new DataFiles();
        byte[] gz = DataFiles.Gzip(DataFiles.IdxImages(10, 8, 8, DataFiles.Pattern(640)));
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5A;  // keep the gzip header, scramble the deflate data
        string path = files.Write("corrupt.gz", gz);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        Assert.StartsWith(path, e.Message);
    }

    // 2^31 images of 28 × 28 overflow any array; so do 65536 × 65536 × 65536 (2^48); a header that fits an array but
    // not the file (10^6 images in a 100-byte file) must fail before the ~784 MB array is made.
    [Theory]
    [InlineData(2147483648u, 28u, 28u, false, "dimension 0 has size 2147483648, more than 2^31 - 1")]
    [InlineData(2147483647u, 28u, 28u, true, "more than one array can hold")]
    [InlineData(65536u, 65536u, 65536u, false, "more than one array can hold")]
    [InlineData(65536u, 65536u, 65536u, true, "more than one array can hold")]
    [InlineData(1_000_000u, 28u, 28u, false, "the file is truncated")]
    [InlineData(1_000_000u, 28u, 28u, true, "decompresses to at most")]
    public void Headers_claiming_more_than_the_file_holds_fail_before_any_large_allocation(uint count, uint rows, uint columns, bool gzip, string problem)
    {
        using var files = new DataFiles();
        byte[] bytes = DataFiles.Idx(3, [count, rows, columns], DataFiles.Pattern(84));
        string path = files.Write("huge", bytes, gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(path, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.True(allocated < 1 << 20, $"reading the bad header allocated {allocated} bytes first");
    }
}
