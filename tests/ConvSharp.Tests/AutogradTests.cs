namespace ConvSharp.Tests;

public class AutogradTests
{
    [Fact]
    public void A_tensor_used_twice_accumulates_both_contributions()
    {
        // y = x·x + x  →  dy/dx = 2x + 1
        using var x = Tensor.FromArray([1.5f, -2f, 0.25f], 3);
        x.RequiresGrad = true;
        using var y = (x * x + x).Sum();
        y.Backward();
        Assert.Equal([4f, -3f, 1.5f], x.Grad!.ToArray());
    }

    [Fact]
    public void A_residual_graph_gets_the_gradient_of_both_paths()
    {
        // z = relu(w·x) + x, loss = Σ z·c
        float[] wv = OpCheck.Random(1, 9), xv = OpCheck.Random(2, 6), c = OpCheck.Random(3, 6);
        OpCheck.Check(t => (t[0].MatMul(t[1]).Relu() + t[1]) * t[2], v =>
        {
            var r = new double[6];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++)
            {
                double s = 0;
                for (int p = 0; p < 3; p++) s += v[0][i * 3 + p] * v[1][p * 2 + j];
                r[i * 2 + j] = (Math.Max(s, 0) + v[1][i * 2 + j]) * v[2][i * 2 + j];
            }
            return r;
        }, [wv, xv, c], [[3, 3], [3, 2], [3, 2]]);
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_cleared()
    {
        using var x = Tensor.FromArray([2f], 1);
        x.RequiresGrad = true;
        using (var y = (x * 3f).Sum()) y.Backward();
        using (var y = (x * 3f).Sum()) y.Backward();
        Assert.Equal([6f], x.Grad!.ToArray());
    }

    [Fact]
    public void Backward_on_a_non_scalar_without_a_gradient_is_refused()
    {
        using var x = Tensor.Ones(2, 2);
        x.RequiresGrad = true;
        using var y = x * 2f;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Equal("Backward() without a gradient needs a scalar, but this tensor has shape [2, 2]; pass a gradient of that shape, or reduce it first (e.g. Sum() or Mean()).", e.Message);
    }

    [Fact]
    public void A_second_backward_through_a_freed_graph_is_refused_unless_retained()
    {
        using var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        using var y = x.Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(2 * Math.E, x.Grad!.ToArray()[0], 5);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.StartsWith("Backward ran into the freed graph of Sum", e.Message);
        Assert.Contains("retainGraph: true", e.Message);
    }

    [Fact]
    public void Backward_on_a_tensor_without_grad_is_refused()
    {
        using var x = Tensor.Ones(3);
        using var y = x.Sum();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.StartsWith("Backward() was called on a tensor of shape [] that does not require grad", e.Message);
    }

    [Fact]
    public void NoGrad_records_nothing_and_Detach_cuts_history()
    {
        using var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        using (Autograd.NoGrad())
        {
            using var y = x * 2f;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
        }
        using var z = x * 2f;
        Assert.True(z.RequiresGrad);
        using var d = z.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.Equal([2f, 2, 2], d.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => z.RequiresGrad = false);
        Assert.StartsWith("RequiresGrad can only be cleared on a leaf tensor; this one was made by MulScalar.", e.Message);
    }

    [Fact]
    public void Backward_with_an_explicit_gradient_of_the_wrong_shape_is_refused()
    {
        using var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        using var y = x * 2f;
        using var g = Tensor.Ones(4);
        var e = Assert.Throws<ArgumentException>(() => y.Backward(g));
        Assert.StartsWith("The gradient has shape [4], but the tensor has shape [3].", e.Message);
    }
}

public class ScalarTensorTests
{
    [Fact]
    public void Zero_dimensional_tensors_combine_and_differentiate()
    {
        using var a = Tensor.FromArray([2f, 3f], 2);
        a.RequiresGrad = true;
        using var s = a.Sum();        // shape []
        using var t = s * s + s;      // binary op on two scalars
        Assert.Empty(t.Shape);
        Assert.Equal(30f, t.Item());
        t.Backward();
        Assert.Equal([11f, 11f], a.Grad!.ToArray());  // d(s² + s)/da = 2s + 1
    }
}

public class DisposedIntermediateTests
{
    [Fact]
    public void Backward_through_a_disposed_intermediate_says_so()
    {
        using var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        var middle = x.Exp();
        using var y = (middle * 2f).Sum();
        middle.Dispose();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.StartsWith("Backward ran into the freed graph of Exp: an earlier Backward() freed it, or the tensor Exp made was disposed.", e.Message);
    }
}

public class AnomalyDetectionTests
{
    [Fact]
    public void The_first_op_producing_nan_in_forward_is_named()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([1f, -1f, 2f], 3);
        x.RequiresGrad = true;
        using (Autograd.DetectAnomaly())
        {
            var e = Assert.Throws<ArithmeticException>(() => (x * 2f).Log().Exp());
            Assert.Equal("Autograd anomaly: the forward of Log produced NaN or infinity (shape [3]).", e.Message);
        }
        var quiet = (x * 2f).Log();  // outside the mode nothing is checked
        Assert.True(float.IsNaN(quiet.ToArray()[1]));
    }

    [Fact]
    public void The_first_op_producing_infinity_in_backward_is_named()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([0f, 4f], 2);
        x.RequiresGrad = true;
        using (Autograd.DetectAnomaly())
        {
            var y = x.Sqrt().Sum();  // forward is finite; d√x/dx = 1/(2√x) is infinite at 0
            var e = Assert.Throws<ArithmeticException>(() => y.Backward());
            Assert.Equal("Autograd anomaly: the backward of Sqrt (the gradient of its input 0) produced NaN or infinity (shape [2]).", e.Message);
        }
    }
}
