using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ConvSharp.IO;

/// <summary>An open safetensors file whose header has been read and checked: the tensors' bytes are
/// read on request, straight into float32 storage (F32 on a little-endian machine needs no staging),
/// from the one handle opened first, so the header and the data come from the same file.</summary>
internal sealed class SafeTensorsReader : IDisposable
{
    private const int ChunkBytes = 1 << 20;  // staging for conversions; a multiple of every element size
    internal const int MaxFloatsPerSpan = 1 << 28;

    private readonly SafeFileHandle _handle;

    private SafeTensorsReader(string path, SafeFileHandle handle, SafeTensorsHeader header)
    {
        Path = path;
        _handle = handle;
        Header = header;
    }

    /// <summary>The path as the caller gave it (for messages).</summary>
    public string Path { get; }

    /// <summary>The checked header.</summary>
    public SafeTensorsHeader Header { get; }

    /// <summary>Opens <paramref name="path"/> and reads and checks its header; the file stays open until Dispose.</summary>
    public static SafeTensorsReader Open(string path)
    {
        RegularFile.Check(path, "safetensors file");
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = RandomAccess.GetLength(handle);
            return new SafeTensorsReader(path, handle, ReadHeader(handle, length, path));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeTensorsHeader ReadHeader(SafeFileHandle handle, long fileLength, string path)
    {
        if (fileLength < 8)
            throw SafeTensors.Invalid(path, $"the file holds {fileLength} bytes, fewer than the 8-byte header length that starts every safetensors file.");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(handle, prefix, 0, path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > SafeTensors.MaxHeaderLength)
            throw SafeTensors.Invalid(path, $"the header length is {n} bytes, more than the {SafeTensors.MaxHeaderLength} bytes a safetensors header may have.");
        if ((long)n > fileLength - 8)
            throw SafeTensors.Invalid(path, $"the header length is {n} bytes, but only {fileLength - 8} bytes follow it (is the file truncated?).");
        if (n < 2)
            throw SafeTensors.Invalid(path, $"the header length is {n} bytes, too short for a JSON object.");

        byte[] header = ArrayPool<byte>.Shared.Rent((int)n);
        try
        {
            ReadExactly(handle, header.AsSpan(0, (int)n), 8, path);
            return SafeTensorsHeaderParser.Parse(header.AsSpan(0, (int)n), fileLength - 8 - (long)n, path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    /// <summary>Reads <paramref name="info"/>'s elements, converted to float32, into <paramref name="destination"/>
    /// (which holds exactly its element count).</summary>
    public void ReadInto(SafeTensorInfo info, Span<float> destination)
    {
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"'{info.Name}' holds {info.ElementCount} elements, but the destination holds {destination.Length}.", nameof(destination));
        long offset = Header.DataOffset + info.Begin;
        if (info.DType == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            // In parts of at most 2^28 floats, so each byte span's length fits an int.
            for (int start = 0; start < destination.Length; start += MaxFloatsPerSpan)
            {
                Span<float> part = destination.Slice(start, Math.Min(MaxFloatsPerSpan, destination.Length - start));
                ReadExactly(_handle, MemoryMarshal.AsBytes(part), offset + (long)start * sizeof(float), Path);
            }
            return;
        }
        SafeTensorsDType.Converter convert = SafeTensorsDType.ToFloat32(info.DType) ?? throw SafeTensors.Unsupported(Path, info);
        int size = SafeTensorsDType.ElementSize(info.DType);
        int perChunk = ChunkBytes / size;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int start = 0; start < destination.Length; start += perChunk)
            {
                int count = Math.Min(perChunk, destination.Length - start);
                Span<byte> bytes = chunk.AsSpan(0, count * size);
                ReadExactly(_handle, bytes, offset + (long)start * size, Path);
                convert(bytes, destination.Slice(start, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
                throw SafeTensors.Invalid(path, $"the file ended at byte {offset} while more data was expected (was it truncated while being read?).");
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();
}
