using ConvSharp.NN;

namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class ConvTransposeAndUpsampleTests
{
    /// <summary>y[n, g·Cg + co, iy·S − P + r·D, ix·S − P + s·D] += x[n, ci, iy, ix]·w[ci, co, r, s] for ci in group g; plus bias.</summary>
    private static double[] TransposeReference(double[] x, double[] w, double[]? b, int n, int cin, int h, int wd, int cg, int kh, int kw,
        int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, int groups, out int oh, out int ow)
    {
        oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
        ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
        int cout = cg * groups, cinG = cin / groups;
        var y = new double[n * cout * oh * ow];
        for (int bi = 0; bi < n; bi++)
        for (int co = 0; co < cout; co++)
        for (int i = 0; i < oh * ow; i++) y[(bi * cout + co) * oh * ow + i] = b?[co] ?? 0;
        for (int bi = 0; bi < n; bi++)
        for (int ci = 0; ci < cin; ci++)
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < wd; ix++)
        for (int co = 0; co < cg; co++)
        for (int r = 0; r < kh; r++)
        for (int s = 0; s < kw; s++)
        {
            int oy = iy * sh - ph + r * dh, ox = ix * sw - pw + s * dw;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
            int g = ci / cinG;
            y[((bi * cout + g * cg + co) * oh + oy) * ow + ox] += x[((bi * cin + ci) * h + iy) * wd + ix] * w[((ci * cg + co) * kh + r) * kw + s];
        }
        return y;
    }

    public static TheoryData<int> Seeds()
    {
        var d = new TheoryData<int>();
        for (int i = 1; i <= 16; i++) d.Add(i);
        return d;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ConvTranspose2d_matches_nested_loops_and_finite_differences(int seed)
    {
        var rng = new Random(seed);
        int groups = new[] { 1, 1, 2, 3 }[rng.Next(4)];
        int cin = groups * rng.Next(1, 3), cg = rng.Next(1, 3), n = rng.Next(1, 3), h = rng.Next(2, 6), wd = rng.Next(2, 6);
        int kh = rng.Next(1, 4), kw = rng.Next(1, 4), sh = rng.Next(1, 4), sw = rng.Next(1, 4), dh = rng.Next(1, 3), dw = rng.Next(1, 3);
        int ph = rng.Next(0, Math.Min(2, (dh * (kh - 1)) / 2 + 1)), pw = rng.Next(0, Math.Min(2, (dw * (kw - 1)) / 2 + 1));
        int oph = rng.Next(0, Math.Max(sh, dh)), opw = rng.Next(0, Math.Max(sw, dw));
        bool bias = seed % 3 != 0;
        float[] x = OpCheck.Random(seed, n * cin * h * wd), w = OpCheck.Random(seed + 50, cin * cg * kh * kw), b = OpCheck.Random(seed + 90, cg * groups);
        OpCheck.Check(
            t => Tensor.ConvTranspose2d(t[0], t[1], bias ? t[2] : null, (sh, sw), (ph, pw), (oph, opw), groups, (dh, dw)),
            v => TransposeReference(v[0], v[1], bias ? v[2] : null, n, cin, h, wd, cg, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups, out _, out _),
            bias ? [x, w, b] : [x, w], bias ? [[n, cin, h, wd], [cin, cg, kh, kw], [cg * groups]] : [[n, cin, h, wd], [cin, cg, kh, kw]]);
    }

    [Fact]
    public void ConvTranspose2d_is_the_input_gradient_of_Conv2d()
    {
        using var scope = Tensor.Scope();
        var w = Tensor.Randn([4, 3, 3, 3], seed: 1);          // conv: 3 → 4 channels; transposed: 4 → 3
        var x = Tensor.Randn([2, 3, 9, 8], seed: 2);
        x.RequiresGrad = true;
        var y = Tensor.Conv2d(x, w, null, 2, 1);             // [2, 4, 5, 4]
        var g = Tensor.Randn(y.Shape, seed: 3);
        y.Backward(g);
        var t = Tensor.ConvTranspose2d(g, w, null, 2, 1, outputPadding: (0, 1));
        Assert.Equal(x.Shape, t.Shape);
        OpCheck.AssertClose(x.Grad!.ToArray().Select(v => (double)v).ToArray(), t.ToArray(), 1e-5, "conv_transpose vs conv input gradient");
    }

    [Fact]
    public void The_module_has_pytorchs_shapes_and_repr()
    {
        using var up = new ConvTranspose2d(8, 4, 2, stride: 2);
        using var scope = Tensor.Scope();
        Assert.Equal([2, 4, 14, 14], up.Forward(Tensor.Ones(2, 8, 7, 7)).Shape);
        Assert.Equal([8, 4, 2, 2], up.Weight.Shape);
        Assert.Equal("ConvTranspose2d(8, 4, kernel_size=(2, 2), stride=(2, 2))", up.ToString());
        var e = Assert.Throws<ArgumentException>(() => up.Forward(Tensor.Ones(1, 3, 7, 7)));
        Assert.StartsWith("ConvTranspose2d(8, 4, kernel_size=(2, 2), stride=(2, 2)) expects 8 input channels, but got 3", e.Message);
    }

    /// <summary>PyTorch's interpolate in double: nearest src = min(⌊o·scale⌋, in − 1); bilinear src = (o + ½)·scale − ½
    /// clamped at 0 (or o·(in − 1)/(out − 1) with align_corners), linear weights between ⌊src⌋ and ⌊src⌋ + 1.</summary>
    private static double[] UpsampleReference(double[] x, int planes, int h, int w, int oh, int ow, bool bilinear, bool align, double? sf)
    {
        double Scale(int i, int o) => align ? (o > 1 ? (i - 1.0) / (o - 1) : 0) : sf is double f ? 1 / f : (double)i / o;
        double sh = Scale(h, oh), sw = Scale(w, ow);
        (int, int, double) Src(int o, double scale, int size)
        {
            if (!bilinear) { int s = Math.Min((int)Math.Floor(o * scale), size - 1); return (s, s, 0); }
            double src = align ? o * scale : Math.Max((o + 0.5) * scale - 0.5, 0);
            int a = Math.Min((int)src, size - 1);
            return (a, Math.Min(a + 1, size - 1), src - a);
        }
        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            var (y0, y1, ly) = Src(i, sh, h);
            var (x0, x1, lx) = Src(j, sw, w);
            double At(int r, int c) => x[(p * h + r) * w + c];
            y[(p * oh + i) * ow + j] = (1 - ly) * ((1 - lx) * At(y0, x0) + lx * At(y0, x1)) + ly * ((1 - lx) * At(y1, x0) + lx * At(y1, x1));
        }
        return y;
    }

    [Theory]
    [InlineData("nearest", false, 2.0, 0, 0)]
    [InlineData("nearest", false, 0, 7, 5)]
    [InlineData("nearest", false, 1.5, 0, 0)]
    [InlineData("bilinear", false, 2.0, 0, 0)]
    [InlineData("bilinear", false, 0, 9, 4)]
    [InlineData("bilinear", true, 0, 9, 7)]
    [InlineData("bilinear", true, 3.0, 0, 0)]
    public void Upsample_matches_pytorchs_formulas_and_its_gradient(string mode, bool align, double scale, int oh, int ow)
    {
        int n = 2, c = 2, h = 4, w = 3;
        if (scale > 0) { oh = (int)Math.Floor(h * scale); ow = (int)Math.Floor(w * scale); }
        OpCheck.Check(
            t => scale > 0 ? t[0].Upsample(scale, mode, align) : t[0].Upsample((oh, ow), mode, align),
            v => UpsampleReference(v[0], n * c, h, w, oh, ow, mode == "bilinear", align, scale > 0 ? scale : null),
            [OpCheck.Random(4, n * c * h * w)], [[n, c, h, w]]);
    }

    [Fact]
    public void Upsample_refuses_unknown_modes_and_align_corners_for_nearest()
    {
        using var x = Tensor.Ones(1, 1, 2, 2);
        Assert.StartsWith("Upsample: mode 'bicubic' is not one of \"nearest\", \"bilinear\".", Assert.Throws<ArgumentException>(() => x.Upsample(2.0, "bicubic")).Message);
        Assert.StartsWith("Upsample: alignCorners applies only to bilinear mode.", Assert.Throws<ArgumentException>(() => x.Upsample(2.0, "nearest", true)).Message);
        using var up = new Upsample(2.0, "bilinear");
        using var scope = Tensor.Scope();
        Assert.Equal([1, 1, 4, 4], up.Forward(x).Shape);
        Assert.Equal("Upsample(scale_factor=2.0, mode='bilinear')", up.ToString());
    }
}
