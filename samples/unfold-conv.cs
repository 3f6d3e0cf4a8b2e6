#:project ../src/Managed/ConvSharp/ConvSharp.csproj
// The course exercise: a convolution written as Unfold + MatMul, its backward derived by hand and wrapped in a
// custom autograd Function, checked against Conv2d and by GradCheck. Run: dotnet run samples/unfold-conv.cs
using ConvSharp;

using var scope = Tensor.Scope();
var x = Tensor.FromArray(
[
    1, 2, 0, 1, 3,
    4, 1, 2, 0, 1,
    0, 3, 1, 2, 2,
    2, 1, 0, 4, 1,
    1, 0, 2, 1, 3,
], 1, 1, 5, 5);
var w = Tensor.FromArray([1, 0, -1, 2, 0, -2, 1, 0, -1], 1, 1, 3, 3);
x.RequiresGrad = true;
w.RequiresGrad = true;

// 1. Convolution by unfold: every 3x3 patch becomes a column, one matrix product does the rest.
Tensor columns = Tensor.Unfold(x, kernelSize: 3);                 // [1, 9, 9]: C·KH·KW rows, L = 3·3 patches
Tensor y = w.View(1, -1).MatMul(columns).View(1, 1, 3, 3);
Tensor reference = Tensor.Conv2d(x, w);
Console.WriteLine($"unfold + matmul:\n{y}");
Console.WriteLine($"Conv2d:\n{reference}");
bool same = y.ToArray().SequenceEqual(reference.ToArray());

// 2. The same convolution as a custom Function with the hand-derived backward.
Tensor z = new UnfoldConv().Apply(x, w);
Console.WriteLine($"z.GradFn: {z.GradFn!.Name}, inputs: {string.Join(", ", z.GradFn.NextFunctions.Select(n => n?.Name ?? "None"))}");
Console.WriteLine($"(x / 2).GradFn: {(x / 2f).GradFn!.Name}");
bool gradOk = Autograd.GradCheck(t => new UnfoldConv().Apply(t[0], t[1]), x, w);
Console.WriteLine($"GradCheck of the hand-derived backward: {(gradOk ? "passed" : "failed")}");

z.Sum().Backward();
Console.WriteLine($"dL/dw:\n{w.Grad}");
if (!same || !gradOk)
{
    Console.Error.WriteLine("unfold-conv: the unfold convolution does not match Conv2d.");
    return 1;
}
Console.WriteLine("unfold-conv: the unfold convolution matches Conv2d and its backward passes GradCheck.");
return 0;

/// <summary>y = W·unfold(x), stride 1, no padding. Backward: dW = Σₙ dY·colsᵀ, dX = fold(Wᵀ·dY).</summary>
sealed class UnfoldConv : Function
{
    protected override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
    {
        Tensor x = inputs[0], w = inputs[1];
        int n = x.Size(0), k = w.Size(0), oh = x.Size(2) - w.Size(2) + 1, ow = x.Size(3) - w.Size(3) + 1;
        Tensor cols = Tensor.Unfold(x, (w.Size(2), w.Size(3)));
        ctx.SaveForBackward(cols, w);
        return w.View(k, -1).MatMul(cols).View(n, k, oh, ow);
    }

    protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
    {
        Tensor cols = ctx.SavedTensors[0], w = ctx.SavedTensors[1];
        int n = gradOutput.Size(0), k = gradOutput.Size(1);
        Tensor dy = gradOutput.View(n, k, -1);
        Pair size = (gradOutput.Size(2) + w.Size(2) - 1, gradOutput.Size(3) + w.Size(3) - 1), kernel = (w.Size(2), w.Size(3));
        Tensor? dx = ctx.NeedsInputGrad(0) ? Tensor.Fold(w.View(k, -1).T.MatMul(dy), size, kernel) : null;
        Tensor? dw = ctx.NeedsInputGrad(1) ? dy.MatMul(cols.Transpose(1, 2)).Sum(0).View(w.Shape) : null;
        return [dx, dw];
    }
}
