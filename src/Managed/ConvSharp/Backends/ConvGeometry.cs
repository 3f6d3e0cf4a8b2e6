namespace ConvSharp.Backends;

/// <summary>The geometry of a 2-D convolution window over NCHW input, checked once here so that no
/// kernel can be reached with a window that does not fit.
/// Letters: N batch, C channels (all groups), H x W input, KH x KW kernel, S stride, P padding, D dilation,
/// G groups, OH x OW output.</summary>
internal readonly record struct ConvGeometry
{
    public int N { get; }
    public int C { get; }
    public int H { get; }
    public int W { get; }
    public int KH { get; }
    public int KW { get; }
    public int SH { get; }
    public int SW { get; }
    public int PH { get; }
    public int PW { get; }
    public int DH { get; }
    public int DW { get; }
    public int OH { get; }
    public int OW { get; }
    public int Groups { get; }

    public ConvGeometry(int n, int c, int h, int w, int kh, int kw,
        int sh = 1, int sw = 1, int ph = 0, int pw = 0, int dh = 1, int dw = 1, int groups = 1, string? context = null)
    {
        Guard.Positive(n); Guard.Positive(c); Guard.Positive(h); Guard.Positive(w);
        Guard.Positive(kh); Guard.Positive(kw);
        Guard.Positive(sh); Guard.Positive(sw);
        Guard.NonNegative(ph); Guard.NonNegative(pw);
        Guard.Positive(dh); Guard.Positive(dw);
        Guard.Positive(groups);
        if (c % groups != 0)
            throw new ArgumentException($"{c} input channels are not divisible by groups = {groups}.", nameof(groups));
        long spanH = (long)dh * (kh - 1) + 1, spanW = (long)dw * (kw - 1) + 1;
        long paddedH = h + 2L * ph, paddedW = w + 2L * pw;
        if (spanH > paddedH || spanW > paddedW)
            throw new ArgumentException(
                $"{(context is null ? "" : context + ": ")}The kernel {kh}x{kw} with dilation {dh}x{dw} spans {spanH}x{spanW}, larger than the padded input " +
                $"{paddedH}x{paddedW} (input {h}x{w}, padding {ph}x{pw}).");
        (N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, Groups) = (n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, groups);
        long oh = (paddedH - spanH) / sh + 1, ow = (paddedW - spanW) / sw + 1;
        // An output plane (and one image's column matrix) must fit one buffer: a padding of int.MaxValue is refused
        // here, by name, rather than wrapping around into a negative size that only the native checks notice.
        if (oh > Array.MaxLength || ow > Array.MaxLength || oh * ow > Array.MaxLength || (double)n * c * kh * kw * oh * ow > long.MaxValue)
            throw new ArgumentException(
                $"The input {h}x{w} with padding {ph}x{pw}, kernel {kh}x{kw}, stride {sh}x{sw} and dilation {dh}x{dw} gives an output of " +
                $"{oh}x{ow} positions per image, too large for one buffer ({Array.MaxLength} floats).");
        OH = (int)oh;
        OW = (int)ow;
    }

    /// <summary>The same window over <paramref name="n"/> images (a worker's share of the batch).</summary>
    public ConvGeometry WithBatch(int n) => new(n, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, Groups);

    /// <summary>The window over one group's C/G channels, as a one-group geometry (what im2col of one group reads).</summary>
    public ConvGeometry PerGroup() => Groups == 1 ? this : new(N, C / Groups, H, W, KH, KW, SH, SW, PH, PW, DH, DW);

    /// <summary>Rows of one group's column matrix: (C/G)·KH·KW (the weight's row length).</summary>
    public long GroupRows => (long)(C / Groups) * KH * KW;

    /// <summary>Floats in the input: N*C*H*W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Rows of the column matrix: C*KH*KW.</summary>
    public long ColumnRows => (long)C * KH * KW;

    /// <summary>Columns of the batched column matrix: N*OH*OW.</summary>
    public long ColumnCols => (long)N * OH * OW;

    /// <summary>Whether a direct convolution computes its input gradient as a gather: a stride-1 correlation of the
    /// padded output gradient over every input position. Not for strided layers, and not when the output is much
    /// smaller than the input (a large kernel without padding: LeNet-5's 5×5 layers), where that correlation would
    /// read mostly the zero border; those scatter it through a GEMM and col2im instead.</summary>
    public bool GathersInputGradient => SH == 1 && SW == 1 && 2L * H * W <= 3L * OH * OW;

    /// <summary>Floats in the batched column matrix.</summary>
    public long ColumnLength => ColumnRows * ColumnCols;

    internal Interop.Native.ConvGeometryNative ToNative() => new()
    {
        N = N, C = C, H = H, W = W, KH = KH, KW = KW, SH = SH, SW = SW, PH = PH, PW = PW, DH = DH, DW = DW,
    };
}
