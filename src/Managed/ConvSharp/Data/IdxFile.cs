using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvSharp.Data;

/// <summary>Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number 0x000008DD
/// (0x08 = unsigned bytes, DD = the number of dimensions), DD big-endian 32-bit sizes (read as unsigned), then the bytes in
/// row-major order. Files may be plain or gzipped (recognised by their first two bytes, 1f 8b).
/// The header is checked before anything large is allocated: the product of the sizes must not overflow
/// and must match the bytes the file holds (for gzip, the bytes the stream yields, exactly). Every problem
/// is an <see cref="InvalidDataException"/> that names the file.</summary>
public static class IdxFile
{
    /// <summary>The magic number of an IDX file of unsigned-byte images (count × rows × columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of an IDX file of unsigned-byte labels (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The largest ratio of decompressed to compressed size DEFLATE can reach (about 1032:1); a
    /// gzip header claiming more data than this allows is refused before the data is allocated.</summary>
    internal const long MaxGzipRatio = 1032;

    /// <summary>Reads an images file (magic 0x00000803): the pixels of every image back to back, row-major.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        (byte[] data, int[] dims) = Read(path, ImagesMagic, "images");
        return (data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file (magic 0x00000801): one byte per sample.</summary>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, "labels").Data;

    private static (byte[] Data, int[] Dims) Read(string path, int expectedMagic, string kind)
    {
        Guard.NotNull(path);
        using var file = IO.RegularFile.OpenRead(path, "IDX file");
        long fileLength = file.Length;
        Span<byte> probe = stackalloc byte[2];
        bool gzip = file.Read(probe) == 2 && probe[0] == 0x1f && probe[1] == 0x8b;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        string where = gzip ? $"{path} (gzip, {fileLength} bytes)" : $"{path} ({fileLength} bytes)";
        try
        {
            return ReadFrom(stream, gzip, fileLength, expectedMagic, kind, where);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{where}: the gzip stream is corrupt ({e.Message}).", e);
        }
    }

    private static (byte[] Data, int[] Dims) ReadFrom(Stream stream, bool gzip, long fileLength, int expectedMagic, string kind, string where)
    {
        int expectedDims = expectedMagic & 0xFF;
        Span<byte> header = stackalloc byte[4 + 4 * 3];
        int got = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (got < 4)
            throw Bad(where, $"it holds {got} bytes, too few for the 4-byte IDX magic number (expected 0x{expectedMagic:X8}, IDX {kind}).");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string seen = (magic & ~0xFF) == 0x800 ? $" (an IDX unsigned-byte file with {magic & 0xFF} dimensions{(magic == LabelsMagic ? ", i.e. labels" : magic == ImagesMagic ? ", i.e. images" : "")})" :
                (magic >> 16) == 0 ? " (IDX data of another element type)" : " (not an IDX file)";
            throw Bad(where, $"wrong magic number 0x{magic:X8}{seen}; IDX {kind} files start with 0x{expectedMagic:X8}.");
        }
        int headerLength = 4 + 4 * expectedDims;
        got = stream.ReadAtLeast(header[4..headerLength], headerLength - 4, throwOnEndOfStream: false);
        if (got < headerLength - 4)
            throw Bad(where, $"the header is truncated: {expectedDims} dimension sizes need {headerLength - 4} bytes after the magic number, but only {got} follow.");

        var sizes = new uint[expectedDims];
        Int128 product = 1;
        for (int d = 0; d < expectedDims; d++)
        {
            sizes[d] = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + 4 * d, 4));
            if (d > 0 && sizes[d] == 0) throw Bad(where, $"dimension {d} has size 0.");
            if (sizes[d] > int.MaxValue) throw Bad(where, $"dimension {d} has size {sizes[d]}, more than 2^31 - 1; the header is corrupt.");
            product *= sizes[d];
        }
        string dimText = string.Join(" × ", sizes);
        if (product > Array.MaxLength)
            throw Bad(where, $"the dimensions {dimText} multiply to {product} bytes, more than one array can hold ({Array.MaxLength}); the header is corrupt.");
        int[] dims = [.. sizes.Select(s => (int)s)];
        long length = (long)product;

        if (!gzip)
        {
            long available = fileLength - headerLength;
            if (available < length)
                throw Bad(where, $"the file is truncated: the header says {dimText} = {length} bytes of data follow, but only {available} do.");
            if (available > length)
                throw Bad(where, $"the header says {dimText} = {length} bytes of data follow, but {available} do; the dimensions do not match the data.");
        }
        else if (length > MaxGzipRatio * fileLength)
        {
            throw Bad(where, $"the header says {dimText} = {length} bytes of data follow, but a gzip file of {fileLength} bytes " +
                $"decompresses to at most {MaxGzipRatio * fileLength}; the file is truncated or the header is corrupt.");
        }

        (byte[] data, int read) = gzip ? ReadGrowing(stream, (int)length, fileLength) : ReadWhole(stream, (int)length);
        if (read < length)
            throw Bad(where, $"the data is truncated: the header says {dimText} = {length} bytes follow, but the stream ends after {read}.");
        if (gzip && stream.ReadByte() >= 0)
            throw Bad(where, $"the stream holds more than the {dimText} = {length} bytes the header announces; the dimensions do not match the data.");
        return (data, dims);
    }

    private static (byte[] Data, int Read) ReadWhole(Stream stream, int length)
    {
        byte[] data = GC.AllocateUninitializedArray<byte>(length);
        return (data, stream.ReadAtLeast(data, length, throwOnEndOfStream: false));
    }

    /// <summary>Reads what a gzip stream yields, up to <paramref name="length"/> bytes, into a buffer that starts
    /// at a few times the compressed size and doubles only while data keeps coming: a corrupt header that
    /// announces far more than the stream holds costs at most twice what the stream really yields.</summary>
    private static (byte[] Data, int Read) ReadGrowing(Stream stream, int length, long fileLength)
    {
        byte[] data = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, Math.Max(1 << 16, 8 * fileLength)));
        int read = 0;
        while (true)
        {
            read += stream.ReadAtLeast(data.AsSpan(read), data.Length - read, throwOnEndOfStream: false);
            if (read < data.Length || data.Length == length) return (data, read);
            byte[] larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, 2L * data.Length));
            data.AsSpan(0, read).CopyTo(larger);
            data = larger;
        }
    }

    private static InvalidDataException Bad(string where, string problem) => new($"{where}: {problem}");
}
