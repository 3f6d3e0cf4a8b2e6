using ConvSharp.NN;

namespace ConvSharp.Tests.Backends;

/// <summary>Passes over at least 2^18 floats are split across the CPU workers (element-wise maps in chunks,
/// pooling by planes, zero-fills of large gradients); these compare such tensors with plain loops, including
/// the last, shorter chunk (lengths that are not a multiple of the split).</summary>
public class LargePassTests
{
    [Fact]
    public void Relu_and_tanh_over_a_large_tensor_match_loops_forward_and_backward()
    {
        const int n = (1 << 18) + 37;
        float[] x = OpCheck.Random(5, n, -3f, 3f), g = OpCheck.Random(6, n);
        using var scope = Tensor.Scope();
        var xt = Tensor.FromArray(x, n);
        xt.RequiresGrad = true;
        var relu = xt.Relu();
        relu.Backward(Tensor.FromArray(g, n));
        float[] y = relu.ToArray(), dx = xt.Grad!.ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Max(x[i], 0f), y[i]);
            Assert.Equal(x[i] > 0 ? g[i] : 0f, dx[i]);
        }
        xt.Grad!.Dispose();
        float[] t = xt.Tanh().ToArray();
        for (int i = 0; i < n; i += 97) Assert.True(Math.Abs(t[i] - Math.Tanh(x[i])) <= 1e-6, $"tanh at {i}");
    }

    [Fact]
    public void Max_pooling_a_large_batch_matches_loops_forward_and_backward()
    {
        const int b = 3, c = 29, h = 64, w = 66;  // 367,488 floats: two workers, an odd number of planes
        float[] x = OpCheck.Random(7, b * c * h * w);
        using var scope = Tensor.Scope();
        var xt = Tensor.FromArray(x, b, c, h, w);
        xt.RequiresGrad = true;
        var pool = new MaxPool2d(2);
        var y = pool.Forward(xt);
        int oh = h / 2, ow = w / 2;
        float[] g = OpCheck.Random(8, b * c * oh * ow);
        y.Backward(Tensor.FromArray(g, b, c, oh, ow));
        float[] yv = y.ToArray(), dx = xt.Grad!.ToArray();
        var expectedDx = new float[x.Length];
        for (int p = 0; p < b * c; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int best = -1;
            for (int r = 0; r < 2; r++)
            for (int s = 0; s < 2; s++)
            {
                int at = (p * h + 2 * i + r) * w + 2 * j + s;
                if (best < 0 || x[at] > x[best]) best = at;
            }
            int o = (p * oh + i) * ow + j;
            Assert.Equal(x[best], yv[o]);
            expectedDx[best] += g[o];
        }
        Assert.Equal(expectedDx, dx);
        xt.Grad!.Dispose();
    }

    [Fact]
    public void A_large_zeroed_tensor_is_all_zeros_even_from_a_dirty_pool()
    {
        const int n = (1 << 19) + 5;
        using (var dirty = Tensor.Full([n], 7f)) { }  // returns a non-zero array to the pool
        using var zeros = Tensor.Zeros(n);
        Assert.All(zeros.ToArray(), v => Assert.Equal(0f, v));
        using var full = Tensor.Full([n], -2.5f);
        Assert.All(full.ToArray(), v => Assert.Equal(-2.5f, v));
    }
}
