namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class MatMulTests
{
    private static double[] Product(double[] a, double[] b, int batchA, int batchB, int m, int k, int n, bool transposeB = false)
    {
        int batch = Math.Max(batchA, batchB);
        var r = new double[batch * m * n];
        for (int q = 0; q < batch; q++)
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int p = 0; p < k; p++)
            {
                double av = a[(batchA == 1 ? 0 : q) * m * k + i * k + p];
                double bv = transposeB ? b[(batchB == 1 ? 0 : q) * n * k + j * k + p] : b[(batchB == 1 ? 0 : q) * k * n + p * n + j];
                s += av * bv;
            }
            r[(q * m + i) * n + j] = s;
        }
        return r;
    }

    [Theory]
    [InlineData(1, 1, 5, 7, 3)]     // 2-D
    [InlineData(4, 4, 3, 6, 5)]     // batched
    [InlineData(4, 1, 3, 6, 5)]     // B shared across the batch (gradient sums over it)
    [InlineData(1, 3, 2, 4, 6)]     // A shared
    public void MatMul_forward_and_gradients_match_loops(int batchA, int batchB, int m, int k, int n)
    {
        int[] sa = batchA == 1 && batchB == 1 ? [m, k] : [batchA, m, k];
        int[] sb = batchB == 1 && batchA == 1 ? [k, n] : batchB == 1 ? [k, n] : [batchB, k, n];
        if (batchA == 1 && batchB > 1) sa = [1, m, k];
        OpCheck.Check(t => t[0].MatMul(t[1]), x => Product(x[0], x[1], batchA, batchB, m, k, n),
            [OpCheck.Random(1, batchA * m * k), OpCheck.Random(2, batchB * k * n)], [sa, sb]);
    }

    [Fact]
    public void Linear_is_x_times_w_transposed_plus_b()
    {
        int n = 6, inF = 5, outF = 4;
        OpCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]), x =>
        {
            double[] y = Product(x[0], x[1], 1, 1, n, inF, outF, transposeB: true);
            for (int i = 0; i < n; i++) for (int j = 0; j < outF; j++) y[i * outF + j] += x[2][j];
            return y;
        }, [OpCheck.Random(3, n * inF), OpCheck.Random(4, outF * inF), OpCheck.Random(5, outF)], [[n, inF], [outF, inF], [outF]]);
    }

    [Fact]
    public void Linear_with_the_wrong_feature_count_names_both()
    {
        using var x = Tensor.Ones(2, 7);
        using var w = Tensor.Ones(3, 5);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Linear(x, w));
        Assert.StartsWith("Linear: the input has 7 features (shape [2, 7]), but the weight [3, 5] expects 5.", e.Message);
    }
}
