using ConvSharp.NN;

namespace ConvSharp.Tests;

/// <summary>The API tour of DESIGN.md, line by line, with values checked by hand.</summary>
public class DesignTourTests
{
    [Fact]
    public void The_conv_lines_of_the_tour_compute_what_they_say()
    {
        float[] image = Enumerable.Range(1, 25).Select(v => (float)v).ToArray();   // 1..25 row by row
        using var x = Tensor.FromArray(image, 1, 1, 5, 5);
        x.RequiresGrad = true;
        using var conv = new Conv2d(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 1, padding: 0);
        conv.Weight.CopyFrom(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 });           // picks the centre pixel
        conv.Bias!.CopyFrom(new float[] { 0.5f });
        using var y = conv.Forward(x);
        Assert.Equal([1, 1, 3, 3], y.Shape);
        Assert.Equal([7.5f, 8.5f, 9.5f, 12.5f, 13.5f, 14.5f, 17.5f, 18.5f, 19.5f], y.ToArray());

        using (var s = y.Sum()) s.Backward();
        // Each interior pixel is the centre of exactly one window; the border is never a centre.
        float[] dx = x.Grad!.ToArray();
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 5; c++)
                Assert.Equal(r is >= 1 and <= 3 && c is >= 1 and <= 3 ? 1f : 0f, dx[r * 5 + c]);
        // d(Σy)/dw[i,j] = Σ of the 3×3 block of x that w[i,j] meets.
        float[] dw = conv.Weight.Grad!.ToArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                float expected = 0;
                for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) expected += image[(r + i) * 5 + c + j];
                Assert.Equal(expected, dw[i * 3 + j]);
            }
        Assert.Equal([9f], conv.Bias.Grad!.ToArray());

        using var pooled = new MaxPool2d(kernelSize: 2, stride: 1).Forward(y);
        Assert.Equal([1, 1, 2, 2], pooled.Shape);
        Assert.Equal([13.5f, 14.5f, 18.5f, 19.5f], pooled.ToArray());
    }
}
