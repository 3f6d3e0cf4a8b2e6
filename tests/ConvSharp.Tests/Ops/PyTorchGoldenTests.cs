namespace ConvSharp.Tests.Ops;

/// <summary>Convolution, transposed convolution and upsampling against PyTorch's own outputs for fixed inputs
/// (ConvGolden.cs, written by conv_golden.py with Debian's python3-torch; the inputs are exact in float32).</summary>
[DetectLeaks]
public class PyTorchGoldenTests
{
    private static Tensor Values(int salt, params int[] shape) => Tensor.FromArray(ConvGolden.Values(OpCheck.Count(shape), salt), shape);

    private static void AssertGolden(float[] expected, Tensor actual, string what) =>
        OpCheck.AssertClose(expected.Select(v => (double)v).ToArray(), actual.ToArray(), 1e-5, what);

    [Fact]
    public void Conv2d_same_padding_with_even_and_dilated_kernels()
    {
        using var scope = Tensor.Scope();
        var y = Tensor.Conv2d(Values(1, 1, 2, 4, 5), Values(2, 3, 2, 2, 4), Values(3, 3), "same");
        Assert.Equal([1, 3, 4, 5], y.Shape);
        AssertGolden(ConvGolden.ConvSameEvenKernel, y, "conv2d same, kernel 2x4");
        var z = Tensor.Conv2d(Values(4, 2, 4, 3, 5), Values(5, 2, 2, 2, 2), null, "same", dilation: (3, 1), groups: 2);
        Assert.Equal([2, 2, 3, 5], z.Shape);
        AssertGolden(ConvGolden.ConvSameDilatedGrouped, z, "conv2d same, dilation (3, 1), groups 2");
    }

    [Fact]
    public void Conv2d_strided_padded_dilated_grouped()
    {
        using var scope = Tensor.Scope();
        var y = Tensor.Conv2d(Values(6, 2, 4, 5, 6), Values(7, 6, 2, 3, 2), Values(8, 6), stride: (2, 1), padding: (1, 2), dilation: (2, 1), groups: 2);
        Assert.Equal([2, 6, 2, 9], y.Shape);
        AssertGolden(ConvGolden.ConvStridedGrouped, y, "conv2d");
    }

    [Fact]
    public void ConvTranspose2d_with_output_padding_below_and_beyond_the_stride()
    {
        using var scope = Tensor.Scope();
        var y = Tensor.ConvTranspose2d(Values(9, 1, 2, 2, 3), Values(10, 2, 2, 3, 2), Values(11, 2), stride: (2, 1), padding: (1, 0), outputPadding: (1, 0));
        Assert.Equal([1, 2, 4, 4], y.Shape);
        AssertGolden(ConvGolden.ConvTransposeOutputPadding, y, "conv_transpose2d");
        var z = Tensor.ConvTranspose2d(Values(12, 2, 2, 3, 3), Values(13, 2, 1, 2, 2), null, outputPadding: 1, groups: 2, dilation: 2);
        Assert.Equal([2, 2, 6, 6], z.Shape);
        AssertGolden(ConvGolden.ConvTransposeDilatedOutputPadding, z, "conv_transpose2d, output padding ≥ stride");
    }

    [Fact]
    public void Upsample_nearest_and_bilinear()
    {
        using var scope = Tensor.Scope();
        var x = Values(14, 1, 1, 3, 4);
        AssertGolden(ConvGolden.NearestScale17, x.Upsample(1.7), "nearest ×1.7");
        AssertGolden(ConvGolden.NearestSize73, x.Upsample((7, 3)), "nearest to 7x3");
        AssertGolden(ConvGolden.BilinearScale25x15, x.Upsample(2.5, 1.5, "bilinear"), "bilinear ×(2.5, 1.5)");
        AssertGolden(ConvGolden.BilinearSize57Aligned, x.Upsample((5, 7), "bilinear", alignCorners: true), "bilinear to 5x7, corners aligned");
        AssertGolden(ConvGolden.BilinearSize23, x.Upsample((2, 3), "bilinear"), "bilinear to 2x3");
        AssertGolden(ConvGolden.NearestFloatBoundary, Values(15, 1, 1, 1, 14).Upsample((1, 20)), "nearest 14 → 20");
    }
}
