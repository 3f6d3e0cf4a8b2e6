using ConvSharp.Memory;
using ConvSharp.NN;

namespace ConvSharp.Tests.Course;

/// <summary>Custom autograd functions, GradCheck, the visible graph, Autograd.Grad and RetainGrad.</summary>
public class AutogradCourseTests
{
    /// <summary>The course exercise: convolution (stride 1, no padding) as unfold + matmul, with the backward derived
    /// by hand: dW = dY·colsᵀ, dX = Fold(Wᵀ·dY).</summary>
    internal sealed class UnfoldConv : Function
    {
        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            Tensor x = inputs[0], w = inputs[1];
            int n = x.Size(0), k = w.Size(0), kh = w.Size(2), kw = w.Size(3);
            int oh = x.Size(2) - kh + 1, ow = x.Size(3) - kw + 1;
            Tensor cols = Tensor.Unfold(x, (kh, kw));                    // [N, C·KH·KW, L]
            ctx.SaveForBackward(cols, w);
            return w.View(k, -1).MatMul(cols).View(n, k, oh, ow);
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Tensor cols = ctx.SavedTensors[0], w = ctx.SavedTensors[1];
            int n = gradOutput.Size(0), k = gradOutput.Size(1), h = gradOutput.Size(2) + w.Size(2) - 1, wd = gradOutput.Size(3) + w.Size(3) - 1;
            Tensor dy = gradOutput.View(n, k, -1);                       // [N, K, L]
            Tensor? dx = null, dw = null;
            if (ctx.NeedsInputGrad(0))
                dx = Tensor.Fold(w.View(k, -1).T.MatMul(dy), (h, wd), (w.Size(2), w.Size(3)));
            if (ctx.NeedsInputGrad(1))
                dw = dy.MatMul(cols.Transpose(1, 2)).Sum(0).View(w.Shape);
            return [dx, dw];
        }
    }

    private static readonly float[] CourseInput =
    [
        1, 2, 0, 1, 3,
        4, 1, 2, 0, 1,
        0, 3, 1, 2, 2,
        2, 1, 0, 4, 1,
        1, 0, 2, 1, 3,
    ];

    private static readonly float[] CourseKernel = [1, 0, -1, 2, 0, -2, 1, 0, -1];

    [Fact]
    public void The_course_convolution_by_unfold_equals_conv2d_and_its_hand_derived_backward_passes_gradcheck()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray(CourseInput, 1, 1, 5, 5);
        var w = Tensor.FromArray(CourseKernel, 1, 1, 3, 3);
        x.RequiresGrad = true;
        w.RequiresGrad = true;

        // A double-precision loop: the course's "pseudo-code with for loops".
        var expected = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++)
                expected[i * 3 + j] += (double)CourseInput[(i + a) * 5 + j + b] * CourseKernel[a * 3 + b];
        Tensor y = new UnfoldConv().Apply(x, w);
        Assert.Equal([1, 1, 3, 3], y.Shape);
        Assert.Equal(expected.Select(v => (float)v).ToArray(), y.ToArray());
        Assert.Equal(Tensor.Conv2d(x, w).ToArray(), y.ToArray());
        Assert.Equal("UnfoldConvBackward", y.GradFn!.Name);
        Assert.Equal(["AccumulateGrad", "AccumulateGrad"], y.GradFn.NextFunctions.Select(f => f!.Name));
        Assert.Same(x, y.GradFn.NextFunctions[0]!.Variable);

        // Its gradients equal the built-in convolution's.
        y.Sum().Backward();
        float[] dx = x.Grad!.ToArray(), dw = w.Grad!.ToArray();
        x.Grad.Dispose(); x.Grad = null;
        w.Grad.Dispose(); w.Grad = null;
        Tensor.Conv2d(x, w).Sum().Backward();
        Assert.Equal(x.Grad!.ToArray(), dx);
        Assert.Equal(w.Grad!.ToArray(), dw);
        x.Grad.Dispose(); w.Grad.Dispose();

        Assert.True(Autograd.GradCheck(t => new UnfoldConv().Apply(t[0], t[1]), x, w));
    }

    /// <summary>A deliberately wrong backward (the gradient of x doubled).</summary>
    private sealed class WrongSquare : Function
    {
        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * inputs[0];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * ctx.SavedTensors[0] * 4f];
    }

    [Fact]
    public void GradCheck_throws_naming_the_worst_element_of_a_wrong_backward()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([0.5f, -1f, 2f], 3);
        x.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => Autograd.GradCheck(t => new WrongSquare().Apply(t[0]), x));
        Assert.StartsWith("GradCheck failed: the worst element is input 0 element [2], output element [2]: analytical 8, numerical 4", e.Message);
        Assert.False(Autograd.GradCheck(t => new WrongSquare().Apply(t[0]), [x], raiseException: false));
        Assert.True(Autograd.GradCheck(t => t[0] * t[0], x));
    }

    private sealed class WrongCount : Function
    {
        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0] + inputs[1];
        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput];
    }

    private sealed class WrongShape : Function
    {
        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0].Sum();
        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [Tensor.Ones(2)];
    }

    [Fact]
    public void A_backward_with_the_wrong_number_or_shape_of_gradients_names_the_function_and_input()
    {
        using var scope = Tensor.Scope();
        var a = Tensor.Ones(3);
        var b = Tensor.Ones(3);
        a.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => new WrongCount().Apply(a, b).Sum().Backward());
        Assert.Equal("WrongCount.Backward returned 1 gradients, but Apply got 2 inputs; return one per input (null for none).", e.Message);
        var s = Assert.Throws<InvalidOperationException>(() => new WrongShape().Apply(a).Backward());
        Assert.Equal("WrongShape.Backward returned a gradient of shape [2] for input 0, which has shape [3].", s.Message);
    }

    private sealed class ArgMaxFunction : Function
    {
        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            Tensor result = inputs[0].ArgMax(0);
            ctx.MarkNonDifferentiable(result);
            return result;
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => throw new InvalidOperationException("never called");
    }

    private sealed class Scale : Function
    {
        public bool SawNeedsGrad0, SawNeedsGrad1;

        protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            SawNeedsGrad0 = ctx.NeedsInputGrad(0);
            SawNeedsGrad1 = ctx.NeedsInputGrad(1);
            ctx.SaveForBackward(inputs[1]);
            return inputs[0] * inputs[1];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) =>
            [ctx.NeedsInputGrad(0) ? gradOutput * ctx.SavedTensors[0] : null, null];
    }

    [Fact]
    public void Context_reports_needed_gradients_marks_non_differentiable_outputs_and_frees_saved_tensors()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([1f, 5f, 2f], 3);
        x.RequiresGrad = true;
        Tensor index = new ArgMaxFunction().Apply(x);
        Assert.False(index.RequiresGrad);
        Assert.Null(index.GradFn);

        var s = Tensor.FromArray([2f, 3f, 4f], 3);
        var f = new Scale();
        f.Apply(x, s).Sum().Backward();
        Assert.True(f.SawNeedsGrad0);
        Assert.False(f.SawNeedsGrad1);
        Assert.Equal([2f, 3f, 4f], x.Grad!.ToArray());
        x.Grad.Dispose();
        x.Grad = null;

        // 10,000 steps: saved tensors go back to the pool with the graph. Counted for this test's own async context
        // (the shared pool's totals move with every test running beside this one). One step first makes x.Grad, which stays.
        using (Tensor.Scope()) new Scale().Apply(x, s).Sum().Backward();
        using (var region = ConvSharp.Memory.BufferTracker.Begin())
        {
            for (int step = 0; step < 10_000; step++)
            {
                using var inner = Tensor.Scope();
                new Scale().Apply(x, s).Sum().Backward();
            }
            Assert.True(region.Allocated > 10_000);
            Assert.Equal(0, region.Outstanding);
        }
        x.Grad!.Dispose();
    }

    [Fact]
    public void The_graph_is_visible_with_pytorch_names()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([1f, 2f], 2);
        var y = Tensor.FromArray([3f, 4f], 2);
        x.RequiresGrad = true;
        y.RequiresGrad = true;
        Tensor c = x / y;
        Assert.Equal("DivBackward", c.GradFn!.Name);
        Assert.Equal(["AccumulateGrad", "AccumulateGrad"], c.GradFn.NextFunctions.Select(n => n!.Name));
        Assert.True(x.IsLeaf);
        Assert.False(c.IsLeaf);
        Assert.Null(x.GradFn);

        using var conv = new Conv2d(1, 2, 3);
        Tensor image = Tensor.Rand([1, 1, 5, 5], seed: 1);
        Tensor z = conv.Forward(image).Relu().Sum();
        Assert.Equal("SumBackward", z.GradFn!.Name);
        Node relu = z.GradFn.NextFunctions[0]!;
        Assert.Equal("ReluBackward", relu.Name);
        Node convolution = relu.NextFunctions[0]!;
        Assert.Equal("ConvolutionBackward", convolution.Name);
        // The image needs no gradient (null), the weight and bias are leaves.
        Assert.Equal([null, "AccumulateGrad", "AccumulateGrad"], convolution.NextFunctions.Select(n => n?.Name));
        Assert.Equal("SumBackward\n  ReluBackward\n    ConvolutionBackward\n      None\n      AccumulateGrad [2, 1, 3, 3]\n      AccumulateGrad [2]", z.GradFn.ToString());
        Assert.Equal("SumBackward\n  ReluBackward\n    ...", z.GradFn.ToString(2));
        Tensor mixed = (x * 2f - y).Exp();
        Assert.Equal(["ExpBackward", "SubBackward", "MulBackward"], new[] { mixed.GradFn!, mixed.GradFn!.NextFunctions[0]!, mixed.GradFn.NextFunctions[0]!.NextFunctions[0]! }.Select(n => n.Name));
    }

    [Fact]
    public void Grad_returns_gradients_without_touching_dot_grad_and_retain_grad_keeps_an_intermediate_one()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        var y = Tensor.FromArray([4f, 5f, 6f], 3);
        x.RequiresGrad = true;
        y.RequiresGrad = true;
        Tensor h = x * y;
        Tensor loss = (h * h).Sum();
        Tensor?[] grads = Autograd.Grad([loss], [x, h], retainGraph: true);
        Assert.Equal([32f, 100f, 216f], grads[0]!.ToArray());  // 2·(xy)·y
        Assert.Equal([8f, 20f, 36f], grads[1]!.ToArray());      // 2·h
        Assert.Null(x.Grad);
        Assert.Null(y.Grad);

        var unused = Tensor.Ones(2);
        unused.RequiresGrad = true;
        Assert.Equal("Autograd.Grad: input 1 (shape [2]) was not used to compute the outputs; pass allowUnused: true to get null for it.",
            Assert.Throws<InvalidOperationException>(() => Autograd.Grad([loss], [x, unused], retainGraph: true)).Message);
        Assert.Null(Autograd.Grad([loss], [x, unused], retainGraph: true, allowUnused: true)[1]);
        Assert.Throws<NotSupportedException>(() => Autograd.Grad([loss], [x], createGraph: true));

        h.RetainGrad();
        loss.Backward();
        Assert.Equal([8f, 20f, 36f], h.Grad!.ToArray());
        Assert.Equal([32f, 100f, 216f], x.Grad!.ToArray());
        h.Grad.Dispose(); x.Grad.Dispose(); y.Grad!.Dispose();
    }
}
