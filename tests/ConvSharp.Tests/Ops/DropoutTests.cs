using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class DropoutTests
{
    /// <summary>Philox-4x32-10 written out in C#: the specification the native mask (and any other backend's) must reproduce.</summary>
    internal static uint[] Philox(uint[] counter, uint[] key)
    {
        unchecked
        {
            uint c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3], k0 = key[0], k1 = key[1];
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
                ulong p0 = 0xD2511F53ul * c0, p1 = 0xCD9E8D57ul * c2;
                (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
            }
            return [c0, c1, c2, c3];
        }
    }

    /// <summary>The documented mask: group g is kept when the top 24 bits of word g%4 of block g/4, as a
    /// uniform float, are below 1 − p.</summary>
    internal static bool[] ReferenceKeep(ulong key, long groups, float p)
    {
        var keep = new bool[groups];
        float keepProb = 1f - p;
        uint[] k = [(uint)key, (uint)(key >> 32)];
        for (long g = 0; g < groups; g++)
        {
            long block = g / 4;
            uint r = Philox([(uint)block, (uint)((ulong)block >> 32), 0, 0], k)[g % 4];
            keep[g] = (r >> 8) * (1f / (1 << 24)) < keepProb;
        }
        return keep;
    }

    public static TheoryData<uint[], uint[], uint[]> KnownAnswers() => new()
    {
        // Random123's kat_vectors for philox4x32_10.
        { [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
        { [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd] },
        { [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public unsafe void The_native_generator_is_philox_4x32_10(uint[] counter, uint[] key, uint[] expected)
    {
        var output = new uint[4];
        fixed (uint* c = counter)
        fixed (uint* k = key)
        fixed (uint* o = output)
            ConvSharp.Interop.Native.cs_philox4x32_10(c, k, o);
        Assert.Equal(expected, output);
        Assert.Equal(expected, Philox(counter, key));
    }

    [Theory]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void The_mask_is_the_documented_function_of_the_key_bit_for_bit(float p)
    {
        float[] x = OpCheck.Random(301, 4 * 8 * 25, 0.5f, 2f);
        using var input = Tensor.FromArray(x, 4, 8, 5, 5);
        using var y = input.Dropout(p, training: true, new Generator(42));
        ulong key = new Generator(42).NextUInt64();
        bool[] keep = ReferenceKeep(key, x.Length, p);
        float scale = 1f / (1f - p);
        float[] v = y.ToArray();
        for (int i = 0; i < x.Length; i++)
            Assert.True(keep[i] ? v[i] == x[i] * scale : v[i] == 0f, $"element {i}: {v[i]} (kept: {keep[i]})");
    }

    [Fact]
    public void Dropout_forward_and_backward_match_x_times_the_mask()
    {
        const float p = 0.4f;
        int[] shape = [3, 4, 5];
        bool[] keep = ReferenceKeep(new Generator(7).NextUInt64(), 60, p);
        OpCheck.Check(t => t[0].Dropout(p, training: true, new Generator(7)),
            v => v[0].Select((x, i) => keep[i] ? x / (1.0 - p) : 0.0).ToArray(),
            [OpCheck.Random(302, 60)], [shape], forwardTolerance: 1e-6);
    }

    [Fact]
    public void Backward_multiplies_by_the_same_mask()
    {
        using var x = Tensor.Ones(1000);
        x.RequiresGrad = true;
        float[] w = OpCheck.Random(303, 1000);
        using var upstream = Tensor.FromArray(w, 1000);
        using var y = x.Dropout(0.5f, training: true, new Generator(3));
        using (var loss = (y * upstream).Sum()) loss.Backward();
        float[] mask = y.ToArray(), grad = x.Grad!.ToArray();
        for (int i = 0; i < 1000; i++) Assert.Equal(w[i] * mask[i], grad[i]);
        Assert.Contains(0f, mask);
        Assert.Contains(2f, mask);
        x.Grad.Dispose();
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(0.8f)]
    public void About_one_minus_p_survive_scaled_so_the_mean_is_kept(float p)
    {
        const int n = 200_000;
        using var x = Tensor.Ones(n);
        using var y = x.Dropout(p, training: true, new Generator(11));
        float[] v = y.ToArray();
        float scale = 1f / (1f - p);
        Assert.All(v, value => Assert.True(value == 0f || value == scale, $"{value} is neither 0 nor {scale}"));
        double kept = v.Count(value => value != 0f) / (double)n;
        double sigma = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange(kept, 1 - p - 5 * sigma, 1 - p + 5 * sigma);
        Assert.InRange(v.Average(value => (double)value), 1 - 5 * sigma * scale, 1 + 5 * sigma * scale);
    }

    [Fact]
    public void A_seed_gives_the_same_mask_and_each_forward_draws_one_key()
    {
        using var x = Tensor.FromArray(OpCheck.Random(304, 500, 0.5f, 1f), 500);
        using var a = x.Dropout(0.5f, training: true, new Generator(9));
        using var b = x.Dropout(0.5f, training: true, new Generator(9));
        Assert.Equal(a.ToArray(), b.ToArray());

        var generator = new Generator(9);
        using var first = x.Dropout(0.5f, training: true, generator);
        using var second = x.Dropout(0.5f, training: true, generator);
        Assert.NotEqual(first.ToArray(), second.ToArray());
        var twin = new Generator(9);
        twin.NextUInt64();
        twin.NextUInt64();
        Assert.Equal(twin.NextUInt64(), generator.NextUInt64());

        var module = new Dropout(0.5f, new Generator(9));
        using var fromModule = module.Forward(x);
        Assert.Equal(a.ToArray(), fromModule.ToArray());
    }

    [Fact]
    public void Evaluation_mode_and_p_zero_are_the_identity()
    {
        using var x = Tensor.FromArray(OpCheck.Random(305, 24), 2, 3, 2, 2);
        var dropout = new Dropout(0.5f);
        var dropout2d = new Dropout2d(0.5f);
        dropout.Eval();
        dropout2d.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Same(x, dropout2d.Forward(x));
        Assert.Same(x, x.Dropout(0f, training: true));
        Assert.Same(x, x.Dropout(0.7f, training: false));
        Assert.Equal("Dropout(p=0.5)", dropout.ToString());
        Assert.Equal("Dropout2d(p=0.5)", dropout2d.ToString());
    }

    [Theory]
    [InlineData(new[] { 8, 16, 3, 4 })]
    [InlineData(new[] { 6, 10, 7 })]
    public void Dropout2d_zeroes_whole_channels(int[] shape)
    {
        const float p = 0.4f;
        int channels = shape[0] * shape[1], plane = OpCheck.Count(shape) / channels;
        float[] x = OpCheck.Random(306, OpCheck.Count(shape), 0.5f, 2f);
        using var input = Tensor.FromArray(x, shape);
        using var y = input.Dropout2d(p, training: true, new Generator(5));
        float[] v = y.ToArray();
        bool[] keep = ReferenceKeep(new Generator(5).NextUInt64(), channels, p);
        float scale = 1f / (1f - p);
        for (int g = 0; g < channels; g++)
        for (int j = 0; j < plane; j++)
        {
            int i = g * plane + j;
            Assert.True(keep[g] ? v[i] == x[i] * scale : v[i] == 0f, $"channel {g}, element {j}: {v[i]} (kept: {keep[g]})");
        }
        Assert.Contains(false, keep);
        Assert.Contains(true, keep);

        // The gradient is zero on exactly the dropped channels.
        bool[] keepAgain = keep;
        OpCheck.Check(t => t[0].Dropout2d(p, training: true, new Generator(5)),
            d => d[0].Select((value, i) => keepAgain[i / plane] ? value * (1.0 / (1.0 - p)) : 0.0).ToArray(),
            [x], [shape], forwardTolerance: 1e-6);
    }

    [Fact]
    public void Dropout2d_keeps_about_one_minus_p_of_the_channels()
    {
        using var x = Tensor.Ones(200, 500, 2, 2);
        using var y = x.Dropout2d(0.25f, training: true, new Generator(12));
        float[] v = y.ToArray();
        int kept = 0;
        for (int g = 0; g < 100_000; g++) if (v[g * 4] != 0f) kept++;
        double sigma = Math.Sqrt(0.25 * 0.75 / 100_000);
        Assert.InRange(kept / 100_000.0, 0.75 - 5 * sigma, 0.75 + 5 * sigma);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void A_drop_probability_outside_zero_to_one_is_refused(float p)
    {
        using var x = Tensor.Ones(4);
        string text = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.Dropout(p));
        Assert.Equal("p", e.ParamName);
        Assert.StartsWith($"Dropout: the drop probability p must be in [0, 1), but is {text}.", e.Message);
        Assert.StartsWith($"Dropout: the drop probability p must be in [0, 1), but is {text}.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p)).Message);
        Assert.StartsWith($"Dropout2d: the drop probability p must be in [0, 1), but is {text}.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout2d(p)).Message);
    }

    [Fact]
    public void Dropout2d_needs_channels_and_positions()
    {
        using var x = Tensor.Ones(4, 3);
        Assert.StartsWith("Dropout2d expects a 3-D [N, C, L] or 4-D [N, C, H, W] input, but got shape [4, 3].",
            Assert.Throws<ArgumentException>(() => x.Dropout2d(0.5f)).Message);
    }
}
