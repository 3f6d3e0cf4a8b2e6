namespace ConvSharp.Imaging;

/// <summary>Resizes CHW float images with PIL's antialiased bilinear filter (what torchvision's
/// <c>Resize((h, w))</c> does on PIL images and, with <c>antialias=True</c>, on tensors): separable, a
/// triangle kernel whose support widens by the shrink factor so that downscaling averages every input
/// pixel instead of skipping some. Horizontal pass, then vertical, in double precision.</summary>
internal static class Resampler
{
    internal static float[] Resize(float[] chw, int channels, int inHeight, int inWidth, int outHeight, int outWidth)
    {
        if (outHeight < 1 || outWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(outHeight), $"The target size must be at least 1×1, but is {outHeight}×{outWidth}.");
        var (xStart, xCount, xWeights, xTaps) = Coefficients(inWidth, outWidth);
        var (yStart, yCount, yWeights, yTaps) = Coefficients(inHeight, outHeight);

        var rows = new float[channels * inHeight * outWidth];  // horizontally resized
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < inHeight; y++)
            {
                int src = (c * inHeight + y) * inWidth, dst = (c * inHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++)
                {
                    double sum = 0;
                    for (int k = 0; k < xCount[x]; k++) sum += chw[src + xStart[x] + k] * xWeights[x * xTaps + k];
                    rows[dst + x] = (float)sum;
                }
            }

        var result = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outHeight; y++)
            {
                int dst = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++)
                {
                    double sum = 0;
                    for (int k = 0; k < yCount[y]; k++) sum += rows[(c * inHeight + yStart[y] + k) * outWidth + x] * yWeights[y * yTaps + k];
                    result[dst + x] = (float)sum;
                }
            }
        return result;
    }

    /// <summary>For each output index: the first input index, how many inputs it reads, and their
    /// normalised weights (PIL's <c>precompute_coeffs</c> with the bilinear filter, support 1).</summary>
    private static (int[] Start, int[] Count, double[] Weights, int Taps) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new double[outSize * taps];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize);
            double total = 0;
            for (int x = min; x < max; x++)
            {
                double w = Triangle((x - center + 0.5) / filterScale);
                weights[i * taps + x - min] = w;
                total += w;
            }
            if (total != 0)
                for (int x = min; x < max; x++) weights[i * taps + x - min] /= total;
            start[i] = min;
            count[i] = max - min;
        }
        return (start, count, weights, taps);
    }

    private static double Triangle(double x) => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0;
}
