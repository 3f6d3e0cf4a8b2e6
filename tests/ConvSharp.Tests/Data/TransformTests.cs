using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

/// <summary>Transforms on synthetic C×H×W images. Coordinates: x right, y down; pixel (x, y) of a
/// channel is value [y * W + x].</summary>
public class TransformTests
{
    /// <summary>Runs one transform on a copy of <paramref name="image"/> and returns the output values.</summary>
    internal static float[] Apply(Transform transform, float[] image, ImageShape shape, long seed = 0, float maxValue = 255f)
    {
        ImageShape outShape = transform.OutputShape(shape);
        using var source = Tensor.FromArray(image, shape.Channels, shape.Height, shape.Width);
        using var destination = Tensor.Empty(outShape.Channels, outShape.Height, outShape.Width);
        transform.Apply(new ImageBuffer(source.Data, shape, maxValue), new ImageBuffer(destination.Data, outShape, transform.OutputMaxValue(maxValue)),
            new Generator(seed));
        return destination.ToArray();
    }

    private static float[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (float)(i + 1)).ToArray();

    private static float[] Constant(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    [Theory]
    [InlineData(InterpolationMode.Nearest)]
    [InlineData(InterpolationMode.Bilinear)]
    public void A_90_degree_rotation_turns_the_image_a_quarter_counter_clockwise(InterpolationMode mode)
    {
        const int n = 5;
        float[] image = Ramp(2 * n * n);
        float[] rotated = Apply(new RandomRotation((90f, 90f), mode), image, new ImageShape(2, n, n));
        // np.rot90 / torch.rot90 (counter-clockwise): out[c, y, x] = in[c, x, n - 1 - y]
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    Assert.Equal(image[c * n * n + x * n + (n - 1 - y)], rotated[c * n * n + y * n + x], 4);
    }

    [Fact]
    public void Rotation_angles_are_drawn_within_the_range_and_reproducible_from_the_generator()
    {
        float[] image = Ramp(9 * 9);
        var shape = new ImageShape(1, 9, 9);
        var rotation = new RandomRotation(30f, InterpolationMode.Bilinear, fill: -1f);
        Assert.Equal(Apply(rotation, image, shape, seed: 5), Apply(rotation, image, shape, seed: 5));
        Assert.NotEqual(Apply(rotation, image, shape, seed: 5), Apply(rotation, image, shape, seed: 6));
        Assert.Equal(image[40], Apply(rotation, image, shape, seed: 7)[40], 4);  // the centre stays
        // A 0-degree range is the identity.
        Assert.Equal(image, Apply(new RandomRotation(0f), image, shape));
    }

    [Fact]
    public void Horizontal_flip_mirrors_each_row_with_p_1_and_is_the_identity_with_p_0()
    {
        float[] image = Ramp(3 * 4 * 6);
        var shape = new ImageShape(3, 4, 6);
        float[] flipped = Apply(new RandomHorizontalFlip(1f), image, shape);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 6; x++)
                    Assert.Equal(image[(c * 4 + y) * 6 + 5 - x], flipped[(c * 4 + y) * 6 + x]);
        Assert.Equal(image, Apply(new RandomHorizontalFlip(0f), image, shape));
    }

    [Fact]
    public void RandomCrop_with_padding_cuts_a_window_of_the_padded_image()
    {
        float[] image = Ramp(4 * 4);
        var shape = new ImageShape(1, 4, 4);
        // Only one 6×6 window fits a 4×4 image padded by 1: the whole padded image.
        float[] whole = Apply(new RandomCrop(6, padding: 1, fill: -7f), image, shape);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
            {
                bool inside = y is >= 1 and <= 4 && x is >= 1 and <= 4;
                Assert.Equal(inside ? image[(y - 1) * 4 + x - 1] : -7f, whole[y * 6 + x]);
            }

        // 3×3 windows: every draw is one of the 16 windows of the padded 6×6 image, and all 16 occur.
        var seen = new HashSet<(int, int)>();
        for (int seed = 0; seed < 400; seed++)
        {
            float[] crop = Apply(new RandomCrop(3, padding: 1, fill: -7f), image, shape, seed);
            var match = Enumerable.Range(0, 16).Select(k => (Top: k / 4, Left: k % 4))
                .Where(o => Enumerable.Range(0, 9).All(i => crop[i] == whole[(o.Top + i / 3) * 6 + o.Left + i % 3])).ToList();
            Assert.Single(match);
            seen.Add(match[0]);
        }
        Assert.Equal(16, seen.Count);
    }

    [Fact]
    public void RandomCrop_larger_than_the_padded_image_is_refused_by_OutputShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new RandomCrop(8, padding: 1).OutputShape(new ImageShape(1, 5, 5)));
        Assert.Contains("does not fit", e.Message);
    }

    [Fact]
    public void CenterCrop_takes_the_middle_and_pads_with_zeros_when_larger()
    {
        float[] image = Ramp(5 * 5);
        var shape = new ImageShape(1, 5, 5);
        Assert.Equal([7f, 8, 9, 12, 13, 14, 17, 18, 19], Apply(new CenterCrop(3), image, shape));
        float[] padded = Apply(new CenterCrop((7, 6)), image, shape);
        // torchvision pads (7-5)//2 = 1 on top, (6-5)//2 = 0 on the left.
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 6; x++)
                Assert.Equal(y is >= 1 and <= 5 && x <= 4 ? image[(y - 1) * 5 + x] : 0f, padded[y * 6 + x]);
        // (5 - 2) / 2 = 1.5 rounds half to even, to 2, as torchvision computes the offset.
        Assert.Equal([13f, 14, 18, 19], Apply(new CenterCrop(2), image, shape));
    }

    [Theory]
    [InlineData(InterpolationMode.Bilinear, 7, 7, 19, 3)]
    [InlineData(InterpolationMode.Bilinear, 7, 5, 2, 11)]
    [InlineData(InterpolationMode.Nearest, 6, 6, 13, 17)]
    public void Resizing_a_constant_image_keeps_it_constant(InterpolationMode mode, int h, int w, int oh, int ow)
    {
        float[] image = Constant(2 * h * w, 0.3f);
        float[] resized = Apply(new Resize((oh, ow), mode), image, new ImageShape(2, h, w));
        Assert.Equal(2 * oh * ow, resized.Length);
        Assert.All(resized, v => Assert.Equal(0.3f, v));
    }

    [Fact]
    public void Bilinear_resize_matches_PyTorch_interpolate_with_align_corners_false()
    {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        float[] expected =
        [
            1.00f, 1.25f, 1.75f, 2.00f,
            1.50f, 1.75f, 2.25f, 2.50f,
            2.50f, 2.75f, 3.25f, 3.50f,
            3.00f, 3.25f, 3.75f, 4.00f,
        ];
        Assert.Equal(expected, Apply(new Resize((4, 4)), [1f, 2, 3, 4], new ImageShape(1, 2, 2)));
        // Nearest ("nearest-exact") halving picks pixel floor((x + 0.5) * 2) = 2x + 1.
        Assert.Equal([6f, 8, 14, 16], Apply(new Resize(2, InterpolationMode.Nearest), Ramp(16), new ImageShape(1, 4, 4)));
    }

    [Fact]
    public void Resize_of_one_side_keeps_the_aspect_ratio_of_the_shorter_side()
    {
        Assert.Equal(new ImageShape(3, 16, 21), new Resize(16).OutputShape(new ImageShape(3, 32, 42)));
        Assert.Equal(new ImageShape(1, 37, 16), new Resize(16).OutputShape(new ImageShape(1, 70, 30)));
    }

    [Theory]
    [InlineData(InterpolationMode.Bilinear)]
    [InlineData(InterpolationMode.Nearest)]
    public void RandomPerspective_with_distortion_0_is_the_identity(InterpolationMode mode)
    {
        float[] image = Ramp(3 * 7 * 9);
        var shape = new ImageShape(3, 7, 9);
        for (int seed = 0; seed < 5; seed++)
            Assert.Equal(image, Apply(new RandomPerspective(0f, p: 1f, mode), image, shape, seed));
    }

    [Fact]
    public void RandomPerspective_moves_the_corners_inwards_and_keeps_the_centre_region()
    {
        float[] image = Constant(20 * 20, 1f);
        float[] warped = Apply(new RandomPerspective(0.8f, p: 1f, fill: 0f), image, new ImageShape(1, 20, 20), seed: 3);
        Assert.Equal(1f, warped[10 * 20 + 10], 5);
        Assert.Contains(warped, v => v == 0f);  // some border pixels now come from outside
        Assert.Equal(image, Apply(new RandomPerspective(0.8f, p: 0f), image, new ImageShape(1, 20, 20), seed: 3));
    }

    [Fact]
    public void RandomAffine_translation_shifts_by_whole_pixels_within_the_bound()
    {
        float[] image = Ramp(10 * 10);
        var shape = new ImageShape(1, 10, 10);
        var affine = new RandomAffine(0f, translate: (0.3f, 0f), fill: -1f);
        var shifts = new HashSet<int>();
        for (int seed = 0; seed < 60; seed++)
        {
            float[] moved = Apply(affine, image, shape, seed);
            int shift = Enumerable.Range(-3, 7).Single(t =>
                Enumerable.Range(0, 100).All(i => moved[i] == (i % 10 - t is >= 0 and < 10 ? image[i - t] : -1f)));
            shifts.Add(shift);
        }
        Assert.Subset(Enumerable.Range(-3, 7).ToHashSet(), shifts);
        Assert.True(shifts.Count >= 5, $"only shifts {string.Join(", ", shifts)} occurred");
        Assert.Equal(image, Apply(new RandomAffine(0f, scale: (1f, 1f), shear: (0f, 0f)), image, shape));
    }

    [Fact]
    public void RandomAffine_scale_2_zooms_about_the_centre()
    {
        // Output pixel (x, y) samples (c + (x - c) / 2, c + (y - c) / 2) with c = 3 on a 7×7 image.
        float[] image = Ramp(7 * 7);
        float[] zoomed = Apply(new RandomAffine(0f, scale: (2f, 2f), interpolation: InterpolationMode.Bilinear), image, new ImageShape(1, 7, 7));
        Assert.Equal(image[3 * 7 + 3], zoomed[3 * 7 + 3], 4);
        Assert.Equal((image[2 * 7 + 2] + image[2 * 7 + 3] + image[3 * 7 + 2] + image[3 * 7 + 3]) / 4, zoomed[2 * 7 + 2], 4);
        Assert.Equal(image[2 * 7 + 2], zoomed[1 * 7 + 1], 4);
    }

    [Fact]
    public void ToTensor_scales_0_255_to_0_1_and_Normalize_works_per_channel()
    {
        float[] scaled = Apply(new ToTensor(), [0f, 51, 255, 102], new ImageShape(1, 2, 2));
        Assert.Equal(0f, scaled[0]);
        Assert.Equal(1f, scaled[2]);  // exactly: 255 · (1/255) rounds to 1
        Assert.Equal(0.2f, scaled[1], 6);
        Assert.Equal(0.4f, scaled[3], 6);
        float[] rgb = [1f, 2, 3, 4, 5, 6];
        float[] normalized = Apply(new Normalize([1f, 3f, 5f], [1f, 0.5f, 2f]), rgb, new ImageShape(3, 1, 2));
        Assert.Equal([0f, 1, 0, 2, 0, 0.5f], normalized);
        var e = Assert.Throws<ArgumentException>(() => new Normalize([0.5f, 0.5f], [1f, 1f]).OutputShape(new ImageShape(3, 2, 2)));
        Assert.Contains("2 means and standard deviations, but the image [3, 2, 2] has 3 channels", e.Message);
        Assert.Throws<ArgumentException>(() => new Normalize(0f, 0f));
    }

    [Fact]
    public void ColorJitter_brightness_scales_every_pixel_by_one_factor_and_clamps_to_the_value_range()
    {
        float[] image = [0.1f, 0.2f, 0.4f, 0.8f];
        var shape = new ImageShape(1, 2, 2);
        var jitter = new ColorJitter(brightness: 0.5f);
        bool clamped = false;
        for (int seed = 0; seed < 20; seed++)
        {
            float[] result = Apply(jitter, image, shape, seed, maxValue: 1f);
            float factor = result[0] / image[0];
            Assert.InRange(factor, 0.5f, 1.5f);
            for (int i = 0; i < 4; i++) Assert.Equal(Math.Min(1f, image[i] * factor), result[i], 5);
            clamped |= result[3] == 1f && factor > 1.25f;
        }
        Assert.True(clamped, "no draw brightened the 0.8 pixel past 1");
    }

    [Fact]
    public void ColorJitter_contrast_blends_with_the_grey_mean()
    {
        float[] image = [0f, 10, 20, 30];   // mean 15
        float[] result = Apply(new ColorJitter(contrast: 0.5f), image, new ImageShape(1, 2, 2), seed: 1, maxValue: float.PositiveInfinity);
        float k = (result[3] - result[0]) / 30f;
        Assert.InRange(k, 0.5f, 1.5f);
        for (int i = 0; i < 4; i++) Assert.Equal(k * image[i] + (1 - k) * 15f, result[i], 3);
    }

    [Fact]
    public void Compose_chains_shapes_and_its_random_draws_are_reproducible()
    {
        var pipeline = new Compose(new Resize(12), new Compose(new RandomCrop(10, padding: 2), new RandomHorizontalFlip()), new ToTensor(),
            new Normalize(0.5f, 0.25f));
        Assert.Equal(5, pipeline.Steps.Count);  // the inner Compose is flattened
        var shape = new ImageShape(1, 24, 30);
        Assert.Equal(new ImageShape(1, 10, 10), pipeline.OutputShape(shape));
        Assert.Equal(float.PositiveInfinity, pipeline.OutputMaxValue(255f));
        float[] image = Ramp(24 * 30);
        Assert.Equal(Apply(pipeline, image, shape, seed: 11), Apply(pipeline, image, shape, seed: 11));
        Assert.NotEqual(Apply(pipeline, image, shape, seed: 11), Apply(pipeline, image, shape, seed: 12));
    }

    [Fact]
    public void The_native_warp_matches_a_naive_bilinear_reference_with_constant_fill()
    {
        var rng = new Random(4);
        const int c = 2, h = 9, w = 13, oh = 11, ow = 8;
        float[] image = Enumerable.Range(0, c * h * w).Select(_ => (float)rng.NextDouble()).ToArray();
        using var source = Tensor.FromArray(image, c, h, w);
        using var output = Tensor.Empty(c, oh, ow);
        for (int trial = 0; trial < 20; trial++)
        {
            double[] m = [rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1, rng.NextDouble() * 8, rng.NextDouble() * 2 - 1,
                rng.NextDouble() * 2 - 1, rng.NextDouble() * 8, trial % 2 == 0 ? 0 : rng.NextDouble() * 0.05, trial % 2 == 0 ? 0 : rng.NextDouble() * 0.05, 1];
            ConvSharp.Data.HostImages.Warp(source.Data, c, h, w, output.Data, oh, ow, m, ConvSharp.Data.Sampling.Bilinear, ConvSharp.Data.Border.Constant, -0.5f);
            float[] actual = output.ToArray();
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                    {
                        double q = m[6] * x + m[7] * y + m[8];
                        double sx = (m[0] * x + m[1] * y + m[2]) / q, sy = (m[3] * x + m[4] * y + m[5]) / q;
                        double Read(int yy, int xx) => yy >= 0 && yy < h && xx >= 0 && xx < w ? image[(ch * h + yy) * w + xx] : -0.5;
                        int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                        double ax = sx - x0, ay = sy - y0;
                        double expected = (1 - ay) * ((1 - ax) * Read(y0, x0) + ax * Read(y0, x0 + 1)) + ay * ((1 - ax) * Read(y0 + 1, x0) + ax * Read(y0 + 1, x0 + 1));
                        Assert.Equal(expected, actual[(ch * oh + y) * ow + x], 4);
                    }
        }
    }

    [Fact]
    public void Warp_refuses_overlapping_source_and_destination()
    {
        using var t = Tensor.Zeros(2, 4, 4);
        double[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        var e = Assert.Throws<ArgumentException>(() =>
            ConvSharp.Data.HostImages.Warp(t.Data.Slice(0, 16), 1, 4, 4, t.Data.Slice(8, 16), 4, 4, identity, ConvSharp.Data.Sampling.Nearest, ConvSharp.Data.Border.Constant, 0));
        Assert.Contains("overlap", e.Message);
    }
}
