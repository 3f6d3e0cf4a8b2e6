using System.Buffers.Binary;
using System.Text;

namespace ConvSharp.Tests.IO;

/// <summary>Safetensors files assembled by hand from the format specification: the header length N as
/// 8 little-endian bytes, N bytes of UTF-8 JSON, then the data section. Nothing here calls ConvSharp.</summary>
internal static class SafeTensorsFixture
{
    /// <summary>The file bytes for <paramref name="json"/> followed by <paramref name="data"/>; with
    /// <paramref name="pad"/> the header is padded with spaces to a multiple of 8, as writers conventionally do.</summary>
    public static byte[] Build(string json, byte[] data, bool pad = false)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        if (pad && header.Length % 8 != 0) header = [.. header, .. Enumerable.Repeat((byte)' ', 8 - header.Length % 8)];
        ulong n = (ulong)header.Length;
        byte[] length = new byte[8];
        for (int i = 0; i < 8; i++) length[i] = (byte)(n >> (8 * i));  // little-endian, least significant byte first
        return [.. length, .. header, .. data];
    }

    /// <summary>Writes <see cref="Build"/>'s bytes to <paramref name="path"/> and returns the path.</summary>
    public static string Write(string path, string json, byte[] data, bool pad = false)
    {
        File.WriteAllBytes(path, Build(json, data, pad));
        return path;
    }

    /// <summary>Little-endian float32 bytes of <paramref name="values"/>.</summary>
    public static byte[] F32(params float[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
