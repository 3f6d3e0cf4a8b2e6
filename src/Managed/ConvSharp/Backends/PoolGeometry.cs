using System.Globalization;

namespace ConvSharp.Backends;

// The window geometries of the pooling kernels, checked here, once, with messages that name the op
// and the offending values, so that no kernel can be reached with a window that does not fit.
// Letters: N batch, C channels, H x W input, KH x KW kernel, S stride, P padding, D dilation,
// OH x OW output; a "plane" is one (n, c) image of H x W values.

/// <summary>The N, C, H, W of a pooling input: 4-D [N, C, H, W], or unbatched 3-D [C, H, W] (N = 1),
/// as PyTorch's pools accept.</summary>
internal readonly record struct PoolInput(int N, int C, int H, int W, bool Batched)
{
    /// <summary>Reads the shape; anything but 3 or 4 dimensions is refused with the shape in the message.</summary>
    public static PoolInput Of(string op, ReadOnlySpan<int> shape) => shape.Length switch
    {
        4 => new PoolInput(shape[0], shape[1], shape[2], shape[3], Batched: true),
        3 => new PoolInput(1, shape[0], shape[1], shape[2], Batched: false),
        _ => throw new ArgumentException(
            $"{op} expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, but got shape {Guard.Format(shape)}.", "input"),
    };

    /// <summary>The output shape for an OH x OW output: [N, C, OH, OW], or [C, OH, OW] for unbatched input.</summary>
    public int[] OutputShape(int oh, int ow) => Batched ? [N, C, oh, ow] : [C, oh, ow];

    /// <summary>The shape of a global pool's output: [N, C] ([C] unbatched), or [N, C, 1, 1] with keepDim.</summary>
    public int[] GlobalShape(bool keepDim) => keepDim ? OutputShape(1, 1) : Batched ? [N, C] : [C];
}

/// <summary>The window of a max, average or Lp pool (PyTorch's rules for padding and ceil_mode).</summary>
internal readonly record struct PoolGeometry
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
    public bool CeilMode { get; }
    public int OH { get; }
    public int OW { get; }

    /// <summary>A window with unit stride and no padding whose output size is given (adaptive and fractional pools
    /// describe their planes this way; their own geometry types checked the sizes).</summary>
    internal static PoolGeometry Raw(int n, int c, int h, int w, int kh, int kw, int oh, int ow) => new(n, c, h, w, kh, kw, oh, ow);

    private PoolGeometry(int n, int c, int h, int w, int kh, int kw, int oh, int ow)
    {
        (N, C, H, W, KH, KW, OH, OW) = (n, c, h, w, kh, kw, oh, ow);
        (SH, SW, DH, DW) = (1, 1, 1, 1);
    }

    /// <summary>Checks the window against the input and computes the output size.</summary>
    public PoolGeometry(string op, PoolInput input, Pair kernel, Pair stride, Pair padding, Pair dilation, bool ceilMode)
    {
        CheckWindow(op, kernel, stride, padding, dilation);
        (N, C, H, W) = (input.N, input.C, input.H, input.W);
        (KH, KW, SH, SW, PH, PW, DH, DW) =
            (kernel.Height, kernel.Width, stride.Height, stride.Width, padding.Height, padding.Width, dilation.Height, dilation.Width);
        CeilMode = ceilMode;
        long oh = OutputSize(H, KH, SH, PH, DH, ceilMode), ow = OutputSize(W, KW, SW, PW, DW, ceilMode);
        if (oh < 1 || ow < 1)
        {
            long spanH = (long)DH * (KH - 1) + 1, spanW = (long)DW * (KW - 1) + 1;
            string kernelText = DH == 1 && DW == 1
                ? $"the kernel {KH}x{KW} is"
                : $"the kernel {KH}x{KW} with dilation {DH}x{DW} spans {spanH}x{spanW},";
            throw new ArgumentException(
                $"{op}: {kernelText} larger than the padded input {H + 2L * PH}x{W + 2L * PW} (input {H}x{W}, padding {PH}x{PW}).", "input");
        }
        (OH, OW) = (checked((int)oh), checked((int)ow));
    }

    /// <summary>Kernel, stride and dilation at least 1, padding not negative and at most half the kernel
    /// (PyTorch's rule for every 2-D pool: padding ≤ ⌊kernel / 2⌋, whatever the dilation). Modules call this in
    /// their constructors, so a bad layer fails where it is built.</summary>
    public static void CheckWindow(string op, Pair kernel, Pair stride, Pair padding, Pair dilation)
    {
        if (kernel.Height < 1 || kernel.Width < 1)
            throw new ArgumentOutOfRangeException("kernelSize", $"{op}: kernel size must be at least 1, but got {kernel}.");
        if (stride.Height < 1 || stride.Width < 1)
            throw new ArgumentOutOfRangeException("stride", $"{op}: stride must be at least 1, but got {stride}.");
        if (padding.Height < 0 || padding.Width < 0)
            throw new ArgumentOutOfRangeException("padding", $"{op}: padding must not be negative, but got {padding}.");
        if (dilation.Height < 1 || dilation.Width < 1)
            throw new ArgumentOutOfRangeException("dilation", $"{op}: dilation must be at least 1, but got {dilation}.");
        if (padding.Height > kernel.Height / 2 || padding.Width > kernel.Width / 2)
            throw new ArgumentException(
                $"{op}: padding must be at most half of the kernel size, but got padding {padding} for kernel size {kernel}.", "padding");
    }

    /// <summary>PyTorch's pooling output size of one dimension (it can be below 1 when the kernel does not fit):
    /// ⌊(in + 2·pad − span + (ceil ? stride − 1 : 0)) / stride⌋ + 1 with span = dilation·(kernel − 1) + 1, and in
    /// ceil mode one less when the last window would start in the right padding.</summary>
    public static long OutputSize(long input, long kernel, long stride, long pad, long dilation, bool ceilMode)
    {
        long span = dilation * (kernel - 1) + 1;
        long output = Math.DivRem(input + 2 * pad - span + (ceilMode ? stride - 1 : 0), stride, out long rem) + 1;
        if (rem < 0) output--;  // floor division
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    /// <summary>N·C.</summary>
    public long Planes => (long)N * C;

    /// <summary>H·W.</summary>
    public long InputPlane => (long)H * W;

    /// <summary>OH·OW.</summary>
    public long OutputPlane => (long)OH * OW;

    /// <summary>Floats in the input.</summary>
    public long InputLength => Planes * InputPlane;

    /// <summary>Floats in the output.</summary>
    public long OutputLength => Planes * OutputPlane;

    internal Interop.Native.PoolGeometryNative ToNative() => new()
    {
        N = N, C = C, H = H, W = W, KH = KH, KW = KW, SH = SH, SW = SW, PH = PH, PW = PW, DH = DH, DW = DW,
        CeilMode = CeilMode ? 1 : 0, OH = OH, OW = OW,
    };
}

/// <summary>An adaptive pool: output row i covers input rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), columns likewise.</summary>
internal readonly record struct AdaptivePoolGeometry(int N, int C, int H, int W, int OH, int OW)
{
    /// <summary>Checks the output size (any size ≥ 1, larger than the input too, as in PyTorch).</summary>
    public static AdaptivePoolGeometry Create(string op, PoolInput input, Pair outputSize)
    {
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"{op}: output size must be at least 1, but got {outputSize}.");
        var g = new AdaptivePoolGeometry(input.N, input.C, input.H, input.W, outputSize.Height, outputSize.Width);
        _ = checked(g.Planes * g.OutputPlane);
        return g;
    }

    /// <summary>N·C.</summary>
    public long Planes => (long)N * C;

    /// <summary>H·W.</summary>
    public long InputPlane => (long)H * W;

    /// <summary>OH·OW.</summary>
    public long OutputPlane => (long)OH * OW;

    /// <summary>Floats in the input.</summary>
    public long InputLength => Planes * InputPlane;

    /// <summary>Floats in the output.</summary>
    public long OutputLength => Planes * OutputPlane;
}

/// <summary>A fractional max pool (Graham 2014): KH x KW windows at pseudo-random positions, one pair of
/// uniform samples per plane, OH + KH − 1 ≤ H and OW + KW − 1 ≤ W.</summary>
internal readonly record struct FractionalPoolGeometry(int N, int C, int H, int W, int KH, int KW, int OH, int OW)
{
    /// <summary>Checks the kernel and output size against the input.</summary>
    public static FractionalPoolGeometry Create(string op, PoolInput input, Pair kernel, Pair outputSize)
    {
        if (kernel.Height < 1 || kernel.Width < 1)
            throw new ArgumentOutOfRangeException("kernelSize", $"{op}: kernel size must be at least 1, but got {kernel}.");
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"{op}: output size must be at least 1, but got {outputSize}.");
        long needH = (long)outputSize.Height + kernel.Height - 1, needW = (long)outputSize.Width + kernel.Width - 1;
        if (needH > input.H || needW > input.W)
            throw new ArgumentException(
                $"{op}: kernel size {kernel} and output size {outputSize} need an input of at least {needH}x{needW} " +
                $"(output + kernel − 1), but the input is {input.H}x{input.W}.", "input");
        var g = new FractionalPoolGeometry(input.N, input.C, input.H, input.W, kernel.Height, kernel.Width, outputSize.Height, outputSize.Width);
        _ = checked(g.Planes * g.OutputPlane);
        return g;
    }

    /// <summary>N·C.</summary>
    public long Planes => (long)N * C;

    /// <summary>H·W.</summary>
    public long InputPlane => (long)H * W;

    /// <summary>OH·OW.</summary>
    public long OutputPlane => (long)OH * OW;

    /// <summary>Floats in the input.</summary>
    public long InputLength => Planes * InputPlane;

    /// <summary>Floats in the output.</summary>
    public long OutputLength => Planes * OutputPlane;

    /// <summary>Floats of random samples: two per plane, (u_w, u_h).</summary>
    public long SampleLength => 2 * Planes;
}

/// <summary>Formatting shared by the pooling messages.</summary>
internal static class PoolText
{
    /// <summary>A number as PyTorch prints it in a repr (invariant culture, shortest round-trip form).</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float as PyTorch prints it in a repr (invariant culture, shortest round-trip form).</summary>
    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A bool as Python prints it.</summary>
    public static string Bool(bool value) => value ? "True" : "False";
}
