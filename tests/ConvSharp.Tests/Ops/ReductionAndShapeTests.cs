namespace ConvSharp.Tests.Ops;

[DetectLeaks]
public class ReductionAndShapeTests
{
    private static readonly int[] Shape = [3, 4, 5];

    public static TheoryData<int[], bool, bool> SumCases() => new()
    {
        { [], false, false }, { [0], false, false }, { [1], true, false }, { [-1], false, true },
        { [0, 2], true, true }, { [2, 0], false, false }, { [0, 1, 2], true, true },
    };

    [Theory]
    [MemberData(nameof(SumCases))]
    public void Sum_and_mean_over_dimensions_match_loops(int[] dims, bool keepDim, bool mean)
    {
        bool[] reduced = new bool[3];
        if (dims.Length == 0) reduced = [true, true, true];
        foreach (int d in dims) reduced[(d + 3) % 3] = true;
        int[] outShape = Enumerable.Range(0, 3).Select(d => reduced[d] ? 1 : Shape[d]).ToArray();
        double count = Enumerable.Range(0, 3).Where(d => reduced[d]).Aggregate(1.0, (a, d) => a * Shape[d]);

        OpCheck.Check(t => mean ? t[0].Mean(dims, keepDim) : t[0].Sum(dims, keepDim), x =>
        {
            var result = new double[OpCheck.Count(outShape)];
            for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            for (int k = 0; k < 5; k++)
            {
                int o = OpCheck.Index(outShape, reduced[0] ? 0 : i, reduced[1] ? 0 : j, reduced[2] ? 0 : k);
                result[o] += x[0][OpCheck.Index(Shape, i, j, k)] / (mean ? count : 1);
            }
            return result;
        }, [OpCheck.Random(4, 60)], [Shape]);

        using var probe = Tensor.Ones(Shape);
        using var r = probe.Sum(dims, keepDim);
        int[] expectedShape = keepDim ? outShape : Enumerable.Range(0, 3).Where(d => !reduced[d]).Select(d => Shape[d]).ToArray();
        Assert.Equal(expectedShape, r.Shape);
    }

    [Fact]
    public void Permute_matches_index_remapping()
    {
        int[] order = [2, 0, 1];
        int[] outShape = [5, 3, 4];
        OpCheck.Check(t => t[0].Permute(order), x =>
        {
            var r = new double[60];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++)
                r[OpCheck.Index(outShape, k, i, j)] = x[0][OpCheck.Index(Shape, i, j, k)];
            return r;
        }, [OpCheck.Random(5, 60)], [Shape]);
    }

    [Fact]
    public void Transpose_and_T()
    {
        using var m = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        using var t = m.T;
        Assert.Equal([3, 2], t.Shape);
        Assert.Equal([1f, 4, 2, 5, 3, 6], t.ToArray());
    }

    [Fact]
    public void Narrow_copies_a_window_and_routes_gradients_back_to_it()
    {
        int[] outShape = [3, 2, 5];
        OpCheck.Check(t => t[0].Narrow(1, 1, 2), x =>
        {
            var r = new double[30];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 5; k++)
                r[OpCheck.Index(outShape, i, j, k)] = x[0][OpCheck.Index(Shape, i, j + 1, k)];
            return r;
        }, [OpCheck.Random(6, 60)], [Shape]);
    }

    [Fact]
    public void Cat_and_stack_match_loops()
    {
        int[] sa = [2, 3, 4], sb = [2, 1, 4];
        OpCheck.Check(t => Tensor.Cat([t[0], t[1], t[0]], 1), x =>
        {
            int[] o = [2, 7, 4];
            var r = new double[56];
            for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++)
            {
                for (int j = 0; j < 3; j++) r[OpCheck.Index(o, i, j, k)] = x[0][OpCheck.Index(sa, i, j, k)];
                r[OpCheck.Index(o, i, 3, k)] = x[1][OpCheck.Index(sb, i, 0, k)];
                for (int j = 0; j < 3; j++) r[OpCheck.Index(o, i, 4 + j, k)] = x[0][OpCheck.Index(sa, i, j, k)];
            }
            return r;
        }, [OpCheck.Random(7, 24), OpCheck.Random(8, 8)], [sa, sb]);

        OpCheck.Check(t => Tensor.Stack([t[0], t[1]], 2), x =>
        {
            int[] o = [2, 3, 2, 4];
            var r = new double[48];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            {
                r[OpCheck.Index(o, i, j, 0, k)] = x[0][OpCheck.Index(sa, i, j, k)];
                r[OpCheck.Index(o, i, j, 1, k)] = x[1][OpCheck.Index(sa, i, j, k)];
            }
            return r;
        }, [OpCheck.Random(9, 24), OpCheck.Random(10, 24)], [sa, sa]);
    }

    [Fact]
    public void Views_flatten_unsqueeze_squeeze_reshape_carry_gradients()
    {
        OpCheck.Check(t => t[0].Flatten(1).Unsqueeze(0).Squeeze(0).Reshape(6, 10) * t[0].Reshape(6, 10),
            x => x[0].Select(v => v * v).ToArray(), [OpCheck.Random(11, 60)], [Shape]);
    }

    [Fact]
    public void Bad_dimensions_and_shapes_are_named()
    {
        using var t = Tensor.Ones(3, 4);
        Assert.StartsWith("Sum: dimension 2 is out of range for shape [3, 4].", Assert.Throws<ArgumentOutOfRangeException>(() => t.Sum(2)).Message);
        Assert.StartsWith("Permute: got 3 dimensions [0, 1, 2] for a tensor of shape [3, 4].", Assert.Throws<ArgumentException>(() => t.Permute(0, 1, 2)).Message);
        Assert.StartsWith("Narrow [2, 5) of dimension 1 is outside its size 4 (shape [3, 4]).", Assert.Throws<ArgumentOutOfRangeException>(() => t.Narrow(1, 2, 3)).Message);
        using var u = Tensor.Ones(3, 5);
        Assert.StartsWith("Cat along dimension 1: shapes [3, 4] and [2, 4] differ", Assert.Throws<ArgumentException>(() => Tensor.Cat([t, Tensor.Ones(2, 4)], 1)).Message);
        Assert.StartsWith("Stack needs tensors of one shape, but got [3, 4] and [3, 5].", Assert.Throws<ArgumentException>(() => Tensor.Stack([t, u])).Message);
    }
}
