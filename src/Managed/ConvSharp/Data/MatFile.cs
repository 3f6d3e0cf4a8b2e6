using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvSharp.Data;

/// <summary>The part of MATLAB's Level 5 MAT-file format (MathWorks, "MAT-File Format", the v5/v6/v7 layout that
/// <c>save -v7</c> and scipy's <c>savemat</c> write) that SVHN's cropped digits need: a 128-byte header (text, subsystem
/// offset, version 0x0100, endian indicator), then data elements of an 8-byte tag (type, byte count; or the 4-byte
/// "small element" form, count in the upper 16 bits) padded to 8 bytes. A miMATRIX element (14) holds, as sub-elements,
/// array flags (class in the low byte), dimensions (int32), the name (int8) and the real part; a miCOMPRESSED element (15)
/// is a zlib stream holding one miMATRIX. Real numeric matrices are read, little-endian only; v7.3 files (HDF5) are not
/// this format. Variables are read in one pass, streaming, so a 1.6 GB array never needs a second copy.</summary>
internal static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    /// <summary>A variable's header, read before its data: the reader decides from it how to take the values.</summary>
    internal readonly record struct Variable(string Name, int Class, int[] Dimensions, int DataType, long DataBytes);

    /// <summary>Reads the variables of <paramref name="path"/> in file order. For each numeric matrix, <paramref name="take"/>
    /// gets its header and a stream positioned at its real part's data (exactly <see cref="Variable.DataBytes"/> bytes);
    /// it returns false to skip the variable. Elements that are not matrices are skipped.</summary>
    public static void Read(string path, Func<Variable, Stream, bool> take)
    {
        using FileStream file = IO.RegularFile.OpenRead(path, "MAT file");
        Span<byte> header = stackalloc byte[128];
        if (file.ReadAtLeast(header, 128, throwOnEndOfStream: false) < 128)
            throw new InvalidDataException($"{path} is shorter than a MAT-file's 128-byte header.");
        if (header[..6].SequenceEqual("MATLAB"u8) is false)
            throw new InvalidDataException($"{path} is not a MATLAB 5.0 MAT-file (its header does not start with \"MATLAB\").");
        if (header[126] == (byte)'M' && header[127] == (byte)'I')
            throw new InvalidDataException($"{path} is a big-endian MAT-file; only little-endian files are read.");
        if (header[126] != (byte)'I' || header[127] != (byte)'M')
            throw new InvalidDataException($"{path} has no MAT-file endian indicator (bytes 126-127 are {header[126]:X2} {header[127]:X2}, not 'IM').");
        if (header[..19].SequenceEqual("MATLAB 7.3 MAT-file"u8))
            throw new InvalidDataException($"{path} is a MATLAB 7.3 (HDF5) file; save it with -v7 (or scipy's savemat) to read it here.");
        Span<byte> tag = stackalloc byte[8];
        while (true)
        {
            int got = file.ReadAtLeast(tag, 8, throwOnEndOfStream: false);
            if (got == 0) return;
            if (got < 8) throw new InvalidDataException($"{path}: the file ends inside a data element's tag (offset {file.Position - got}).");
            int type = BinaryPrimitives.ReadInt32LittleEndian(tag);
            long bytes = BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]);
            long start = file.Position;
            if (start + bytes > file.Length)
                throw new InvalidDataException($"{path}: a data element at offset {start - 8} declares {bytes} bytes, but the file ends after {file.Length - start}.");
            if (type == MiCompressed)
            {
                using var zlib = new ZLibStream(new Window(file, bytes), CompressionMode.Decompress, leaveOpen: true);
                ReadMatrixElement(path, zlib, take);
                file.Position = start + bytes;  // compressed elements are not padded
            }
            else
            {
                if (type == MiMatrix) ReadMatrix(path, new Window(file, bytes), bytes, take);
                file.Position = start + Pad(bytes);
            }
        }
    }

    /// <summary>Reads values of MAT type <paramref name="dataType"/> (one of the numeric types) from <paramref name="data"/>
    /// as doubles, <paramref name="count"/> of them.</summary>
    public static double[] ReadDoubles(string path, Stream data, int dataType, long dataBytes, long count)
    {
        int size = ElementSize(dataType) ?? throw new InvalidDataException($"{path}: a numeric array is stored as MAT data type {dataType}, which is not a numeric type.");
        if (dataBytes != count * size)
            throw new InvalidDataException($"{path}: an array of {count} values of type {dataType} needs {count * size} bytes, but its data has {dataBytes}.");
        byte[] raw = new byte[checked((int)dataBytes)];
        ReadFully(path, data, raw);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> b = raw.AsSpan(i * size, size);
            values[i] = dataType switch
            {
                MiInt8 => (sbyte)b[0],
                MiUInt8 => b[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(b),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(b),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
            };
        }
        return values;
    }

    /// <summary>The MAT data type of uint8 values.</summary>
    public const int UInt8 = MiUInt8;

    public static void ReadFully(string path, Stream stream, Span<byte> destination)
    {
        if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
            throw new InvalidDataException($"{path}: an array's data ends early (the file is truncated or a compressed element is cut short).");
    }

    private static long Pad(long bytes) => (bytes + 7) & ~7L;

    private static int? ElementSize(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => null,
    };

    /// <summary>The miMATRIX element a compressed element holds: its tag, then the matrix.</summary>
    private static void ReadMatrixElement(string path, Stream stream, Func<Variable, Stream, bool> take)
    {
        Span<byte> tag = stackalloc byte[8];
        ReadFully(path, stream, tag);
        int type = BinaryPrimitives.ReadInt32LittleEndian(tag);
        long bytes = BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]);
        if (type == MiMatrix) ReadMatrix(path, stream, bytes, take);
    }

    private static void ReadMatrix(string path, Stream s, long bytes, Func<Variable, Stream, bool> take)
    {
        if (bytes == 0) return;  // an empty matrix has no sub-elements
        var (flagsType, flagBytes) = SubTag(path, s, out byte[]? small);
        byte[] flags = small ?? ReadPadded(path, s, flagBytes);
        if (flagsType != MiUInt32 || flags.Length < 8) throw new InvalidDataException($"{path}: a matrix's array flags are malformed (type {flagsType}, {flags.Length} bytes).");
        int cls = flags[0];
        bool complex = (flags[1] & 0x08) != 0;

        var (dimsType, dimBytes) = SubTag(path, s, out small);
        byte[] dimsRaw = small ?? ReadPadded(path, s, dimBytes);
        if (dimsType != MiInt32 || dimsRaw.Length % 4 != 0 || dimsRaw.Length < 8)
            throw new InvalidDataException($"{path}: a matrix's dimensions are malformed (type {dimsType}, {dimsRaw.Length} bytes).");
        int[] dims = new int[dimsRaw.Length / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsRaw.AsSpan(4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"{path}: a matrix has dimension {dims[i]}.");
        }

        var (_, nameBytes) = SubTag(path, s, out small);
        byte[] nameRaw = small ?? ReadPadded(path, s, nameBytes);
        string name = System.Text.Encoding.ASCII.GetString(nameRaw).TrimEnd('\0');

        // Numeric classes are 6 (double) through 15 (uint64); cells, structs, chars, sparse and objects are skipped.
        if (cls < 6 || cls > 15 || complex) return;
        var (dataType, dataBytes) = SubTag(path, s, out small);
        Stream data = small is not null ? new MemoryStream(small, 0, (int)dataBytes) : new Window(s, dataBytes);
        take(new Variable(name, cls, dims, dataType, dataBytes), data);
    }

    /// <summary>A sub-element's tag: (type, byte count); for the small form the data (up to 4 bytes) comes back in <paramref name="small"/>.</summary>
    private static (int Type, long Bytes) SubTag(string path, Stream s, out byte[]? small)
    {
        Span<byte> tag = stackalloc byte[8];
        ReadFully(path, s, tag);
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        if (first >> 16 != 0)
        {
            int n = (int)(first >> 16);
            if (n > 4) throw new InvalidDataException($"{path}: a small data element declares {n} bytes (at most 4).");
            small = tag.Slice(4, n).ToArray();
            return ((int)(first & 0xFFFF), n);
        }
        small = null;
        return ((int)first, BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]));
    }

    private static byte[] ReadPadded(string path, Stream s, long bytes)
    {
        if (bytes > 1 << 20) throw new InvalidDataException($"{path}: a matrix header field declares {bytes} bytes.");
        byte[] data = new byte[bytes];
        ReadFully(path, s, data);
        int pad = (int)(Pad(bytes) - bytes);
        if (pad > 0) ReadFully(path, s, stackalloc byte[pad]);
        return data;
    }

    /// <summary>A read-only view of the next <c>length</c> bytes of a stream (no seeking), so a reader cannot run past an element.</summary>
    private sealed class Window(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0) return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
