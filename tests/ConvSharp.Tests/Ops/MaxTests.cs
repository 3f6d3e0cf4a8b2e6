namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class MaxTests
{
    private static float[] Distinct(int seed, int count)
    {
        // A shuffled set of distinct values: no ties, so the argmax (and the gradient) is unambiguous.
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (i - count / 2) * 0.37f).OrderBy(_ => rng.Next()).ToArray();
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void Max_along_a_dimension_returns_values_and_indices_and_routes_the_gradient(int dim, bool keepDim)
    {
        int[] shape = [3, 4, 5];
        int d = (dim + 3) % 3;
        float[] x = Distinct(1, 60);
        int[] outShape = shape.Select((s, i) => i == d ? 1 : s).ToArray();
        double[] Reference(double[][] v)
        {
            var best = Enumerable.Repeat(double.NegativeInfinity, OpCheck.Count(outShape)).ToArray();
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++)
            {
                int[] idx = [i, j, k];
                idx[d] = 0;
                int o = OpCheck.Index(outShape, idx);
                best[o] = Math.Max(best[o], v[0][OpCheck.Index(shape, i, j, k)]);
            }
            return best;
        }
        OpCheck.Check(t => t[0].Max(dim, keepDim).Values, Reference, [x], [shape]);

        using var tx = Tensor.FromArray(x, shape);
        var (values, indices) = tx.Max(dim, keepDim);
        using (values)
        using (indices)
        {
            Assert.Equal(keepDim ? outShape : shape.Where((_, i) => i != d).ToArray(), indices.Shape);
            float[] vals = values.ToArray(), idx = indices.ToArray();
            for (int o = 0; o < vals.Length; o++)
            {
                int[] pos = new int[3];
                int rem = o;
                for (int q = 2; q >= 0; q--) { pos[q] = rem % outShape[q]; rem /= outShape[q]; }
                pos[d] = (int)idx[o];
                Assert.Equal(vals[o], x[OpCheck.Index(shape, pos)]);
            }
        }
    }

    [Fact]
    public void Max_of_all_elements_and_its_gradient()
    {
        float[] x = Distinct(2, 24);
        OpCheck.Check(t => t[0].Max(), v => [v[0].Max()], [x], [[2, 3, 4]]);
    }

    [Fact]
    public void Ties_go_to_the_first_index_and_NaN_wins()
    {
        using var t = Tensor.FromArray([1, 5, 5, 2, float.NaN, 3], 2, 3);
        Assert.Equal([1f, 1f], t.ArgMax(1).ToArray());
        var (v, _) = t.Max(1);
        Assert.Equal(5f, v.ToArray()[0]);
        Assert.True(float.IsNaN(v.ToArray()[1]));
    }

    [Fact]
    public void The_caller_may_dispose_the_indices_before_backward()
    {
        using var x = Tensor.FromArray([1, 3, 2], 3);
        x.RequiresGrad = true;
        var (values, indices) = x.Max(0);
        indices.Dispose();
        values.Backward();
        Assert.Equal([0f, 1f, 0f], x.Grad!.ToArray());
    }
}
