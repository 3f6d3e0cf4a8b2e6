using System.Text.Json;

namespace ConvSharp.IO;

/// <summary>Parses and checks a safetensors JSON header with <see cref="Utf8JsonReader"/> (no reflection).
/// Every check runs before any tensor storage is allocated: the header must be one JSON object; each
/// tensor entry needs a known dtype, a shape of non-negative integers, and data_offsets [begin, end]
/// inside the data section with end − begin = product(shape) × element size, computed without
/// overflow; no two tensors may share bytes, and names are unique. Liberal where the format allows:
/// trailing spaces (the conventional padding to a multiple of 8) or NULs after the object, any order
/// of entries and of tensors in the data section, unknown fields inside an entry, and gaps between
/// tensors' bytes are accepted; non-string metadata values are kept as their JSON text.</summary>
internal static class SafeTensorsHeaderParser
{
    private const string MetadataKey = "__metadata__";

    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> header, long dataLength, string path)
    {
        int end = header.Length;
        while (end > 0 && header[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0) end--;
        ReadOnlySpan<byte> json = header[..end];
        if (json.Length == 0 || json[0] != (byte)'{')
            throw SafeTensors.Invalid(path, "the header does not start with '{' (it must be a JSON object).");

        var tensors = new List<SafeTensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            reader.Read();  // StartObject, checked above
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                if (!names.Add(name))
                    throw SafeTensors.Invalid(path, $"the header names '{name}' twice.");
                Next(ref reader);
                if (name == MetadataKey) metadata = ParseMetadata(ref reader, path);
                else tensors.Add(ParseTensor(ref reader, name, dataLength, path));
            }
            if (reader.Read())
                throw SafeTensors.Invalid(path, $"the header has content after its JSON object (at byte {reader.TokenStartIndex}).");
        }
        catch (JsonException e)
        {
            throw SafeTensors.Invalid(path, $"the header is not well-formed JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader's Get* methods throw this for a token of the wrong kind, e.g. invalid UTF-8 in a string.
            throw SafeTensors.Invalid(path, $"the header is not valid: {e.Message}", e);
        }
        CheckNoOverlap(tensors, path);
        return new SafeTensorsHeader(tensors, metadata, header.Length);
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("the JSON ends early.");
    }

    private static Dictionary<string, string> ParseMetadata(ref Utf8JsonReader reader, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null) return metadata;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw SafeTensors.Invalid(path, $"'{MetadataKey}' must be an object of strings, but is {Describe(reader.TokenType)}.");
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) return metadata;
            string key = reader.GetString()!;
            Next(ref reader);
            string value;
            if (reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString()!;
            }
            else
            {
                using JsonDocument doc = JsonDocument.ParseValue(ref reader);
                value = doc.RootElement.GetRawText();
            }
            if (!metadata.TryAdd(key, value))
                throw SafeTensors.Invalid(path, $"'{MetadataKey}' names '{key}' twice.");
        }
    }

    private static SafeTensorInfo ParseTensor(ref Utf8JsonReader reader, string name, long dataLength, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw SafeTensors.Invalid(path, $"the entry for tensor '{name}' must be an object, but is {Describe(reader.TokenType)}.");
        string? dtype = null;
        long[]? shape = null, offsets = null;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            Next(ref reader);
            switch (field)
            {
                case "dtype":
                    if (dtype is not null) throw SafeTensors.Invalid(path, $"tensor '{name}' gives its dtype twice.");
                    if (reader.TokenType != JsonTokenType.String)
                        throw SafeTensors.Invalid(path, $"tensor '{name}' has a dtype that is {Describe(reader.TokenType)}, not a string.");
                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    if (shape is not null) throw SafeTensors.Invalid(path, $"tensor '{name}' gives its shape twice.");
                    shape = ReadIntegers(ref reader, name, field, path);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw SafeTensors.Invalid(path, $"tensor '{name}' gives its data_offsets twice.");
                    offsets = ReadIntegers(ref reader, name, field, path);
                    if (offsets.Length != 2)
                        throw SafeTensors.Invalid(path, $"tensor '{name}' has {offsets.Length} data_offsets; it needs two, [begin, end].");
                    break;
                default:
                    reader.Skip();  // a field this version does not know
                    break;
            }
        }
        if (dtype is null) throw SafeTensors.Invalid(path, $"tensor '{name}' has no dtype.");
        if (shape is null) throw SafeTensors.Invalid(path, $"tensor '{name}' has no shape.");
        if (offsets is null) throw SafeTensors.Invalid(path, $"tensor '{name}' has no data_offsets.");

        int size = SafeTensorsDType.ElementSize(dtype);
        if (size == 0) throw SafeTensors.Invalid(path, $"tensor '{name}' has dtype '{dtype}', which the safetensors format does not define.");

        long count = 1;
        foreach (long dim in shape)
        {
            if (dim != 0 && count > long.MaxValue / dim)
                throw SafeTensors.Invalid(path, $"tensor '{name}' has shape {Format(shape)}, whose element count overflows.");
            count *= dim;
        }
        if (count > long.MaxValue / size)
            throw SafeTensors.Invalid(path, $"tensor '{name}' has shape {Format(shape)}, whose byte count overflows.");
        long bytes = count * size;

        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw SafeTensors.Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}], which end before they begin.");
        if (end > dataLength)
            throw SafeTensors.Invalid(path,
                $"tensor '{name}' has data_offsets [{begin}, {end}], beyond the data section's {dataLength} bytes (is the file truncated?).");
        if (end - begin != bytes)
            throw SafeTensors.Invalid(path,
                $"tensor '{name}' is {dtype} with shape {Format(shape)}, which needs {bytes} bytes, but its data_offsets [{begin}, {end}] span {end - begin}.");
        return new SafeTensorInfo(name, dtype, shape, begin, end, count);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, string path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw SafeTensors.Invalid(path, $"tensor '{name}' has a {field} that is {Describe(reader.TokenType)}, not an array.");
        var values = new List<long>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return values.ToArray();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
                throw SafeTensors.Invalid(path,
                    $"tensor '{name}' has a {field} entry that is not a non-negative integer below 2^63 ({Describe(ref reader)}).");
            values.Add(value);
        }
    }

    /// <summary>Sorted by begin, each tensor that holds bytes must start at or after the previous one's end.</summary>
    private static void CheckNoOverlap(List<SafeTensorInfo> tensors, string path)
    {
        SafeTensorInfo[] sorted = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ThenBy(t => t.End).ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            SafeTensorInfo a = sorted[i - 1], b = sorted[i];
            if (b.Begin < a.End)
                throw SafeTensors.Invalid(path,
                    $"tensors '{a.Name}' [{a.Begin}, {a.End}] and '{b.Name}' [{b.Begin}, {b.End}] overlap in the data section.");
        }
    }

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Describe(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number
            ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan)  // one contiguous header: never a ValueSequence
            : Describe(reader.TokenType);
}
