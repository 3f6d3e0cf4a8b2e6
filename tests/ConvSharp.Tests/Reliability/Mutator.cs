using System.Buffers.Binary;

namespace ConvSharp.Tests.Reliability;

/// <summary>Makes fuzz inputs from a valid file: random bytes, bit flips, interesting byte and 32-bit values,
/// truncations, appended and spliced ranges, and a format-specific mutation that declares a huge size.
/// Deterministic for a seed; one to three mutations are stacked per case.</summary>
internal sealed class Mutator(int seed, Func<byte[], Random, byte[]>? declareHuge = null)
{
    private static readonly byte[] s_bytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE];
    private static readonly uint[] s_words = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x40000000, 0x00010000, 0x0000FFFF];

    private readonly Random _random = new(seed);

    /// <summary>How many cases each loader gets: <paramref name="ciCases"/>, or CONVSHARP_FUZZ_ITERATIONS for a long run.</summary>
    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("CONVSHARP_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : ciCases;

    public byte[] Next(byte[] valid)
    {
        Random r = _random;
        if (r.Next(16) == 0)
        {
            var noise = new byte[r.Next(0, 2 * valid.Length + 16)];
            r.NextBytes(noise);
            return noise;
        }
        byte[] data = (byte[])valid.Clone();
        int mutations = 1 + r.Next(3);
        for (int m = 0; m < mutations; m++) data = Mutate(data, r);
        return data;
    }

    private byte[] Mutate(byte[] data, Random r)
    {
        switch (r.Next(declareHuge is null ? 7 : 9))
        {
            case 0:  // bit flips
                for (int i = 1 + r.Next(8); i > 0 && data.Length > 0; i--) data[r.Next(data.Length)] ^= (byte)(1 << r.Next(8));
                return data;
            case 1:  // interesting bytes, biased to the header
                for (int i = 1 + r.Next(4); i > 0 && data.Length > 0; i--) data[Position(data, r)] = s_bytes[r.Next(s_bytes.Length)];
                return data;
            case 2:  // an interesting 32-bit value, either byte order
                if (data.Length >= 4)
                {
                    int at = Math.Min(Position(data, r), data.Length - 4);
                    uint word = s_words[r.Next(s_words.Length)];
                    if (r.Next(2) == 0) BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), word);
                    else BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), word);
                }
                return data;
            case 3:  // truncation
                return data[..r.Next(data.Length + 1)];
            case 4:  // appended garbage
                var tail = new byte[1 + r.Next(64)];
                r.NextBytes(tail);
                return [.. data, .. tail];
            case 5:  // a range deleted
                if (data.Length < 2) return data;
                int start = r.Next(data.Length), length = r.Next(1, Math.Min(64, data.Length - start) + 1);
                return [.. data[..start], .. data[(start + length)..]];
            case 6:  // a range duplicated
                if (data.Length < 2) return data;
                int from = r.Next(data.Length), count = r.Next(1, Math.Min(64, data.Length - from) + 1);
                return [.. data[..from], .. data.AsSpan(from, count), .. data[from..]];
            default:
                return declareHuge!(data, r);
        }
    }

    // Half the positions fall in the first 64 bytes, where the headers are.
    private static int Position(byte[] data, Random r) => r.Next(2) == 0 ? r.Next(Math.Min(64, data.Length)) : r.Next(data.Length);

    /// <summary>A large value for a declared size or offset.</summary>
    public static uint HugeWord(Random r) => s_words[2 + r.Next(3)] - (uint)r.Next(4);
}
