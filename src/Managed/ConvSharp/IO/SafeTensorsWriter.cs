using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvSharp.IO;

/// <summary>Writes tensors as safetensors, the way the reference implementation does: the 8-byte
/// little-endian header length, the compact JSON header (<c>__metadata__</c> first) padded with spaces
/// to a multiple of 8 so the data section starts 8-byte aligned, then every tensor's float32 bytes,
/// little-endian, back to back in the order given.</summary>
internal static class SafeTensorsWriter
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Checks names and tensors before anything is written: names unique, non-null, not
    /// "__metadata__"; tensors non-null and not disposed.</summary>
    internal static List<(string Name, Tensor Tensor)> Check(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var list = new List<(string Name, Tensor Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException("A tensor name is null.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for metadata; it cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Two tensors are named '{name}'.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"The tensor named '{name}' is null.", nameof(tensors));
            if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"The tensor named '{name}' was disposed.");
            list.Add((name, tensor));
        }
        return list;
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names like "layer+1" readable; the output is a file, never HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (key is null || value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                long bytes = checked(tensor.Numel * sizeof(float));
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsDType.F32);
                json.WriteStartArray("shape");
                foreach (int dim in tensor.ShapeSpan) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>Writes the whole file to <paramref name="stream"/>.</summary>
    internal static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors, byte[] header)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in tensors) WriteData(stream, tensor);
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        ReadOnlySpan<float> values = tensor.Device.Type == DeviceType.Cpu ? tensor.AsSpan() : tensor.ToArray();
        if (BitConverter.IsLittleEndian)
        {
            // In parts of at most 2^28 floats, so each byte span's length fits an int.
            for (int start = 0; start < values.Length; start += SafeTensorsReader.MaxFloatsPerSpan)
                stream.Write(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(SafeTensorsReader.MaxFloatsPerSpan, values.Length - start))));
            return;
        }
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            const int perChunk = (1 << 16) / sizeof(float);
            for (int start = 0; start < values.Length; start += perChunk)
            {
                int count = Math.Min(perChunk, values.Length - start);
                for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(4 * i), values[start + i]);
                stream.Write(chunk, 0, count * sizeof(float));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
