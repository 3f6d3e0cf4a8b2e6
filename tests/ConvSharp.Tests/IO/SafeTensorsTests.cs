using System.Text;
using System.Text.Json;
using ConvSharp.IO;
using static ConvSharp.Tests.IO.SafeTensorsFixture;

namespace ConvSharp.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void The_reference_implementations_own_example_loads()
    {
        // The example in the safetensors test suite: N = 60 ('<'), an I32 [2, 2] tensor, no padding.
        using var dir = new TempFolder();
        byte[] bytes =
        [
            0x3C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            .. Encoding.ASCII.GetBytes("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"),
            0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF,
        ];
        File.WriteAllBytes(dir.File("test.safetensors"), bytes);

        using TensorDictionary loaded = SafeTensors.Load(dir.File("test.safetensors"));
        Assert.Equal(["test"], loaded.Keys);
        Assert.Equal([2, 2], loaded["test"].Shape);
        Assert.Equal([1f, 2, 3, -2], loaded["test"].ToArray());
        Assert.Empty(loaded.Metadata);
    }

    [Fact]
    public void A_hand_built_file_with_every_float_dtype_padding_and_metadata_loads_to_the_expected_values()
    {
        // Header order differs from data order; the header is padded with spaces to a multiple of 8.
        const string json =
            "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"hand-made\"}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[32,40]}}";
        byte[] data =
        [
            0x00, 0x3C, 0x00, 0xC0,                          // F16  1.0, -2.0
            0x80, 0x3F, 0x40, 0xC0,                          // BF16 1.0, -3.0
            0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x80, 0x3F,  // F32  0.5, 1.0
            0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0,  //      1.5, -2.0
            0x00, 0x00, 0x50, 0x40, 0x00, 0x00, 0xC8, 0x42,  //      3.25, 100.0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xD0, 0x3F,  // F64  0.25
        ];
        using var dir = new TempFolder();
        string path = Write(dir.File("mixed.safetensors"), json, data, pad: true);
        Assert.Equal(0, (new FileInfo(path).Length - 8 - 40) % 8);

        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(["w", "h", "b", "d"], loaded.Keys);
        Assert.Equal([0.5f, 1, 1.5f, -2, 3.25f, 100], loaded["w"].ToArray());
        Assert.Equal([2, 3], loaded["w"].Shape);
        Assert.Equal([1f, -2], loaded["h"].ToArray());
        Assert.Equal([1f, -3], loaded["b"].ToArray());
        Assert.Equal([], loaded["d"].Shape);
        Assert.Equal(0.25f, loaded["d"].Item());
        Assert.Equal("pt", loaded.Metadata["format"]);
        Assert.Equal("hand-made", loaded.Metadata["note"]);

        SafeTensorsHeader header = SafeTensors.ReadHeader(path);
        Assert.Equal(["F32", "F16", "BF16", "F64"], header.Tensors.Select(t => t.DType));
        Assert.Equal(8 + header.HeaderLength, header.DataOffset);
        Assert.Equal(8, header.Find("w")!.Begin);
    }

    [Fact]
    public void Integer_and_bool_tensors_convert_to_float32()
    {
        const string json =
            "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
            "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]}," +
            "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[11,13]}," +
            "\"i\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[13,14]}}";
        byte[] data = [7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 255, 3, 0xFB];
        using var dir = new TempFolder();
        using TensorDictionary loaded = SafeTensors.Load(Write(dir.File("ints.safetensors"), json, data));
        Assert.Equal(7f, loaded["n"].Item());
        Assert.Equal([1f, 0, 1], loaded["m"].ToArray());
        Assert.Equal([255f, 3], loaded["u"].ToArray());
        Assert.Equal([-5f], loaded["i"].ToArray());
    }

    [Fact]
    public void Save_writes_the_bytes_the_specification_describes()
    {
        using var dir = new TempFolder();
        using var w = Tensor.FromArray([1f, -2], 1, 2);
        using var b = Tensor.FromArray([0.5f], 1);
        string path = dir.File("small.safetensors");
        SafeTensors.Save(path, [("0.weight", w), ("0.bias", b)], new Dictionary<string, string> { ["format"] = "pt" });

        string json = "{\"__metadata__\":{\"format\":\"pt\"}," +
                      "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}," +
                      "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        byte[] expected = Build(json, [.. F32(1f, -2), .. F32(0.5f)], pad: true);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Saved_files_meet_the_reference_readers_strict_rules()
    {
        // The reference reader also demands that the tensors cover the data section with no holes.
        using var dir = new TempFolder();
        using var a = Tensor.Randn([3, 5, 2], seed: 1);
        using var s = Tensor.FromArray([42f]);  // shape []: a scalar
        using var c = Tensor.Randn([7], seed: 2);
        string path = dir.File("strict.safetensors");
        SafeTensors.Save(path, [("a", a), ("scalar", s), ("c", c)]);

        byte[] bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        Assert.Equal((byte)'{', bytes[8]);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var spans = doc.RootElement.EnumerateObject()
            .Select(p => p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray())
            .OrderBy(o => o[0]).ToArray();
        long cursor = 0;
        foreach (long[] o in spans)
        {
            Assert.Equal(cursor, o[0]);
            cursor = o[1];
        }
        Assert.Equal(bytes.Length - 8 - n, cursor);

        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(a.ToArray(), loaded["a"].ToArray());
        Assert.Equal([], loaded["scalar"].Shape);
        Assert.Equal(42f, loaded["scalar"].Item());
        Assert.Equal(c.ToArray(), loaded["c"].ToArray());
    }

    [Fact]
    public void Names_and_metadata_with_quotes_and_non_ascii_round_trip()
    {
        using var dir = new TempFolder();
        using var t = Tensor.Ones(2);
        string path = dir.File("names.safetensors");
        SafeTensors.Save(path, [("bloc \"α\"+1", t)], new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "é\n\"x\"" });
        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal(["bloc \"α\"+1"], loaded.Keys);
        Assert.Equal("é\n\"x\"", loaded.Metadata["note"]);
        Assert.Equal("3", loaded.Metadata["epoch"]);
    }

    [Fact]
    public void Loaded_tensors_belong_to_the_dictionary_not_to_the_scope()
    {
        using var dir = new TempFolder();
        using var t = Tensor.Ones(3);
        string path = dir.File("owned.safetensors");
        SafeTensors.Save(path, [("t", t)]);
        TensorDictionary loaded;
        using (Tensor.Scope()) loaded = SafeTensors.Load(path);
        Assert.False(loaded["t"].IsDisposed);
        loaded.Dispose();
        Assert.True(loaded["t"].IsDisposed);
        loaded.Dispose();
    }

    [Fact]
    public void Save_refuses_duplicate_or_reserved_names()
    {
        using var dir = new TempFolder();
        using var t = Tensor.Ones(1);
        Assert.StartsWith("Two tensors are named 'x'.", Assert.Throws<ArgumentException>(() => SafeTensors.Save(dir.File("a"), [("x", t), ("x", t)])).Message);
        Assert.StartsWith("'__metadata__' is reserved", Assert.Throws<ArgumentException>(() => SafeTensors.Save(dir.File("a"), [("__metadata__", t)])).Message);
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void A_truncated_file_fails_naming_the_file_and_the_tensor()
    {
        using var dir = new TempFolder();
        using var a = Tensor.Randn([4, 4], seed: 3);
        string path = dir.File("cut.safetensors");
        SafeTensors.Save(path, [("a", a)]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Equal($"'{path}' is not a valid safetensors file: tensor 'a' has data_offsets [0, 64], beyond the data section's 59 bytes (is the file truncated?).", e.Message);

        File.WriteAllBytes(path, bytes[..20]);
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains($"'{path}' is not a valid safetensors file: the header length is", e.Message);
        Assert.Contains("but only 12 bytes follow it (is the file truncated?)", e.Message);

        File.WriteAllBytes(path, bytes[..5]);
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("the file holds 5 bytes, fewer than the 8-byte header length", e.Message);
    }

    public static TheoryData<string, string, int, string> BadHeaders => new()
    {
        {
            "out-of-range offset",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", 16,
            "tensor 'a' has data_offsets [0, 400], beyond the data section's 16 bytes (is the file truncated?)."
        },
        {
            "overlapping offsets",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24,
            "tensors 'a' [0, 16] and 'b' [8, 24] overlap in the data section."
        },
        {
            "wrong shape",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' is F32 with shape [2, 3], which needs 24 bytes, but its data_offsets [0, 16] span 16."
        },
        {
            "reversed offsets",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 16,
            "tensor 'a' has data_offsets [8, 0], which end before they begin."
        },
        {
            "overflowing shape",
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' has shape [4294967296, 4294967296], whose element count overflows."
        },
        {
            "overflowing byte count",
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' has shape [2305843009213693952], whose byte count overflows."
        },
        {
            "negative dimension",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' has a shape entry that is not a non-negative integer below 2^63 (-4)."
        },
        {
            "fractional offset",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16.5]}}", 16,
            "tensor 'a' has a data_offsets entry that is not a non-negative integer below 2^63 (16.5)."
        },
        {
            "one offset",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16]}}", 16,
            "tensor 'a' has 1 data_offsets; it needs two, [begin, end]."
        },
        {
            "missing dtype",
            "{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' has no dtype."
        },
        {
            "unknown dtype",
            "{\"a\":{\"dtype\":\"F12\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16,
            "tensor 'a' has dtype 'F12', which the safetensors format does not define."
        },
        {
            "duplicate name",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16,
            "the header names 'a' twice."
        },
        {
            "entry not an object",
            "{\"a\":[1,2]}", 16,
            "the entry for tensor 'a' must be an object, but is an array."
        },
        {
            "not an object",
            "[{\"a\":1}]", 16,
            "the header does not start with '{' (it must be a JSON object)."
        },
        {
            "malformed JSON",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4] \"data_offsets\":[0,16]}}", 16,
            "the header is not well-formed JSON:"
        },
        {
            "content after the object",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}x", 16,
            "the header is not well-formed JSON:"
        },
        {
            "metadata that is not an object",
            "{\"__metadata__\":[\"pt\"]}", 0,
            "'__metadata__' must be an object of strings, but is an array."
        },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void A_bad_header_fails_before_allocating_with_a_message_naming_the_file_and_the_problem(string what, string json, int dataBytes, string problem)
    {
        using var dir = new TempFolder();
        string path = Write(dir.File(what.Replace(' ', '-') + ".safetensors"), json, new byte[dataBytes]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.StartsWith($"'{path}' is not a valid safetensors file: {problem}", e.Message);
        Assert.StartsWith($"'{path}' is not a valid safetensors file: {problem}",
            Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(path)).Message);
    }

    [Fact]
    public void A_header_length_past_the_cap_fails_without_reading_it()
    {
        using var dir = new TempFolder();
        string path = dir.File("huge.safetensors");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'{', (byte)'}']);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Equal($"'{path}' is not a valid safetensors file: the header length is {ulong.MaxValue} bytes, more than the 100000000 bytes a safetensors header may have.", e.Message);
    }

    [Fact]
    public void A_liberal_reader_accepts_unknown_fields_gaps_non_string_metadata_and_nul_padding()
    {
        const string json =
            "{\"__metadata__\":{\"epoch\":3,\"tags\":[\"a\"]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8],\"note\":{\"x\":[1,2]}}}";
        byte[] file = [.. Build(json + "\0\0\0", [0, 0, 0, 0, .. F32(2.5f)])];
        using var dir = new TempFolder();
        string path = dir.File("liberal.safetensors");
        File.WriteAllBytes(path, file);
        using TensorDictionary loaded = SafeTensors.Load(path);
        Assert.Equal([2.5f], loaded["a"].ToArray());
        Assert.Equal("3", loaded.Metadata["epoch"]);
        Assert.Equal("[\"a\"]", loaded.Metadata["tags"]);
    }

    [Fact]
    public void Dtypes_that_do_not_convert_and_empty_tensors_are_not_supported_by_name()
    {
        using var dir = new TempFolder();
        string f8 = Write(dir.File("f8.safetensors"), "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        var e = Assert.Throws<NotSupportedException>(() => SafeTensors.Load(f8));
        Assert.StartsWith($"'{f8}': tensor 'q' has dtype F8_E4M3, which ConvSharp cannot convert to float32", e.Message);
        Assert.Equal("F8_E4M3", SafeTensors.ReadHeader(f8).Tensors[0].DType);  // the header itself is valid

        string empty = Write(dir.File("empty.safetensors"), "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", []);
        e = Assert.Throws<NotSupportedException>(() => SafeTensors.Load(empty));
        Assert.Equal($"'{empty}': tensor 'e' has shape [0, 3]; ConvSharp tensors cannot have a zero-size dimension.", e.Message);
    }
}
