using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class ConvTests
{
    /// <summary>The pseudo-code: y[n,k,i,j] = b[k] + Σ_{c in k's group, r, s} x[n, c, i·SH − PT + r·DH, j·SW − PL + s·DW]·w[k, c', r, s],
    /// with PT/PL the top/left padding and PB/PR the bottom/right (which only change the output size).</summary>
    internal static double[] Reference(double[] x, double[] w, double[]? b, int n, int c, int h, int wd, int k, int kh, int kw,
        int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int groups, out int oh, out int ow)
    {
        oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
        ow = (wd + pl + pr - dw * (kw - 1) - 1) / sw + 1;
        int cg = c / groups, kg = k / groups;
        var y = new double[n * k * oh * ow];
        for (int bi = 0; bi < n; bi++)
        for (int ko = 0; ko < k; ko++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sum = b?[ko] ?? 0;
            int group = ko / kg;
            for (int ci = 0; ci < cg; ci++)
            for (int r = 0; r < kh; r++)
            for (int s = 0; s < kw; s++)
            {
                int ih = i * sh - pt + r * dh, iw = j * sw - pl + s * dw;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                sum += x[((bi * c + group * cg + ci) * h + ih) * wd + iw] * w[((ko * cg + ci) * kh + r) * kw + s];
            }
            y[((bi * k + ko) * oh + i) * ow + j] = sum;
        }
        return y;
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        // 25–32: output planes of 324 to 529 positions; 33–38: one group, stride 1 and
        // C·KH·KW ≤ 18, or 75 for 37–38, with rows wider than 16 and K not a
        // multiple of 8 (the CPU's direct kernels).
        for (int i = 1; i <= 38; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Conv2d_matches_nested_loops_and_finite_differences(int seed)
    {
        var rng = new Random(seed);
        int groups = seed % 4 == 0 ? 1 : new[] { 1, 2, 3 }[rng.Next(3)];
        bool depthwise = seed % 5 == 0;
        int cg = rng.Next(1, 4), c = cg * groups;
        int k = groups * rng.Next(1, 4);
        if (depthwise) { groups = c; k = c * rng.Next(1, 3); }
        if (seed > 32)
        {
            CheckDirect(seed);
            return;
        }
        bool large = seed > 24;
        int n = rng.Next(1, large ? 3 : 4), h = large ? rng.Next(20, 24) : rng.Next(3, 10), wd = large ? rng.Next(20, 24) : rng.Next(3, 10);
        int kh = rng.Next(1, 4), kw = rng.Next(1, 4), sh = large ? 1 : rng.Next(1, 4), sw = large ? 1 : rng.Next(1, 4);
        int ph = rng.Next(large ? 1 : 0, 3), pw = rng.Next(large ? 1 : 0, 3), dh = rng.Next(1, 3), dw = rng.Next(1, 3);
        while (dh * (kh - 1) + 1 > h + 2 * ph) kh--;
        while (dw * (kw - 1) + 1 > wd + 2 * pw) kw--;
        bool bias = seed % 3 != 0;
        int cgw = c / groups;

        float[] x = OpCheck.Random(seed, n * c * h * wd), w = OpCheck.Random(seed + 100, k * cgw * kh * kw), b = OpCheck.Random(seed + 200, k);
        float[][] inputs = bias ? [x, w, b] : [x, w];
        int[][] shapes = bias ? [[n, c, h, wd], [k, cgw, kh, kw], [k]] : [[n, c, h, wd], [k, cgw, kh, kw]];
        OpCheck.Check(
            t => Tensor.Conv2d(t[0], t[1], bias ? t[2] : null, (sh, sw), (ph, pw), (dh, dw), groups),
            v => Reference(v[0], v[1], bias ? v[2] : null, n, c, h, wd, k, kh, kw, sh, sw, ph, pw, ph, pw, dh, dw, groups, out _, out _),
            inputs, shapes);
    }

    private static void CheckDirect(int seed)
    {
        var rng = new Random(seed);
        bool lenet = seed >= 37;  // LeNet-5's first layer: 3 channels, 5×5 (C·KH·KW = 75)
        int n = lenet ? 1 : rng.Next(1, 3), c = lenet ? 3 : rng.Next(1, 3), k = lenet ? 3 : new[] { 3, 9, 12 }[seed % 3];
        int h = rng.Next(17, 23), wd = rng.Next(17, 23), kh = lenet ? 5 : rng.Next(1, 4), kw = lenet ? 5 : rng.Next(2, 4);
        int ph = rng.Next(0, 3), pw = rng.Next(0, 3), dh = rng.Next(1, 3), dw = rng.Next(1, 3);
        bool bias = seed % 2 == 0;
        var geometry = new ConvSharp.Backends.ConvGeometry(n, c, h, wd, kh, kw, 1, 1, ph, pw, dh, dw);
        Assert.True(ConvSharp.Backends.Cpu.CpuKernels.PrefersDirect(geometry, k), "seed does not reach the direct kernels");
        float[] x = OpCheck.Random(seed, n * c * h * wd), w = OpCheck.Random(seed + 100, k * c * kh * kw), b = OpCheck.Random(seed + 200, k);
        float[][] inputs = bias ? [x, w, b] : [x, w];
        int[][] shapes = bias ? [[n, c, h, wd], [k, c, kh, kw], [k]] : [[n, c, h, wd], [k, c, kh, kw]];
        OpCheck.Check(
            t => Tensor.Conv2d(t[0], t[1], bias ? t[2] : null, 1, (ph, pw), (dh, dw)),
            v => Reference(v[0], v[1], bias ? v[2] : null, n, c, h, wd, k, kh, kw, 1, 1, ph, pw, ph, pw, dh, dw, 1, out _, out _),
            inputs, shapes);
    }

    [Theory]
    [InlineData(3, 3, 1)]
    [InlineData(4, 2, 1)]   // even kernels: PyTorch puts the extra padding at the bottom/right
    [InlineData(2, 5, 2)]
    public void Same_padding_keeps_the_size_and_matches_pytorchs_asymmetric_rule(int kh, int kw, int dilation)
    {
        int n = 2, c = 2, h = 7, wd = 6, k = 3;
        int th = dilation * (kh - 1), tw = dilation * (kw - 1);
        OpCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], "same", dilation),
            v => Reference(v[0], v[1], v[2], n, c, h, wd, k, kh, kw, 1, 1, th / 2, tw / 2, th - th / 2, tw - tw / 2, dilation, dilation, 1, out _, out _),
            [OpCheck.Random(1, n * c * h * wd), OpCheck.Random(2, k * c * kh * kw), OpCheck.Random(3, k)], [[n, c, h, wd], [k, c, kh, kw], [k]]);
        using var x = Tensor.Ones(n, c, h, wd);
        using var w = Tensor.Ones(k, c, kh, kw);
        using var y = Tensor.Conv2d(x, w, null, "same", dilation);
        Assert.Equal([n, k, h, wd], y.Shape);
    }

    [Fact]
    public void The_module_computes_the_functional_form_with_its_parameters()
    {
        using var conv = new Conv2d(2, 4, (3, 2), stride: 2, padding: (1, 0), generator: new Generator(9));
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([3, 2, 8, 7], seed: 1);
        float[] expected = Tensor.Conv2d(x, conv.Weight, conv.Bias, 2, (1, 0)).ToArray();
        Assert.Equal(expected, conv.Forward(x).ToArray());
        Assert.Equal(["weight", "bias"], conv.NamedParameters().Select(p => p.Name));
        Assert.Equal([4, 2, 3, 2], conv.Weight.Shape);
        float bound = 1f / MathF.Sqrt(2 * 3 * 2);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Equal("Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 2), padding=(1, 0))", conv.ToString());
    }

    [Fact]
    public void The_29066_parameter_network_of_the_design_has_29066_parameters()
    {
        using var model = new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10));
        Assert.Equal(29066, model.ParameterCount());
        using var scope = Tensor.Scope();
        Assert.Equal([5, 10], model.Forward(Tensor.Randn([5, 1, 28, 28], seed: 0)).Shape);
    }

    [Fact]
    public void A_wrong_channel_count_names_the_layer_and_both_counts()
    {
        using var conv = new Conv2d(3, 16, 3, padding: 1);
        using var x = Tensor.Ones(2, 1, 28, 28);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x));
        Assert.Equal("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)) expects 3 input channels, but got 1 (input shape [2, 1, 28, 28]). (Parameter 'input')", e.Message);
    }

    [Fact]
    public void A_kernel_larger_than_the_padded_input_names_both_sizes()
    {
        using var conv = new Conv2d(1, 1, 5);
        using var x = Tensor.Ones(1, 1, 3, 8);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x));
        Assert.StartsWith("Conv2d(1, 1, kernel_size=(5, 5), stride=(1, 1)): The kernel 5x5 with dilation 1x1 spans 5x5, larger than the padded input 3x8 (input 3x8, padding 0x0).", e.Message);
    }

    [Fact]
    public void Non_4d_input_shows_its_shape()
    {
        using var conv = new Conv2d(1, 2, 3);
        using var x = Tensor.Ones(28, 28);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x));
        Assert.StartsWith("Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1)) expects a 4-D input [N, C, H, W], but got shape [28, 28].", e.Message);
    }

    [Fact]
    public void Channels_not_divisible_by_groups_and_unknown_padding_names_are_refused()
    {
        Assert.StartsWith("Conv2d: inChannels (3) and outChannels (4) must both be divisible by groups (2).",
            Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2)).Message);
        Assert.StartsWith("Conv2d: padding 'full' is not one of \"same\", \"valid\".",
            Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, "full")).Message);
    }
}
