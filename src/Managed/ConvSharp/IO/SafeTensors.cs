namespace ConvSharp.IO;

/// <summary>Reads and writes safetensors files, the format PyTorch, Hugging Face and TorchSharp
/// share: an 8-byte little-endian header length N, N bytes of UTF-8 JSON naming each tensor's dtype,
/// shape and data_offsets (relative to the byte after the header), then the raw little-endian,
/// row-major data. ConvSharp writes F32; it reads F32 and converts F16, BF16, F64, BOOL and integer
/// tensors to float32. Every file is checked completely before any tensor is allocated; a bad one is
/// an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (name, tensor) to <paramref name="path"/> as F32, in the
    /// order given, with optional string <paramref name="metadata"/>. The file is replaced atomically:
    /// a save that fails leaves the previous file untouched and no temporary file behind.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name, a name is "__metadata__", or a tensor is null.</exception>
    /// <exception cref="ObjectDisposedException">A tensor was disposed.</exception>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, metadata, wrap: null);

    /// <summary><see cref="Save(string, IEnumerable{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>
    /// with a seam for tests: <paramref name="wrap"/> wraps the file stream.</summary>
    internal static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata,
        Func<Stream, Stream>? wrap)
    {
        Guard.NotNull(path);
        Guard.NotNull(tensors);
        List<(string Name, Tensor Tensor)> list = SafeTensorsWriter.Check(tensors);
        byte[] header = SafeTensorsWriter.BuildHeader(list, metadata);
        if (header.Length > MaxHeaderLength)
            throw new ArgumentException($"The header for {list.Count} tensors would be {header.Length} bytes, more than the {MaxHeaderLength} a safetensors reader accepts.", nameof(tensors));
        AtomicFile.Write(path, stream => SafeTensorsWriter.Write(stream, list, header), wrap);
    }

    /// <summary>Reads every tensor of <paramref name="path"/> into float32 CPU tensors, in file order, with
    /// the file's metadata. The caller disposes the result.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message says why.</exception>
    /// <exception cref="NotSupportedException">A tensor's dtype cannot be converted to float32 (the 8-bit floats,
    /// C64), or its shape has a zero-size dimension or more elements than one tensor holds.</exception>
    public static TensorDictionary Load(string path)
    {
        Guard.NotNull(path);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        IReadOnlyList<SafeTensorInfo> infos = reader.Header.Tensors;
        var shapes = new int[infos.Count][];
        for (int i = 0; i < infos.Count; i++)
        {
            if (SafeTensorsDType.ToFloat32(infos[i].DType) is null) throw Unsupported(path, infos[i]);
            shapes[i] = TensorShape(path, infos[i]);
        }

        var items = new List<(string Name, Tensor Tensor)>(infos.Count);
        try
        {
            for (int i = 0; i < infos.Count; i++)
            {
                Tensor tensor = Tensor.Allocate(Device.Cpu, shapes[i], zero: false, owned: true);
                items.Add((infos[i].Name, tensor));
                reader.ReadInto(infos[i], tensor.AsSpan());
            }
        }
        catch
        {
            foreach (var (_, tensor) in items) tensor.Dispose();
            throw;
        }
        return new TensorDictionary(items, reader.Header.Metadata);
    }

    /// <summary>Reads and checks only the header of <paramref name="path"/>: names, dtypes, shapes, offsets, metadata.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        Guard.NotNull(path);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return reader.Header;
    }

    /// <summary>The exception for a file that breaks the format.</summary>
    internal static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a valid safetensors file: {problem}", inner);

    /// <summary>The exception for a valid tensor whose dtype ConvSharp does not convert.</summary>
    internal static NotSupportedException Unsupported(string path, SafeTensorInfo info) =>
        new($"'{path}': tensor '{info.Name}' has dtype {info.DType}, which ConvSharp cannot convert to float32 " +
            "(it reads F32, F16, BF16, F64, BOOL and the integer types).");

    /// <summary>The entry's shape as a ConvSharp shape, or a <see cref="NotSupportedException"/> saying why it has none.</summary>
    internal static int[] TensorShape(string path, SafeTensorInfo info)
    {
        ReadOnlySpan<long> shape = info.ShapeSpan;
        var result = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0)
                throw new NotSupportedException($"'{path}': tensor '{info.Name}' has shape {info.FormatShape()}; ConvSharp tensors cannot have a zero-size dimension.");
            if (shape[i] > int.MaxValue)
                throw new NotSupportedException($"'{path}': tensor '{info.Name}' has shape {info.FormatShape()}; a dimension above {int.MaxValue} does not fit a ConvSharp shape.");
            result[i] = (int)shape[i];
        }
        if (info.ElementCount > Array.MaxLength)
            throw new NotSupportedException($"'{path}': tensor '{info.Name}' holds {info.ElementCount} elements, more than one tensor can hold ({Array.MaxLength}).");
        return result;
    }
}
