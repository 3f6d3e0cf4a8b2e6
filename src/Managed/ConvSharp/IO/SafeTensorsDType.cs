using System.Buffers.Binary;

namespace ConvSharp.IO;

/// <summary>The element types a safetensors header may name, their sizes, and how each converts to
/// float32 (ConvSharp's only element type). Conversions are exact for F16, BF16, BOOL and the 8- and
/// 16-bit integers; F64 rounds to nearest; 32- and 64-bit integers above 2^24 in magnitude round.</summary>
internal static class SafeTensorsDType
{
    /// <summary>Converts little-endian elements in <c>source</c> to floats in <c>destination</c> (same count).</summary>
    internal delegate void Converter(ReadOnlySpan<byte> source, Span<float> destination);

    /// <summary>The dtype ConvSharp writes.</summary>
    internal const string F32 = "F32";

    /// <summary>Bytes per element of <paramref name="dtype"/>, or 0 when the name is not one the format defines.</summary>
    internal static int ElementSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" or "C64" => 8,
        _ => 0,
    };

    /// <summary>The conversion of <paramref name="dtype"/> to float32, or null when ConvSharp does not convert it
    /// (the 8-bit floats and complex numbers).</summary>
    internal static Converter? ToFloat32(string dtype) => dtype switch
    {
        "F32" => FromF32,
        "F16" => FromF16,
        "BF16" => FromBF16,
        "F64" => FromF64,
        "BOOL" => FromBool,
        "U8" => FromU8,
        "I8" => FromI8,
        "I16" => FromI16,
        "U16" => FromU16,
        "I32" => FromI32,
        "U32" => FromU32,
        "I64" => FromI64,
        "U64" => FromU64,
        _ => null,
    };

    private static void FromF32(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(4 * i)..]);
    }

    private static void FromF16(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(s[(2 * i)..]);
    }

    // bfloat16 is the upper half of a float32's bits.
    private static void FromBF16(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
            d[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]) << 16);
    }

    private static void FromF64(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(s[(8 * i)..]);
    }

    private static void FromBool(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = s[i] != 0 ? 1f : 0f;
    }

    private static void FromU8(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = s[i];
    }

    private static void FromI8(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = (sbyte)s[i];
    }

    private static void FromI16(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]);
    }

    private static void FromU16(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]);
    }

    private static void FromI32(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]);
    }

    private static void FromU32(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt32LittleEndian(s[(4 * i)..]);
    }

    private static void FromI64(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]);
    }

    private static void FromU64(ReadOnlySpan<byte> s, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt64LittleEndian(s[(8 * i)..]);
    }
}
