using System.Globalization;

namespace ConvSharp.Tests.Ops;

/// <summary>The pooling family against naive nested loops in double precision (written here from PyTorch's
/// definitions), backward against central differences of those loops. Letters: N batch, C channels, H x W
/// input, KH x KW kernel, S stride, P padding, D dilation, OH x OW output. Max-based ops get inputs without
/// ties (a scaled random permutation), so the finite differences never cross a switch of the argmax.</summary>
[DetectLeaks]
public class PoolingTests
{
    // ---- the nested-loop references ----

    /// <summary>PyTorch's pooling_output_shape: floor division, and in ceil mode the last window must start
    /// inside the input or the left padding.</summary>
    private static int OutSize(int input, int k, int s, int p, int d, bool ceil)
    {
        int num = input + 2 * p - (d * (k - 1) + 1) + (ceil ? s - 1 : 0);
        int o = (int)Math.Floor(num / (double)s) + 1;
        if (ceil && (o - 1) * s >= input + p) o--;
        return o;
    }

    /// <summary>One pooling configuration, parsed from "n=2 c=3 h=7 w=9 k=3x2 s=2x1 p=1x0 d=1 ceil".</summary>
    public sealed record Case(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, bool Ceil)
    {
        public static Case Parse(string spec)
        {
            var v = new Dictionary<string, (int, int)>();
            bool ceil = false;
            foreach (string part in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "ceil") { ceil = true; continue; }
                string[] kv = part.Split('=');
                string[] hw = kv[1].Split('x');
                int a = int.Parse(hw[0], CultureInfo.InvariantCulture), b = hw.Length > 1 ? int.Parse(hw[1], CultureInfo.InvariantCulture) : a;
                v[kv[0]] = (a, b);
            }
            (int, int) Get(string key, (int, int) fallback) => v.TryGetValue(key, out var r) ? r : fallback;
            var (kh, kw) = v["k"];
            var (sh, sw) = Get("s", (kh, kw));
            var (ph, pw) = Get("p", (0, 0));
            var (dh, dw) = Get("d", (1, 1));
            return new Case(v["n"].Item1, v["c"].Item1, v["h"].Item1, v["w"].Item1, kh, kw, sh, sw, ph, pw, dh, dw, ceil);
        }

        public int OH => OutSize(H, KH, SH, PH, DH, Ceil);
        public int OW => OutSize(W, KW, SW, PW, DW, Ceil);
        public int[] InputShape => [N, C, H, W];
        public int InputCount => N * C * H * W;
    }

    private static double[] MaxPoolRef(double[] x, Case g)
    {
        var y = new double[g.N * g.C * g.OH * g.OW];
        for (int b = 0; b < g.N; b++)
        for (int c = 0; c < g.C; c++)
        for (int i = 0; i < g.OH; i++)
        for (int j = 0; j < g.OW; j++)
        {
            double m = double.NegativeInfinity;
            for (int r = 0; r < g.KH; r++)
            for (int s = 0; s < g.KW; s++)
            {
                int ih = i * g.SH - g.PH + r * g.DH, iw = j * g.SW - g.PW + s * g.DW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;  // padding never wins
                m = Math.Max(m, x[((b * g.C + c) * g.H + ih) * g.W + iw]);
            }
            y[((b * g.C + c) * g.OH + i) * g.OW + j] = m;
        }
        return y;
    }

    private static double[] AvgPoolRef(double[] x, Case g, bool countIncludePad, int? divisorOverride)
    {
        var y = new double[g.N * g.C * g.OH * g.OW];
        for (int b = 0; b < g.N; b++)
        for (int c = 0; c < g.C; c++)
        for (int i = 0; i < g.OH; i++)
        for (int j = 0; j < g.OW; j++)
        {
            // The window as PyTorch clips it: to the padded input for the padded count, to the input for the sum.
            int hs = i * g.SH - g.PH, he = Math.Min(hs + g.KH, g.H + g.PH);
            int ws = j * g.SW - g.PW, we = Math.Min(ws + g.KW, g.W + g.PW);
            double sum = 0;
            int inside = 0;
            for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++)
            {
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                sum += x[((b * g.C + c) * g.H + ih) * g.W + iw];
                inside++;
            }
            int divisor = divisorOverride ?? (countIncludePad ? (he - hs) * (we - ws) : inside);
            y[((b * g.C + c) * g.OH + i) * g.OW + j] = sum / divisor;
        }
        return y;
    }

    private static double[] LpPoolRef(double[] x, Case g, double p)
    {
        var y = new double[g.N * g.C * g.OH * g.OW];
        for (int b = 0; b < g.N; b++)
        for (int c = 0; c < g.C; c++)
        for (int i = 0; i < g.OH; i++)
        for (int j = 0; j < g.OW; j++)
        {
            double sum = 0;
            for (int ih = i * g.SH; ih < Math.Min(i * g.SH + g.KH, g.H); ih++)
            for (int iw = j * g.SW; iw < Math.Min(j * g.SW + g.KW, g.W); iw++)
                sum += Math.Pow(x[((b * g.C + c) * g.H + ih) * g.W + iw], p);
            y[((b * g.C + c) * g.OH + i) * g.OW + j] = Math.Pow(sum, 1 / p);
        }
        return y;
    }

    private static double[] AdaptiveRef(double[] x, int n, int c, int h, int w, int oh, int ow, bool max)
    {
        var y = new double[n * c * oh * ow];
        for (int b = 0; b < n * c; b++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int hs = i * h / oh, he = ((i + 1) * h + oh - 1) / oh;  // floor and ceil
            int ws = j * w / ow, we = ((j + 1) * w + ow - 1) / ow;
            double acc = max ? double.NegativeInfinity : 0;
            for (int ih = hs; ih < he; ih++)
            for (int iw = ws; iw < we; iw++)
            {
                double v = x[(b * h + ih) * w + iw];
                acc = max ? Math.Max(acc, v) : acc + v;
            }
            y[(b * oh + i) * ow + j] = max ? acc : acc / ((he - hs) * (we - ws));
        }
        return y;
    }

    /// <summary>PyTorch's generate_intervals, in float as there.</summary>
    private static int[] Intervals(float u, int input, int output, int k)
    {
        var starts = new int[output];
        if (output > 1)
        {
            float alpha = (float)(input - k) / (output - 1);
            for (int i = 0; i < output - 1; i++) starts[i] = (int)((i + u) * alpha) - (int)(u * alpha);
        }
        starts[output - 1] = input - k;
        return starts;
    }

    private static double[] FractionalRef(double[] x, int n, int c, int h, int w, int kh, int kw, int oh, int ow, float[] samples)
    {
        var y = new double[n * c * oh * ow];
        for (int b = 0; b < n * c; b++)
        {
            int[] rows = Intervals(samples[2 * b + 1], h, oh, kh), cols = Intervals(samples[2 * b], w, ow, kw);
            for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                double m = double.NegativeInfinity;
                for (int ih = rows[i]; ih < rows[i] + kh; ih++)
                for (int iw = cols[j]; iw < cols[j] + kw; iw++) m = Math.Max(m, x[(b * h + ih) * w + iw]);
                y[(b * oh + i) * ow + j] = m;
            }
        }
        return y;
    }

    /// <summary>Distinct values (a random permutation, scaled), so no window has a tie.</summary>
    private static float[] Distinct(int seed, int count)
    {
        var rng = new Random(seed);
        int[] order = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).ToArray();
        return order.Select(v => (v - count / 2) * 0.03125f).ToArray();
    }

    // ---- MaxPool2d ----

    [Theory]
    [InlineData("n=2 c=3 h=7 w=9 k=3x2 s=2x1 p=1x1")]          // non-square kernel, stride > 1, padding
    [InlineData("n=2 c=2 h=8 w=7 k=3 s=2 p=1 ceil")]            // ceil mode, last window clipped
    [InlineData("n=1 c=2 h=11 w=10 k=3 s=2 p=1 d=2")]           // dilation
    [InlineData("n=2 c=1 h=9 w=12 k=2x3 s=3x2 p=1x1 d=2x1 ceil")]
    [InlineData("n=1 c=1 h=12 w=10 k=4x5 s=2 p=2x2 d=1x2")]
    [InlineData("n=2 c=3 h=8 w=6 k=2")]                         // the fused 2x2 stride-2 path
    [InlineData("n=3 c=2 h=7 w=9 k=2 ceil")]                    // fused 2x2 with ceil-mode edges on both sides
    [InlineData("n=2 c=2 h=13 w=12 k=3 s=2 p=1")]               // the fused 3x3 stride-2 interior and its borders
    [InlineData("n=1 c=3 h=6 w=7 k=3 s=1 p=1")]                 // the fused 3x3 stride-1 interior
    [InlineData("n=1 c=2 h=4 w=5 k=2 s=3 p=1 ceil")]            // ceil mode drops a window that would start in the right padding
    [InlineData("n=2 c=1 h=3 w=3 k=4 s=2 ceil")]                // ceil mode lets a kernel larger than the input produce one window
    [InlineData("n=1 c=1 h=5 w=17 k=2x1 s=3x4")]                // stride larger than the kernel skips elements
    [InlineData("n=1 c=1 h=1 w=80 k=1x3 s=1x2 p=0x1")]          // one row, wide enough for several vectors
    public void MaxPool2d_matches_nested_loops_and_routes_gradients_to_the_argmax(string spec)
    {
        var g = Case.Parse(spec);
        OpCheck.Check(t => t[0].MaxPool2d((g.KH, g.KW), (g.SH, g.SW), (g.PH, g.PW), (g.DH, g.DW), g.Ceil),
            x => MaxPoolRef(x[0], g), [Distinct(g.H * 31 + g.W, g.InputCount)], [g.InputShape], forwardTolerance: 0);
    }

    [Fact]
    public void MaxPool2d_takes_unbatched_input_and_gives_the_same_values()
    {
        float[] x = Distinct(5, 3 * 9 * 8);
        using var batched = Tensor.FromArray(x, 1, 3, 9, 8);
        using var unbatched = Tensor.FromArray(x, 3, 9, 8);
        using var a = batched.MaxPool2d(3, 2, 1);
        using var b = unbatched.MaxPool2d(3, 2, 1);
        Assert.Equal([1, 3, 5, 4], a.Shape);
        Assert.Equal([3, 5, 4], b.Shape);
        Assert.Equal(a.ToArray(), b.ToArray());
        var g = Case.Parse("n=1 c=3 h=9 w=8 k=3 s=2 p=1");
        OpCheck.Check(t => t[0].MaxPool2d(3, 2, 1), v => MaxPoolRef(v[0], g), [x], [[3, 9, 8]], forwardTolerance: 0);
    }

    /// <summary>PyTorch's rule: in row-major window order the first maximum wins (so a window of equal values
    /// sends its gradient to its first element), and a NaN always wins.</summary>
    [Theory]
    [InlineData(2, 2, 0, 8)]   // fused 2x2
    [InlineData(3, 2, 1, 9)]   // fused 3x3 stride 2 (interior) and the window-by-window borders
    [InlineData(3, 1, 1, 6)]   // fused 3x3 stride 1
    [InlineData(4, 3, 1, 10)]  // tap-major general path
    public void MaxPool2d_ties_go_to_the_first_element_and_NaN_propagates(int k, int s, int p, int size)
    {
        using var zeros = Tensor.Zeros(1, 1, size, size);
        zeros.RequiresGrad = true;
        using var y = zeros.MaxPool2d(k, s, p);
        int oh = y.Shape[2], ow = y.Shape[3];
        using var ones = Tensor.Ones(y.Shape);
        y.Backward(ones);
        float[] grad = zeros.Grad!.ToArray();
        var expected = new float[size * size];
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int ih = Math.Max(i * s - p, 0), iw = Math.Max(j * s - p, 0);  // first element inside the input
            expected[ih * size + iw] += 1;
        }
        Assert.Equal(expected, grad);
        zeros.Grad!.Dispose();

        float[] withNan = Distinct(3, size * size);
        withNan[size + 1] = float.NaN;
        using var x = Tensor.FromArray(withNan, 1, 1, size, size);
        using var z = x.MaxPool2d(k, s, p);
        float[] values = z.ToArray();
        Assert.Contains(float.NaN, values);
        float[] reference = MaxPoolRef(withNan.Select(v => (double)v).ToArray(), Case.Parse($"n=1 c=1 h={size} w={size} k={k} s={s} p={p}"))
            .Select(v => (float)v).ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(float.IsNaN(reference[i]) ? float.IsNaN(values[i]) : reference[i] == values[i], $"output {i}: {values[i]} vs {reference[i]}");
    }

    [Fact]
    public void MaxPool2d_window_of_only_padding_gives_minus_infinity_and_no_gradient()
    {
        // Kernel width 2 with dilation 2 and padding 1 on a 1-wide input reads columns -1 and 1: no input element.
        // PyTorch also gives -inf there (and stores an index outside the plane, which its backward then writes
        // through); here such a window sends no gradient anywhere.
        using var x = Tensor.FromArray([5f, 7f, 9f], 1, 1, 3, 1);
        x.RequiresGrad = true;
        using var y = x.MaxPool2d(kernelSize: (1, 2), stride: 1, padding: (0, 1), dilation: (1, 2));
        Assert.Equal([1, 1, 3, 1], y.Shape);
        Assert.All(y.ToArray(), v => Assert.Equal(float.NegativeInfinity, v));
        using var ones = Tensor.Ones(1, 1, 3, 1);
        y.Backward(ones);
        Assert.Equal([0f, 0f, 0f], x.Grad!.ToArray());
        x.Grad.Dispose();
    }

    public static TheoryData<string> PoolNames() => new("max", "avg", "lp", "adaptive-max", "adaptive-avg", "global-max", "global-avg", "fractional");

    [Theory]
    [MemberData(nameof(PoolNames))]
    public void Pooling_backward_adds_into_existing_gradients(string pool)
    {
        Func<Tensor, Tensor> op = pool switch
        {
            "max" => x => x.MaxPool2d(3, 2, 1),
            "avg" => x => x.AvgPool2d(3, 1, 1),
            "lp" => x => x.LPPool2d(2, 2),
            "adaptive-max" => x => x.AdaptiveMaxPool2d(4),
            "adaptive-avg" => x => x.AdaptiveAvgPool2d(4),
            "global-max" => x => Tensor.GlobalMaxPool2d(x),
            "global-avg" => x => Tensor.GlobalAvgPool2d(x),
            _ => x => x.FractionalMaxPool2d(2, 3, new Generator(3)),
        };
        using var input = Tensor.FromArray(Distinct(2, 2 * 2 * 6 * 6), 2, 2, 6, 6);
        input.RequiresGrad = true;
        using var y = op(input);
        using var w = Tensor.FromArray(OpCheck.Random(5, (int)y.Numel), y.Shape);
        y.Backward(w, retainGraph: true);
        float[] once = input.Grad!.ToArray();
        Assert.Contains(once, v => v != 0);
        y.Backward(w);
        float[] twice = input.Grad.ToArray();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 5);
        input.Grad.Dispose();
    }

    [Fact]
    public void Pools_under_NoGrad_record_nothing()
    {
        using var x = Tensor.FromArray(Distinct(4, 32), 1, 2, 4, 4);
        x.RequiresGrad = true;
        using (Autograd.NoGrad())
        {
            using var a = x.MaxPool2d(2);
            using var b = x.AdaptiveMaxPool2d(3);
            using var c = x.FractionalMaxPool2d(2, 3, new Generator(1));
            Assert.False(a.RequiresGrad || b.RequiresGrad || c.RequiresGrad);
            Assert.True(a.IsLeaf && b.IsLeaf && c.IsLeaf);
        }
    }

    // ---- AvgPool2d ----

    [Theory]
    [InlineData("n=2 c=3 h=7 w=9 k=3x2 s=2x1 p=1x1", true, null)]
    [InlineData("n=2 c=3 h=7 w=9 k=3x2 s=2x1 p=1x1", false, null)]
    [InlineData("n=2 c=2 h=8 w=7 k=3 s=2 p=1 ceil", true, null)]     // a ceil-mode window past the padded input: divisor clipped to it
    [InlineData("n=2 c=2 h=8 w=7 k=3 s=2 p=1 ceil", false, null)]
    [InlineData("n=1 c=2 h=9 w=6 k=4x3 s=3 p=2x1 ceil", true, null)]
    [InlineData("n=1 c=2 h=9 w=6 k=4x3 s=3 p=2x1 ceil", false, 5)]   // divisor override
    [InlineData("n=3 c=2 h=6 w=10 k=2", true, null)]
    [InlineData("n=1 c=1 h=3 w=3 k=4 s=2 ceil", true, null)]
    [InlineData("n=1 c=2 h=5 w=300 k=3x5 s=1x3 p=1x2", true, null)]  // rows longer than the 256-column backward chunk
    public void AvgPool2d_matches_nested_loops(string spec, bool countIncludePad, int? divisorOverride)
    {
        var g = Case.Parse(spec);
        OpCheck.Check(t => t[0].AvgPool2d((g.KH, g.KW), (g.SH, g.SW), (g.PH, g.PW), g.Ceil, countIncludePad, divisorOverride),
            x => AvgPoolRef(x[0], g, countIncludePad, divisorOverride), [OpCheck.Random(g.H + g.W, g.InputCount)], [g.InputShape]);
    }

    // ---- LPPool2d ----

    [Theory]
    [InlineData("n=2 c=3 h=7 w=9 k=3x2 s=2x1", 2f, false)]
    [InlineData("n=2 c=2 h=8 w=7 k=3 s=2 ceil", 2f, false)]           // clipped windows sum what they hold
    [InlineData("n=1 c=2 h=6 w=6 k=2", 1f, false)]                    // p = 1: a sum pool, signs and all
    [InlineData("n=2 c=1 h=7 w=5 k=3x2 s=1x2 ceil", 3f, true)]
    [InlineData("n=1 c=3 h=6 w=8 k=2x3 s=2", 1.5f, true)]
    [InlineData("n=1 c=1 h=9 w=9 k=3", 7.25f, true)]
    public void LPPool2d_matches_nested_loops(string spec, float p, bool positive)
    {
        var g = Case.Parse(spec);
        float[] x = positive ? OpCheck.Random(3, g.InputCount, 0.25f, 2f) : OpCheck.Random(3, g.InputCount);
        OpCheck.Check(t => t[0].LPPool2d(p, (g.KH, g.KW), (g.SH, g.SW), g.Ceil), v => LpPoolRef(v[0], g, p), [x], [g.InputShape]);
    }

    [Fact]
    public void LPPool2d_with_p_1_is_the_window_sum()
    {
        using var x = Tensor.FromArray(OpCheck.Random(8, 2 * 3 * 6 * 4), 2, 3, 6, 4);
        using var lp = x.LPPool2d(1, (3, 2));
        using var avg = x.AvgPool2d((3, 2), divisorOverride: 1);
        OpCheck.AssertClose(avg.ToArray().Select(v => (double)v).ToArray(), lp.ToArray(), 1e-6, "LPPool2d(1)");
    }

    [Fact]
    public void LPPool2d_with_a_large_p_approaches_max_pooling_forward_and_backward()
    {
        // p = 1000 on values from 0.5 to ~540, 5% apart: x^p overflows float and double, so this also checks the
        // scaled evaluation; the gap makes every non-maximum's weight (x/y)^999 vanish.
        float[] values = Distinct(11, 2 * 2 * 6 * 6).Select(v => 0.5f * MathF.Pow(1.05f, v * 32 + 72)).ToArray();
        using var x = Tensor.FromArray(values, 2, 2, 6, 6);
        x.RequiresGrad = true;
        using var lp = x.LPPool2d(1000, 2);
        using var max = x.MaxPool2d(2);
        OpCheck.AssertClose(max.ToArray().Select(v => (double)v).ToArray(), lp.ToArray(), 1e-5, "LPPool2d(1000) vs MaxPool2d");
        using var w = Tensor.FromArray(OpCheck.Random(4, 2 * 2 * 3 * 3), 2, 2, 3, 3);
        lp.Backward(w);
        float[] lpGrad = x.Grad!.ToArray();
        x.Grad.Dispose();
        x.Grad = null;
        max.Backward(w);
        float[] maxGrad = x.Grad!.ToArray();
        x.Grad.Dispose();
        OpCheck.AssertClose(maxGrad.Select(v => (double)v).ToArray(), lpGrad, 1e-3, "LPPool2d(1000) gradient vs MaxPool2d gradient");
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(0.5f)]
    public void LPPool2d_gradient_is_zero_not_NaN_where_the_window_sums_to_zero(float p)
    {
        // Window 1 is all zeros: y = 0. Window 2 holds 1 and -1, whose cubes cancel (p = 3): y = 0 too.
        using var x = Tensor.FromArray([0f, 0f, 1f, -1f, 0f, 0f, 0f, 0f], 1, 1, 2, 4);
        x.RequiresGrad = true;
        using var y = x.LPPool2d(p, 2);
        using var ones = Tensor.Ones(1, 1, 1, 2);
        y.Backward(ones);
        float[] grad = x.Grad!.ToArray();
        x.Grad.Dispose();
        Assert.Equal(0f, y.ToArray()[0]);
        Assert.Equal([0f, 0f, 0f, 0f], new[] { grad[0], grad[1], grad[4], grad[5] });
        if (p == 3f) Assert.All(grad, v => Assert.Equal(0f, v));       // the cancelled window too
        if (p == 2f) Assert.All(grad, v => Assert.True(float.IsFinite(v)));
        // p = 0.5: (-1)^0.5 makes window 2 NaN, as powf does; window 1 still has gradient 0 (checked above).
    }

    // ---- adaptive and global ----

    [Theory]
    [InlineData(2, 3, 7, 10, 3, 4)]   // windows of varying size that overlap
    [InlineData(2, 2, 6, 9, 2, 3)]    // divisible: a regular 3x3 stride-3 pool (tap-major path)
    [InlineData(2, 2, 8, 6, 4, 3)]    // divisible: a regular 2x2 stride-2 pool (fused path)
    [InlineData(1, 2, 3, 4, 5, 7)]    // output larger than the input
    [InlineData(2, 3, 5, 7, 1, 1)]    // global: 35 values, 16-lane reduction plus a tail
    [InlineData(2, 2, 3, 3, 1, 1)]    // global over fewer values than lanes
    [InlineData(1, 1, 11, 5, 1, 5)]
    public void Adaptive_pools_match_nested_loops(int n, int c, int h, int w, int oh, int ow)
    {
        int[] shape = [n, c, h, w];
        OpCheck.Check(t => t[0].AdaptiveMaxPool2d((oh, ow)), x => AdaptiveRef(x[0], n, c, h, w, oh, ow, max: true),
            [Distinct(h * w, n * c * h * w)], [shape], forwardTolerance: 0);
        OpCheck.Check(t => t[0].AdaptiveAvgPool2d((oh, ow)), x => AdaptiveRef(x[0], n, c, h, w, oh, ow, max: false),
            [OpCheck.Random(h + w, n * c * h * w)], [shape]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Global_pools_reduce_each_plane_to_one_value(bool keepDim)
    {
        int n = 3, c = 4, h = 9, w = 7;
        int[] outShape = keepDim ? [n, c, 1, 1] : [n, c];
        OpCheck.Check(t =>
        {
            var y = Tensor.GlobalMaxPool2d(t[0], keepDim);
            Assert.Equal(outShape, y.Shape);
            return y;
        }, x => AdaptiveRef(x[0], n, c, h, w, 1, 1, max: true), [Distinct(9, n * c * h * w)], [[n, c, h, w]], forwardTolerance: 0);
        OpCheck.Check(t =>
        {
            var y = Tensor.GlobalAvgPool2d(t[0], keepDim);
            Assert.Equal(outShape, y.Shape);
            return y;
        }, x => AdaptiveRef(x[0], n, c, h, w, 1, 1, max: false), [OpCheck.Random(9, n * c * h * w)], [[n, c, h, w]]);

        using var unbatched = Tensor.FromArray(OpCheck.Random(2, c * h * w), c, h, w);
        using var g = Tensor.GlobalAvgPool2d(unbatched, keepDim);
        Assert.Equal(keepDim ? [c, 1, 1] : [c], g.Shape);
    }

    [Fact]
    public void Global_max_ties_and_NaN_follow_PyTorch_across_lanes()
    {
        // 40 values: lanes of 16 plus a tail. The maximum 7 appears at 21, 5 and 37: the first, 5, wins.
        var values = new float[40];
        values[21] = 7f; values[5] = 7f; values[37] = 7f;
        using var x = Tensor.FromArray(values, 1, 1, 5, 8);
        x.RequiresGrad = true;
        using var y = Tensor.GlobalMaxPool2d(x);
        using var one = Tensor.Ones(1, 1);
        y.Backward(one);
        float[] grad = x.Grad!.ToArray();
        x.Grad.Dispose();
        Assert.Equal(7f, y.Item());
        Assert.Equal(5, Array.IndexOf(grad, 1f));
        Assert.Equal(1f, grad.Sum());

        values[30] = float.NaN;
        values[12] = float.NaN;
        using var withNan = Tensor.FromArray(values, 1, 1, 5, 8);
        using var m = Tensor.GlobalMaxPool2d(withNan);
        Assert.True(float.IsNaN(m.Item()));
    }

    // ---- FractionalMaxPool2d ----

    [Theory]
    [InlineData(2, 3, 11, 9, 2, 2, 5, 4)]
    [InlineData(1, 2, 10, 13, 3, 2, 4, 7)]
    [InlineData(2, 1, 7, 7, 3, 3, 1, 1)]    // one window: it starts at in - k
    [InlineData(1, 1, 9, 6, 2, 3, 8, 4)]    // output + kernel - 1 = input: windows every 1
    public void FractionalMaxPool2d_with_given_samples_matches_generate_intervals(int n, int c, int h, int w, int kh, int kw, int oh, int ow)
    {
        float[] samples = Reference.RandomFloats(new Random(h * w), n * c * 2, 0f, 0.999f);
        using var s = Tensor.FromArray(samples, n, c, 2);
        OpCheck.Check(t =>
            {
                Tensor here = s.To(t[0].Device);
                try { return t[0].FractionalMaxPool2d((kh, kw), (oh, ow), here); }
                finally { if (!ReferenceEquals(here, s)) here.Dispose(); }
            },
            x => FractionalRef(x[0], n, c, h, w, kh, kw, oh, ow, samples), [Distinct(n + h, n * c * h * w)], [[n, c, h, w]], forwardTolerance: 0);
    }

    [Fact]
    public void FractionalMaxPool2d_is_reproducible_from_a_seed()
    {
        using var x = Tensor.FromArray(Distinct(6, 2 * 3 * 12 * 10), 2, 3, 12, 10);
        using var a = x.FractionalMaxPool2d(2, (7, 6), new Generator(42));
        using var b = x.FractionalMaxPool2d(2, (7, 6), new Generator(42));
        Assert.Equal(a.ToArray(), b.ToArray());

        // The generator's draws, plane by plane (u_w, u_h), are exactly the samples the op uses.
        var gen = new Generator(42);
        float[] samples = Enumerable.Range(0, 2 * 3 * 2).Select(_ => gen.NextFloat()).ToArray();
        using var s = Tensor.FromArray(samples, 2, 3, 2);
        using var c = x.FractionalMaxPool2d(2, (7, 6), s);
        Assert.Equal(a.ToArray(), c.ToArray());

        // Other seeds give other regions (10 seeds cannot all pick the same 6 planes of intervals).
        var others = Enumerable.Range(1, 10).Select(seed =>
        {
            using var y = x.FractionalMaxPool2d(2, (7, 6), new Generator(seed));
            return string.Join(",", y.ToArray());
        }).Distinct().Count();
        Assert.True(others > 1);
    }

    [Fact]
    public void FractionalMaxPool2d_matches_values_from_PyTorch()
    {
        // libtorch 2.10 (TorchSharp 0.107): torch.manual_seed(0); samples = torch.rand(1, 2, 2); torch.manual_seed(0);
        // x = (torch.arange(126.).reshape(1, 2, 7, 9) * 37 % 101) - 50;
        // y, i = fractional_max_pool2d_with_indices(x, (2, 3), output_size=(4, 3)) — it draws the same samples.
        float[] samples = [0.4962566f, 0.7682218f, 0.08847743f, 0.13203049f];
        float[] x = Enumerable.Range(0, 126).Select(v => (float)(v * 37 % 101 - 50)).ToArray();
        float[] expected = [24, 34, 44, 47, 27, 37, 43, 50, 33, 36, 46, 49, 32, 42, 45, 25, 35, 45, 48, 31, 41, 44, 47, 30];
        int[] argmax = [2, 5, 8, 19, 13, 16, 38, 30, 35, 46, 49, 60, 2, 5, 16, 10, 13, 16, 27, 32, 35, 46, 57, 62];

        using var input = Tensor.FromArray(x, 1, 2, 7, 9);
        input.RequiresGrad = true;
        using var s = Tensor.FromArray(samples, 1, 2, 2);
        using var y = input.FractionalMaxPool2d((2, 3), (4, 3), s);
        Assert.Equal(expected, y.ToArray());

        using var ones = Tensor.Ones(1, 2, 4, 3);
        y.Backward(ones);
        var grad = new float[126];
        for (int o = 0; o < argmax.Length; o++) grad[(o / 12) * 63 + argmax[o]] += 1;
        Assert.Equal(grad, input.Grad!.ToArray());
        input.Grad.Dispose();
    }

    // ---- bad input: exact exception type and message ----

    [Fact]
    public void Pools_refuse_input_that_is_not_3_or_4_dimensional_and_show_its_shape()
    {
        using var x = Tensor.Zeros(2, 3);
        using var five = Tensor.Zeros(1, 1, 1, 4, 4);
        Assert.Equal("MaxPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d(2)).Message);
        Assert.Equal("AvgPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [1, 1, 1, 4, 4]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => five.AvgPool2d(2)).Message);
        Assert.Equal("LPPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.LPPool2d(2, 2)).Message);
        Assert.Equal("AdaptiveAvgPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.AdaptiveAvgPool2d(1)).Message);
        Assert.Equal("AdaptiveMaxPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.AdaptiveMaxPool2d(1)).Message);
        Assert.Equal("GlobalAvgPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => Tensor.GlobalAvgPool2d(x)).Message);
        Assert.Equal("GlobalMaxPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [1, 1, 1, 4, 4]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => Tensor.GlobalMaxPool2d(five)).Message);
        Assert.Equal("FractionalMaxPool2d expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape [2, 3]. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.FractionalMaxPool2d(2, 1, new Generator(0))).Message);
    }

    [Fact]
    public void Padding_more_than_half_the_effective_kernel_is_refused()
    {
        using var x = Tensor.Zeros(1, 1, 8, 8);
        Assert.Equal("MaxPool2d: padding must be at most half of the kernel size, but got padding 2 for kernel size 3. (Parameter 'padding')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d(3, padding: 2)).Message);
        Assert.Equal("MaxPool2d: padding must be at most half of the kernel size, but got padding (1, 2) for kernel size (2, 3). (Parameter 'padding')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d((2, 3), padding: (1, 2))).Message);
        Assert.Equal("AvgPool2d: padding must be at most half of the kernel size, but got padding 1 for kernel size 1. (Parameter 'padding')",
            Assert.Throws<ArgumentException>(() => x.AvgPool2d(1, padding: 1)).Message);
        // PyTorch's max_pool2d checks the kernel itself, not its dilated span: dilation does not allow more padding.
        Assert.Equal("MaxPool2d: padding must be at most half of the kernel size, but got padding 2 for kernel size 3. (Parameter 'padding')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d(3, 1, 2, 2)).Message);
        using var y = x.MaxPool2d(3, 1, 1, 3);
        Assert.Equal([1, 1, 4, 4], y.Shape);
    }

    [Fact]
    public void A_kernel_larger_than_the_padded_input_is_refused()
    {
        using var x = Tensor.Zeros(2, 3, 4, 5);
        Assert.Equal("MaxPool2d: the kernel 6x2 is larger than the padded input 4x5 (input 4x5, padding 0x0). (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d((6, 2))).Message);
        Assert.Equal("MaxPool2d: the kernel 3x3 with dilation 2x2 spans 5x5, larger than the padded input 4x5 (input 4x5, padding 0x0). (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.MaxPool2d(3, dilation: 2)).Message);
        Assert.Equal("AvgPool2d: the kernel 7x7 is larger than the padded input 6x7 (input 4x5, padding 1x1). (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.AvgPool2d(7, padding: 1)).Message);
        Assert.Equal("LPPool2d: the kernel 5x5 is larger than the padded input 4x5 (input 4x5, padding 0x0). (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.LPPool2d(2, 5)).Message);
        Assert.Equal("FractionalMaxPool2d: kernel size 3 and output size (2, 4) need an input of at least 4x6 (output + kernel − 1), but the input is 4x5. (Parameter 'input')",
            Assert.Throws<ArgumentException>(() => x.FractionalMaxPool2d(3, (2, 4), new Generator(0))).Message);
    }

    [Fact]
    public void Zero_and_negative_sizes_are_refused_naming_the_argument()
    {
        using var x = Tensor.Zeros(1, 1, 8, 8);
        Assert.Equal("MaxPool2d: kernel size must be at least 1, but got 0. (Parameter 'kernelSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(0)).Message);
        Assert.Equal("MaxPool2d: stride must be at least 1, but got (2, -1). (Parameter 'stride')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(2, (2, -1))).Message);
        Assert.Equal("MaxPool2d: padding must not be negative, but got -1. (Parameter 'padding')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(2, padding: -1)).Message);
        Assert.Equal("MaxPool2d: dilation must be at least 1, but got (1, 0). (Parameter 'dilation')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.MaxPool2d(2, dilation: (1, 0))).Message);
        Assert.Equal("AvgPool2d: kernel size must be at least 1, but got (-2, 2). (Parameter 'kernelSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.AvgPool2d((-2, 2))).Message);
        Assert.Equal("AvgPool2d: divisor override must not be 0. (Parameter 'divisorOverride')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.AvgPool2d(2, divisorOverride: 0)).Message);
        Assert.Equal("LPPool2d: stride must be at least 1, but got 0. (Parameter 'stride')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.LPPool2d(2, 2, 0)).Message);
        Assert.Equal("LPPool2d: norm type must be a positive, finite number, but got 0. (Parameter 'normType')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.LPPool2d(0, 2)).Message);
        Assert.Equal("LPPool2d: norm type must be a positive, finite number, but got NaN. (Parameter 'normType')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.LPPool2d(float.NaN, 2)).Message);
        Assert.Equal("FractionalMaxPool2d: kernel size must be at least 1, but got 0. (Parameter 'kernelSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.FractionalMaxPool2d(0, 2, new Generator(0))).Message);
    }

    [Fact]
    public void Adaptive_output_size_0_is_refused()
    {
        using var x = Tensor.Zeros(1, 1, 8, 8);
        Assert.Equal("AdaptiveAvgPool2d: output size must be at least 1, but got (0, 3). (Parameter 'outputSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.AdaptiveAvgPool2d((0, 3))).Message);
        Assert.Equal("AdaptiveMaxPool2d: output size must be at least 1, but got 0. (Parameter 'outputSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.AdaptiveMaxPool2d(0)).Message);
        Assert.Equal("FractionalMaxPool2d: output size must be at least 1, but got (3, -1). (Parameter 'outputSize')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.FractionalMaxPool2d(2, (3, -1), new Generator(0))).Message);
    }

    [Fact]
    public void Fractional_random_samples_must_have_the_plane_shape_and_lie_in_0_1()
    {
        using var x = Tensor.Zeros(2, 3, 8, 8);
        using var wrongShape = Tensor.Zeros(2, 3);
        using var outOfRange = Tensor.Full([2, 3, 2], 1f);
        Assert.Equal("FractionalMaxPool2d: random samples must have shape [2, 3, 2], but got [2, 3]. (Parameter 'randomSamples')",
            Assert.Throws<ArgumentException>(() => x.FractionalMaxPool2d(2, 4, wrongShape)).Message);
        Assert.Equal("FractionalMaxPool2d: random samples must lie in [0, 1), but sample 0 is 1. (Parameter 'randomSamples')",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.FractionalMaxPool2d(2, 4, outOfRange)).Message);
    }
}
