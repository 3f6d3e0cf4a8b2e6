using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

public class ResamplerTests
{
    [Fact]
    public void The_same_size_is_the_identity()
    {
        float[] image = Enumerable.Range(0, 2 * 3 * 5).Select(i => (float)Math.Sin(i)).ToArray();
        Assert.Equal(image, Resampler.Resize(image, 2, 3, 5, 3, 5));
    }

    [Fact]
    public void Halving_a_row_uses_pils_widened_triangle_weights()
    {
        // 4 → 2 pixels: scale 2, support 2. Output 0 (centre 1) reads inputs 0, 1, 2 with weights
        // 0.75, 0.75, 0.25 (÷ 1.75); output 1 (centre 3) reads 1, 2, 3 with 0.25, 0.75, 0.75.
        float[] row = [0, 0, 255, 255];
        float[] half = Resampler.Resize(row, 1, 1, 4, 1, 2);
        Assert.Equal(255 * 0.25 / 1.75, half[0], 1e-4);
        Assert.Equal(255 * 1.5 / 1.75, half[1], 1e-4);
        Assert.Equal([36f, 219f], half.Select(v => MathF.Round(v)));  // PIL: Image.resize((2, 1), BILINEAR) of this row
    }

    [Fact]
    public void Upscaling_interpolates_between_neighbours_and_keeps_the_ends()
    {
        // 2 → 4: scale 0.5, support 1; centres 0.25, 0.75, 1.25, 1.75.
        float[] up = Resampler.Resize([0f, 100f], 1, 1, 2, 1, 4);
        Assert.Equal([0f, 25f, 75f, 100f], up.Select(v => MathF.Round(v, 3)));
    }

    [Fact]
    public void Columns_resize_like_rows()
    {
        float[] column = [0, 0, 255, 255];
        Assert.Equal(Resampler.Resize(column, 1, 1, 4, 1, 2), Resampler.Resize(column, 1, 4, 1, 2, 1));
    }
}
