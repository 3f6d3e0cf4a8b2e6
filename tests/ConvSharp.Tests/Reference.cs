namespace ConvSharp.Tests;

/// <summary>The naive nested-loop versions of the kernels, in double precision: the pseudo-code the
/// fast paths are checked against. Letters: N, C, H, W input; KH×KW kernel; S stride; P padding;
/// D dilation; OH×OW output.</summary>
internal static class Reference
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C, row-major, op(A) m×k, op(B) k×n. Also returns, per
    /// element, Σ|alpha·a·b| + |beta·c|, the scale its rounding error is bounded by.</summary>
    public static (double[] C, double[] Scale) Gemm(bool ta, bool tb, int m, int n, int k, double alpha,
        float[] a, int lda, float[] b, int ldb, double beta, float[] c, int ldc)
    {
        var result = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, abs = 0;
            for (int p = 0; p < k; p++)
            {
                double av = ta ? a[p * lda + i] : a[i * lda + p];
                double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                sum += av * bv;
                abs += Math.Abs(av * bv);
            }
            double cv = c[i * ldc + j];
            result[i * n + j] = alpha * sum + beta * cv;
            scale[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(beta * cv);
        }
        return (result, scale);
    }

    public static int OutSize(int input, int kernel, int stride, int pad, int dilation) =>
        (input + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>Column matrix [C·KH·KW, N·OH·OW].</summary>
    public static double[] Im2Col(float[] x, int n, int c, int h, int w, int kh, int kw,
        int sh, int sw, int ph, int pw, int dh, int dw)
    {
        int oh = OutSize(h, kh, sh, ph, dh), ow = OutSize(w, kw, sw, pw, dw);
        int cols = n * oh * ow;
        var col = new double[c * kh * kw * cols];
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int r = 0; r < kh; r++)
        for (int s = 0; s < kw; s++)
        for (int y = 0; y < oh; y++)
        for (int xo = 0; xo < ow; xo++)
        {
            int ih = y * sh - ph + r * dh, iw = xo * sw - pw + s * dw;
            double v = ih >= 0 && ih < h && iw >= 0 && iw < w ? x[((b * c + ch) * h + ih) * w + iw] : 0.0;
            int row = (ch * kh + r) * kw + s, column = (b * oh + y) * ow + xo;
            col[row * cols + column] = v;
        }
        return col;
    }

    /// <summary>Input-shaped sums of the column cells that read each input position.</summary>
    public static double[] Col2Im(float[] col, int n, int c, int h, int w, int kh, int kw,
        int sh, int sw, int ph, int pw, int dh, int dw)
    {
        int oh = OutSize(h, kh, sh, ph, dh), ow = OutSize(w, kw, sw, pw, dw);
        int cols = n * oh * ow;
        var x = new double[n * c * h * w];
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int r = 0; r < kh; r++)
        for (int s = 0; s < kw; s++)
        for (int y = 0; y < oh; y++)
        for (int xo = 0; xo < ow; xo++)
        {
            int ih = y * sh - ph + r * dh, iw = xo * sw - pw + s * dw;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            int row = (ch * kh + r) * kw + s, column = (b * oh + y) * ow + xo;
            x[((b * c + ch) * h + ih) * w + iw] += col[row * cols + column];
        }
        return x;
    }

    public static float[] RandomFloats(Random rng, int count, float low = -1f, float high = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = low + (high - low) * rng.NextSingle();
        return values;
    }
}
