using ConvSharp.Backends;

namespace ConvSharp;

// Reductions: Sum and Mean over all or some dimensions (keepDim like PyTorch). Max lives in Ops/Max.cs.
public partial class Tensor
{
    /// <summary>The sum of all elements, as a 0-dimensional tensor.</summary>
    public Tensor Sum() => Sum([], keepDim: false);

    /// <summary>The sum over <paramref name="dims"/> (negative values count from the end); with
    /// <paramref name="keepDim"/> the reduced dimensions stay as size 1.</summary>
    public Tensor Sum(int[] dims, bool keepDim = false) => Reduce(dims, keepDim, mean: false, "Sum");

    /// <summary>The sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>The mean of all elements, as a 0-dimensional tensor.</summary>
    public Tensor Mean() => Mean([], keepDim: false);

    /// <summary>The mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(int[] dims, bool keepDim = false) => Reduce(dims, keepDim, mean: true, "Mean");

    /// <summary>The mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    private Tensor Reduce(int[] dims, bool keepDim, bool mean, string name)
    {
        Guard.NotNull(dims);
        bool[] mask = Shapes.DimMask(_shape, dims, name);
        int[] kept = Shapes.KeepDims(_shape, mask);
        long count = 1;
        for (int d = 0; d < _shape.Length; d++) if (mask[d]) count *= _shape[d];
        float scale = mean ? 1f / count : 1f;

        var result = Allocate(Device, keepDim ? kept : Shapes.WithoutMasked(_shape, mask), zero: true);
        Kernels.Elementwise(BinaryOp.CopyA, _shape, new(result.Data, Shapes.BroadcastStrides(kept, _shape)), Contiguous(), default, scale, accumulate: true);
        Onnx.OnnxTrace.Current?.Reduce(result, this, mask, keepDim, mean);
        return Record(result, name, [this], (g, sink) =>
        {
            // Each input element receives scale·g of the output it was summed into.
            if (sink[0] is { } dx)
                dx.Kernels.Elementwise(BinaryOp.CopyA, _shape, dx.Contiguous(), new(g.Data, Shapes.BroadcastStrides(kept, _shape)), default, scale, accumulate: true);
        });
    }
}
