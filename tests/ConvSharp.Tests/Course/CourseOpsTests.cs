using ConvSharp.NN;
using ConvSharp.Tests.Backends.OpenCL;

namespace ConvSharp.Tests.Course;

/// <summary>The ops of the course issue, each forward against a double-precision loop and backward against central
/// differences of that loop (OpCheck), on the CPU and on OpenCL (PoCL in CI).</summary>
[Collection(OpenCLCollection.Name)]
public class CourseOpsTests
{
    /// <summary>Calls body with every multi-index of shape, in row-major order.</summary>
    internal static void ForEach(int[] shape, Action<int[]> body)
    {
        var idx = new int[shape.Length];
        long count = shape.Aggregate(1L, (a, b) => a * b);
        for (long n = 0; n < count; n++)
        {
            body(idx);
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    private static int At(int[] shape, int[] idx) => OpCheck.Index(shape, idx);

    /// <summary>PyTorch's unfold as pseudo-code: column (c, i, j) of block (oh, ow) is the padded input at
    /// (oh·s − p + i·d, ow·s − p + j·d).</summary>
    internal static double[] UnfoldReference(double[] x, int n, int c, int h, int w, int kh, int kw, int s, int p, int d)
    {
        int oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1, ow = (w + 2 * p - d * (kw - 1) - 1) / s + 1;
        int rows = c * kh * kw, l = oh * ow;
        var y = new double[n * rows * l];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        for (int r = 0; r < oh; r++)
                            for (int q = 0; q < ow; q++)
                            {
                                int yy = r * s - p + i * d, xx = q * s - p + j * d;
                                double v = yy >= 0 && yy < h && xx >= 0 && xx < w ? x[((b * c + ch) * h + yy) * w + xx] : 0;
                                y[(b * rows + (ch * kh + i) * kw + j) * l + r * ow + q] = v;
                            }
        return y;
    }

    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries => new()
    {
        // n, c, h, w, kh, kw, stride, padding, dilation
        { 1, 1, 5, 5, 3, 3, 1, 0, 1 },
        { 2, 3, 7, 6, 3, 2, 2, 1, 1 },
        { 2, 2, 9, 8, 3, 3, 1, 2, 2 },
        { 1, 3, 6, 7, 2, 3, 3, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unfold_matches_the_loop_and_its_gradient_is_fold(int n, int c, int h, int w, int kh, int kw, int s, int p, int d)
    {
        int[] shape = [n, c, h, w];
        OpCheck.CheckOnEveryBackend(t => Tensor.Unfold(t[0], (kh, kw), dilation: d, padding: p, stride: s),
            x => UnfoldReference(x[0], n, c, h, w, kh, kw, s, p, d),
            [OpCheck.Random(n * 7 + h, OpCheck.Count(shape))], [shape]);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Fold_is_the_adjoint_of_unfold_and_differentiable(int n, int c, int h, int w, int kh, int kw, int s, int p, int d)
    {
        int oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1, ow = (w + 2 * p - d * (kw - 1) - 1) / s + 1;
        int[] colShape = [n, c * kh * kw, oh * ow];
        // Fold's reference: the transpose of the unfold matrix applied to the columns.
        // Fold's reference: every column entry added into the padded-image position it came from.
        OpCheck.Reference fold = cols =>
        {
            var y = new double[n * c * h * w];
            int rows = c * kh * kw, l = oh * ow;
            for (int b = 0; b < n; b++)
                for (int ch = 0; ch < c; ch++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            for (int r = 0; r < oh; r++)
                                for (int q = 0; q < ow; q++)
                                {
                                    int yy = r * s - p + i * d, xx = q * s - p + j * d;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                                        y[((b * c + ch) * h + yy) * w + xx] += cols[0][(b * rows + (ch * kh + i) * kw + j) * l + r * ow + q];
                                }
            return y;
        };
        OpCheck.CheckOnEveryBackend(t => Tensor.Fold(t[0], (h, w), (kh, kw), dilation: d, padding: p, stride: s), fold,
            [OpCheck.Random(n * 11 + w, OpCheck.Count(colShape))], [colShape]);

        // ⟨Unfold(x), y⟩ = ⟨x, Fold(y)⟩, in double, on every backend.
        foreach (Device device in OpCheck.Backends())
        {
            using var scope = Tensor.Scope();
            float[] xv = OpCheck.Random(3, n * c * h * w), yv = OpCheck.Random(4, OpCheck.Count(colShape));
            var x = Tensor.FromArray(xv, n, c, h, w).To(device);
            var y = Tensor.FromArray(yv, colShape).To(device);
            float[] ux = Tensor.Unfold(x, (kh, kw), d, p, s).ToArray(), fy = Tensor.Fold(y, (h, w), (kh, kw), d, p, s).ToArray();
            double left = 0, right = 0;
            for (int i = 0; i < ux.Length; i++) left += (double)ux[i] * yv[i];
            for (int i = 0; i < fy.Length; i++) right += (double)xv[i] * fy[i];
            Assert.True(Math.Abs(left - right) <= 1e-5 * (Math.Abs(left) + 1), $"{device}: <Unfold(x), y> = {left}, <x, Fold(y)> = {right}");
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Convolution_as_unfold_matmul_reshape_equals_conv2d(int n, int c, int h, int w, int kh, int kw, int s, int p, int d)
    {
        const int k = 4;
        foreach (Device device in OpCheck.Backends())
        {
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray(OpCheck.Random(1, n * c * h * w), n, c, h, w).To(device);
            var weight = Tensor.FromArray(OpCheck.Random(2, k * c * kh * kw), k, c, kh, kw).To(device);
            Tensor expected = Tensor.Conv2d(x, weight, null, stride: s, padding: p, dilation: d);
            int oh = expected.Size(2), ow = expected.Size(3);
            Tensor columns = Tensor.Unfold(x, (kh, kw), dilation: d, padding: p, stride: s);   // [N, C·KH·KW, L]
            Tensor viaUnfold = weight.View(k, -1).MatMul(columns).View(n, k, oh, ow);            // [K, CKK] @ [N, CKK, L]
            OpCheck.AssertClose(expected.ToArray().Select(v => (double)v).ToArray(), viaUnfold.ToArray(), 1e-4, $"{device} conv by unfold");
        }
    }

    [Fact]
    public void Unfold_and_fold_modules_call_the_functions()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(OpCheck.Random(5, 2 * 3 * 6 * 6), 2, 3, 6, 6);
        var unfold = new Unfold(kernelSize: 3, padding: 1, stride: 2);
        var fold = new Fold(outputSize: 6, kernelSize: 3, padding: 1, stride: 2);
        Tensor cols = unfold.Forward(x);
        Assert.Equal([2, 27, 9], cols.Shape);
        Assert.Equal(Tensor.Unfold(x, 3, padding: 1, stride: 2).ToArray(), cols.ToArray());
        Assert.Equal(Tensor.Fold(cols, 6, 3, padding: 1, stride: 2).ToArray(), fold.Forward(cols).ToArray());
        Assert.Equal("Unfold(kernel_size=(3, 3), dilation=(1, 1), padding=(1, 1), stride=(2, 2))", unfold.ToString());
        Assert.Equal("Fold(output_size=(6, 6), kernel_size=(3, 3), dilation=(1, 1), padding=(1, 1), stride=(2, 2))", fold.ToString());
    }

    private static readonly int[] Shape3 = [3, 4, 5];

    [Fact]
    public void Slice_with_step_narrow_and_roll_are_strided_copies()
    {
        float[] x = OpCheck.Random(21, 60);
        OpCheck.CheckOnEveryBackend(t => t[0].Slice(2, 1, 5, 2), v =>
        {
            int[] o = [3, 4, 2];
            var r = new double[24];
            ForEach(o, i => r[At(o, i)] = v[0][At(Shape3, [i[0], i[1], 1 + 2 * i[2]])]);
            return r;
        }, [x], [Shape3]);
        OpCheck.CheckOnEveryBackend(t => t[0].Slice(1, -3, 100, 3), v =>  // rows 1 and 4? size 4: -3 → 1, then 4 is past the end
        {
            int[] o = [3, 1, 5];
            var r = new double[15];
            ForEach(o, i => r[At(o, i)] = v[0][At(Shape3, [i[0], 1, i[2]])]);
            return r;
        }, [x], [Shape3]);
        OpCheck.CheckOnEveryBackend(t => t[0].Narrow(0, 1, 2), v =>
        {
            int[] o = [2, 4, 5];
            var r = new double[40];
            ForEach(o, i => r[At(o, i)] = v[0][At(Shape3, [i[0] + 1, i[1], i[2]])]);
            return r;
        }, [x], [Shape3]);
        OpCheck.CheckOnEveryBackend(t => t[0].Roll([2, -1], [2, 0]), v =>
        {
            var r = new double[60];
            ForEach(Shape3, i => r[At(Shape3, [(i[0] - 1 + 3) % 3, i[1], (i[2] + 2) % 5])] = v[0][At(Shape3, i)]);
            return r;
        }, [x], [Shape3]);
        OpCheck.CheckOnEveryBackend(t => t[0].Roll(7), v =>
        {
            var r = new double[60];
            for (int i = 0; i < 60; i++) r[(i + 7) % 60] = v[0][i];
            return r;
        }, [x], [Shape3]);
    }

    [Fact]
    public void Flip_expand_and_repeat_match_their_loops()
    {
        float[] x = OpCheck.Random(22, 60);
        OpCheck.CheckOnEveryBackend(t => t[0].Flip(0, 2), v =>
        {
            var r = new double[60];
            ForEach(Shape3, i => r[At(Shape3, i)] = v[0][At(Shape3, [2 - i[0], i[1], 4 - i[2]])]);
            return r;
        }, [x], [Shape3]);
        int[] small = [3, 1, 5];
        OpCheck.CheckOnEveryBackend(t => t[0].Expand(2, 3, 4, -1), v =>
        {
            int[] o = [2, 3, 4, 5];
            var r = new double[120];
            ForEach(o, i => r[At(o, i)] = v[0][At(small, [i[1], 0, i[3]])]);
            return r;
        }, [OpCheck.Random(23, 15)], [small]);
        int[] m = [2, 3];
        OpCheck.CheckOnEveryBackend(t => t[0].Repeat(2, 1, 3), v =>
        {
            int[] o = [2, 2, 9];
            var r = new double[36];
            ForEach(o, i => r[At(o, i)] = v[0][At(m, [i[1], i[2] % 3])]);
            return r;
        }, [OpCheck.Random(24, 6)], [m]);
    }

    [Fact]
    public void Gather_and_index_select_pick_along_a_dimension_and_scatter_gradients_back()
    {
        float[] x = OpCheck.Random(25, 60);
        int[] indexShape = [2, 4, 3];  // smaller than the input outside dim 2 is allowed
        var rng = new Random(3);
        float[] index = Enumerable.Range(0, 24).Select(_ => (float)rng.Next(5)).ToArray();
        OpCheck.CheckOnEveryBackend(t =>
        {
            using var idx = Tensor.FromArray(index, indexShape).To(t[0].Device);
            return t[0].Gather(2, idx);
        }, v =>
        {
            var r = new double[24];
            ForEach(indexShape, i => r[At(indexShape, i)] = v[0][At(Shape3, [i[0], i[1], (int)index[At(indexShape, i)]])]);
            return r;
        }, [x], [Shape3]);
        float[] rows = [3, 0, 3, 1, 3];  // repeated indices add their gradients
        OpCheck.CheckOnEveryBackend(t =>
        {
            using var idx = Tensor.FromArray(rows, 5).To(t[0].Device);
            return t[0].IndexSelect(1, idx);
        }, v =>
        {
            int[] o = [3, 5, 5];
            var r = new double[75];
            ForEach(o, i => r[At(o, i)] = v[0][At(Shape3, [i[0], (int)rows[i[1]], i[2]])]);
            return r;
        }, [x], [Shape3]);
    }

    [Fact]
    public void Comparisons_give_zero_one_tensors_and_nan_compares_false()
    {
        float[] a = [1f, 2f, float.NaN, -1f, 3f, 0f], b = [1f, 3f, 1f, float.NaN, 2f, -0f];
        var ops = new (string Name, Func<Tensor, Tensor, Tensor> Op, Func<float, float, bool> Ref)[]
        {
            ("Eq", Tensor.Eq, (p, q) => p == q), ("Ne", Tensor.Ne, (p, q) => p != q),
            ("Lt", Tensor.Lt, (p, q) => p < q), ("Le", Tensor.Le, (p, q) => p <= q),
            ("Gt", Tensor.Gt, (p, q) => p > q), ("Ge", Tensor.Ge, (p, q) => p >= q),
            ("<", (p, q) => p < q, (p, q) => p < q), (">=", (p, q) => p >= q, (p, q) => p >= q),
        };
        foreach (Device device in OpCheck.Backends())
        {
            using var scope = Tensor.Scope();
            var ta = Tensor.FromArray(a, 2, 3).To(device);
            var tb = Tensor.FromArray(b, 2, 3).To(device);
            foreach (var (name, op, reference) in ops)
                Assert.True(a.Zip(b, (p, q) => reference(p, q) ? 1f : 0f).SequenceEqual(op(ta, tb).ToArray()), $"{name} on {device}");
            Assert.Equal([0f, 1f, 0f, 0f, 1f, 0f], ta.Gt(1.5f).ToArray());
            Assert.Equal([1f, 0f, 0f, 1f, 0f, 1f], ta.Le(1f).ToArray());
            Assert.Equal([0f, 0f, 1f, 0f, 0f, 0f], ta.IsNan().ToArray());
            var inf = Tensor.FromArray([1f, float.PositiveInfinity, float.NaN, float.NegativeInfinity], 4).To(device);
            Assert.Equal([1f, 0f, 0f, 0f], inf.IsFinite().ToArray());
            Assert.Equal(0f, ta.All().Item());   // one zero
            Assert.Equal(1f, ta.Any().Item());
            Assert.Equal(1f, inf.All().Item());  // NaN counts as true, like PyTorch
            // The course's accuracy: (logits.ArgMax(1).Eq(labels)).Mean().Item().
            var logits = Tensor.FromArray([0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f, 0.6f, 0.4f], 4, 2).To(device);
            var labels = Tensor.FromArray([1f, 0f, 0f, 0f], 4).To(device);
            Assert.Equal(0.75f, logits.ArgMax(1).Eq(labels).Mean().Item());
        }
    }

    [Fact]
    public void Where_selects_by_condition_and_routes_gradients_to_the_branch_taken()
    {
        float[] cond = [1, 0, 0, 1, 1, 0];
        OpCheck.CheckOnEveryBackend(t => Tensor.Where(t[0], t[1], t[2]), v =>
        {
            var r = new double[12];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 6; j++) r[i * 6 + j] = v[0][j] != 0 ? v[1][i * 6 + j] : v[2][j];
            return r;
        }, [cond, OpCheck.Random(26, 12), OpCheck.Random(27, 6)], [[6], [2, 6], [6]], gradInputs: [false, true, true]);
        foreach (Device device in OpCheck.Backends())
        {
            using var scope = Tensor.Scope();
            var x = Tensor.FromArray([-1f, 0.5f, 4f], 3).To(device);
            x.RequiresGrad = true;
            // The classic trap: log of a negative number in the branch not taken must not turn the result or gradient into NaN.
            Tensor safe = Tensor.Where(x.Gt(0f), x.Log(), 0f);
            safe.Sum().Backward();
            Assert.Equal([0f, MathF.Log(0.5f), MathF.Log(4f)], safe.ToArray());
            Assert.Equal([0f, 2f, 0.25f], x.Grad!.ToArray());
            x.Grad.Dispose();
        }
    }

    [Fact]
    public void Amax_over_several_dimensions_shares_the_gradient_among_ties()
    {
        int[] shape = [2, 3, 2, 2];
        float[] x = OpCheck.Random(28, 24);
        OpCheck.CheckOnEveryBackend(t => t[0].Amax(2, 3), v =>
        {
            var r = new double[6];
            Array.Fill(r, double.NegativeInfinity);
            ForEach(shape, i => r[i[0] * 3 + i[1]] = Math.Max(r[i[0] * 3 + i[1]], v[0][At(shape, i)]));
            return r;
        }, [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Amin([0, 2], keepDim: true), v =>
        {
            int[] o = [1, 3, 1, 2];
            var r = new double[6];
            Array.Fill(r, double.PositiveInfinity);
            ForEach(shape, i => r[At(o, [0, i[1], 0, i[3]])] = Math.Min(r[At(o, [0, i[1], 0, i[3]])], v[0][At(shape, i)]));
            return r;
        }, [x], [shape]);
        foreach (Device device in OpCheck.Backends())
        {
            using var scope = Tensor.Scope();
            var tied = Tensor.FromArray([1f, 3f, 3f, 2f], 1, 4).To(device);
            tied.RequiresGrad = true;
            tied.Amax(1).Sum().Backward();
            Assert.Equal([0f, 0.5f, 0.5f, 0f], tied.Grad!.ToArray());  // PyTorch's amax splits evenly
            tied.Grad.Dispose();
        }
    }

    [Fact]
    public void Min_argmin_var_std_prod_logsumexp_and_norm_match_double_loops()
    {
        int[] shape = [3, 4];
        float[] x = OpCheck.Random(29, 12, 0.5f, 2f);
        x[5] = -x[5];
        double[] Rows(double[] v, Func<double[], double> f) =>
            Enumerable.Range(0, 3).Select(i => f(v.Skip(4 * i).Take(4).ToArray())).ToArray();
        OpCheck.CheckOnEveryBackend(t => t[0].Min(1).Values, v => Rows(v[0], r => r.Min()), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Var(1), v => Rows(v[0], r => r.Select(e => (e - r.Average()) * (e - r.Average())).Sum() / 3), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Var(1, unbiased: false), v => Rows(v[0], r => r.Select(e => (e - r.Average()) * (e - r.Average())).Sum() / 4), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Std(), v =>
        {
            double mean = v[0].Average();
            return [Math.Sqrt(v[0].Select(e => (e - mean) * (e - mean)).Sum() / 11)];
        }, [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Prod(1), v => Rows(v[0], r => r.Aggregate(1.0, (a, b) => a * b)), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Prod(), v => [v[0].Aggregate(1.0, (a, b) => a * b)], [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].LogSumExp(1), v => Rows(v[0], r => Math.Log(r.Sum(Math.Exp))), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Norm(), v => [Math.Sqrt(v[0].Sum(e => e * e))], [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Norm(1f, [1]), v => Rows(v[0], r => r.Sum(Math.Abs)), [x], [shape]);
        OpCheck.CheckOnEveryBackend(t => t[0].Norm(3f, [0]), v =>
            Enumerable.Range(0, 4).Select(j => Math.Pow(Enumerable.Range(0, 3).Sum(i => Math.Pow(Math.Abs(v[0][i * 4 + j]), 3)), 1 / 3.0)).ToArray(), [x], [shape]);

        using var scope = Tensor.Scope();
        var t = Tensor.FromArray(x, 3, 4);
        var (values, indices) = t.Min(1);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (float)Array.IndexOf(x, x.Skip(4 * i).Take(4).Min(), 4 * i) - 4 * i).ToArray(), indices.ToArray());
        Assert.Equal(indices.ToArray(), t.ArgMin(1).ToArray());
        Assert.Equal(x.Min(), t.Min().Item());
        // A zero factor: the gradient of the product is still exact (the product of the others), not 0/0.
        var z = Tensor.FromArray([2f, 0f, 3f], 3);
        z.RequiresGrad = true;
        z.Prod().Backward();
        Assert.Equal([0f, 6f, 0f], z.Grad!.ToArray());
        z.Grad.Dispose();
        // LogSumExp of large values does not overflow.
        Assert.Equal(1000f + MathF.Log(2f), Tensor.FromArray([1000f, 1000f], 2).LogSumExp(0).Item(), 3);
    }

    [Fact]
    public void Creation_functions_follow_pytorch()
    {
        using var scope = Tensor.Scope();
        Assert.Equal([0f, 1f, 2f, 3f], Tensor.Arange(4).ToArray());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Tensor.Arange(1f, 3f, 0.5f).ToArray());
        Assert.Equal([5f, 3f, 1f], Tensor.Arange(5f, 0f, -2f).ToArray());
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0f, 1f, 5).ToArray());
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], Tensor.Eye(2, 3).ToArray());
        Assert.Equal([3, 3], Tensor.Eye(3).Shape);
        foreach (Device device in OpCheck.Backends())
        {
            var x = Tensor.FromArray(OpCheck.Random(30, 6), 2, 3).To(device);
            Tensor z = Tensor.ZerosLike(x), o = Tensor.OnesLike(x), r = Tensor.RandLike(x, seed: 4);
            Assert.All([z, o, r], t => { Assert.Equal([2, 3], t.Shape); Assert.Same(device, t.Device); });
            Assert.All(z.ToArray(), v => Assert.Equal(0f, v));
            Assert.All(o.ToArray(), v => Assert.Equal(1f, v));
            Assert.All(r.ToArray(), v => Assert.InRange(v, 0f, 1f));
            Assert.Equal(Tensor.Rand([2, 3], seed: 4).ToArray(), r.ToArray());
        }
        Assert.Equal("Arange(0, 0, 1) is empty; ConvSharp tensors have no empty dimensions. (Parameter 'end')",
            Assert.Throws<ArgumentException>(() => Tensor.Arange(0f, 0f)).Message);
    }

    [Fact]
    public void Bad_input_names_the_offending_values()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Zeros(1, 1, 5, 5);
        Assert.StartsWith("Unfold: the kernel 6x6 with dilation 1x1 spans 6x6, larger than the padded input 5x5 (input 5x5, padding 0x0).",
            Assert.Throws<ArgumentException>(() => Tensor.Unfold(x, 6)).Message);
        Assert.StartsWith("Unfold: the kernel 4x3 with dilation 2x2 spans 7x5, larger than the padded input 5x5",
            Assert.Throws<ArgumentException>(() => Tensor.Unfold(x, (4, 3), dilation: 2)).Message);
        var cols = Tensor.Zeros(1, 9, 10);
        Assert.StartsWith("Fold: the input has 10 blocks (shape [1, 9, 10]), but an output of 5x5 with kernel 3x3",
            Assert.Throws<ArgumentException>(() => Tensor.Fold(cols, 5, 3)).Message);
        var m = Tensor.Zeros(2, 4);
        var index = Tensor.FromArray([0f, 1f, 4f, 2f], 2, 2);
        Assert.StartsWith("Gather: index 4 at position [1, 0] is out of range for dimension 1 of size 4 (input shape [2, 4])",
            Assert.Throws<ArgumentException>(() => m.Gather(1, index)).Message);
        Assert.StartsWith("IndexSelect: index -1 at position [1] is out of range for dimension 0 of size 2",
            Assert.Throws<ArgumentException>(() => m.IndexSelect(0, Tensor.FromArray([0f, -1f], 2))).Message);
        Assert.StartsWith("Expand: shape [2, 4] cannot be expanded to [2, 3]: dimension 1 has size 4, which is neither 1 nor 3.",
            Assert.Throws<ArgumentException>(() => m.Expand(2, 3)).Message);
        Assert.StartsWith("Slice: step must be at least 1, but is 0.", Assert.Throws<ArgumentOutOfRangeException>(() => m.Slice(1, 0, 4, 0)).Message);
        Assert.StartsWith("Where: shapes [2, 4] and [3] cannot be broadcast together",
            Assert.Throws<ArgumentException>(() => Tensor.Where(m, m, Tensor.Zeros(3))).Message);
    }
}
