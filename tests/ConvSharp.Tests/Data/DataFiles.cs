using System.IO.Compression;

namespace ConvSharp.Tests.Data;

/// <summary>Writes dataset files byte by byte from their format specifications, into a temporary folder
/// that is deleted on Dispose.</summary>
internal sealed class DataFiles : IDisposable
{
    public DataFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "convsharp-data-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal)) gz.Write(bytes);
        return output.ToArray();
    }

    /// <summary>An IDX file: magic 0x00 0x00 0x08 ndim, each size as a big-endian 32-bit integer, then the data.</summary>
    public static byte[] Idx(byte dims, uint[] sizes, byte[] data, byte type = 0x08)
    {
        var bytes = new List<byte> { 0, 0, type, dims };
        foreach (uint s in sizes) bytes.AddRange([(byte)(s >> 24), (byte)(s >> 16), (byte)(s >> 8), (byte)s]);
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] IdxImages(int count, int rows, int columns, byte[] pixels) =>
        Idx(3, [(uint)count, (uint)rows, (uint)columns], pixels);

    public static byte[] IdxLabels(byte[] labels) => Idx(1, [(uint)labels.Length], labels);

    /// <summary>Deterministic pixel bytes.</summary>
    public static byte[] Pattern(int length, int salt = 0)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)((i * 37 + salt * 101 + 11) % 256);
        return bytes;
    }

    /// <summary>CIFAR-10 records: per image one label byte, then 3072 pixel bytes.</summary>
    public static byte[] CifarRecords(byte[] labels, int salt = 0)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            Pattern(3072, salt + r).CopyTo(bytes, r * 3073 + 1);
        }
        return bytes;
    }
}
