using ConvSharp.Backends;

namespace ConvSharp;

// 2-D convolution as im2col + sgemm, image by image. Letters: N batch, C input channels, H×W input, K
// output channels, G groups (Cg = C/G, Kg = K/G), KH×KW kernel, OH×OW output, P = OH·OW, R = Cg·KH·KW.
// Per image and group, im2col writes an [R, P] column matrix into a scratch that stays in cache, and one
// sgemm W_g[Kg, R] × col[R, P] writes that image's NCHW output directly (the bias pre-filled, beta = 1):
// no reordering pass. The backward recomputes the columns per image rather than keeping the batch's
// (for N=32 64→64 56×56 that would be 230 MB): dW_g += g_b,g·colᵀ, dcol = W_gᵀ·g_b,g then col2im into
// dX; dB is one strided reduction of g. Images are split across IKernels.ParallelFor workers (one core
// each, single-threaded GEMMs; weight-gradient partials summed at the end); measured against one GEMM
// over the whole batch's columns, which needed two reordering passes, this was as fast or faster at
// every shape tried (docs/benchmarks.md).
// A backend may compute one-group layers directly instead (IKernels.PrefersDirectConv; the CPU does): an implicit
// GEMM over a padded copy of the input, which on these small planes and channel counts runs closer to peak than a
// GEMM per image (whose inner dimension is 9 for one 3×3 input channel).
public partial class Tensor
{
    /// <summary>2-D convolution (PyTorch's <c>F.conv2d</c>) of input [N, C, H, W] with weight
    /// [K, C/groups, KH, KW] and optional bias [K]. Stride, padding and dilation take an int or an (h, w) pair.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Pair? stride = null, Pair? padding = null, Pair? dilation = null, int groups = 1)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Pair p = padding ?? 0, s = stride ?? 1, d = dilation ?? 1;
        Tensor result = ConvCore(input, weight, bias, s, p, d, groups);
        Onnx.OnnxTrace.Current?.Conv(result, input, weight, bias, s, p.Height, p.Width, p.Height, p.Width, d, groups);
        return result;
    }

    /// <summary>2-D convolution with padding given by name: "valid" (none) or "same" (output size = input
    /// size; stride 1 only, extra padding on the bottom/right for even kernels, as PyTorch does).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, string padding, Pair? dilation = null, int groups = 1)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Guard.NotNull(padding);
        Pair d = dilation ?? 1;
        if (padding == "valid") return Conv2d(input, weight, bias, 1, 0, d, groups);
        if (padding != "same")
            throw new ArgumentException($"Conv2d: padding '{padding}' is not one of \"same\", \"valid\".", nameof(padding));
        if (weight.Dim != 4)
            throw new ArgumentException($"Conv2d expects a 4-D weight [K, C/groups, KH, KW], but got shape {Guard.Format(weight._shape)}.", nameof(weight));
        int totalH = d.Height * (weight._shape[2] - 1), totalW = d.Width * (weight._shape[3] - 1);
        int top = totalH / 2, left = totalW / 2, bottom = totalH - top, right = totalW - left;
        if (top == bottom && left == right) return Conv2d(input, weight, bias, 1, (top, left), d, groups);
        Tensor padded = input.Pad(0, right - left, 0, bottom - top);
        Tensor result = ConvCore(padded, weight, bias, 1, (top, left), d, groups);
        if (!result.RequiresGrad) padded.Dispose();  // else the graph holds it until backward
        Onnx.OnnxTrace.Current?.Conv(result, input, weight, bias, 1, top, left, bottom, right, d, groups);
        return result;
    }

    private static Tensor ConvCore(Tensor input, Tensor weight, Tensor? bias, Pair stride, Pair padding, Pair dilation, int groups)
    {
        if (input.Dim != 4)
            throw new ArgumentException($"Conv2d expects a 4-D input [N, C, H, W], but got shape {Guard.Format(input._shape)}.", nameof(input));
        if (weight.Dim != 4)
            throw new ArgumentException($"Conv2d expects a 4-D weight [K, C/groups, KH, KW], but got shape {Guard.Format(weight._shape)}.", nameof(weight));
        Guard.Positive(groups);
        input.CheckSameDevice(weight, "Conv2d");
        int n = input._shape[0], c = input._shape[1], h = input._shape[2], w = input._shape[3];
        int k = weight._shape[0], cg = weight._shape[1], kh = weight._shape[2], kw = weight._shape[3];
        if (c % groups != 0 || k % groups != 0)
            throw new ArgumentException($"Conv2d: {c} input channels and {k} output channels must both be divisible by groups = {groups}.", nameof(groups));
        if (cg * groups != c)
            throw new ArgumentException(
                $"Conv2d: the weight {Guard.Format(weight._shape)} expects {cg * groups} input channels, but the input {Guard.Format(input._shape)} has {c}.", nameof(input));
        if (bias is not null && (bias.Dim != 1 || bias._shape[0] != k))
            throw new ArgumentException($"Conv2d: the bias must have shape [{k}], but has {Guard.Format(bias._shape)}.", nameof(bias));
        if (bias is not null) input.CheckSameDevice(bias, "Conv2d");

        var geometry = new ConvGeometry(n, cg, h, w, kh, kw, stride.Height, stride.Width, padding.Height, padding.Width, dilation.Height, dilation.Width);
        if (groups == 1 && input.Kernels.PrefersDirectConv(geometry, k)) return ConvDirect(input, weight, bias, geometry);
        return ConvPerImage(input, weight, bias, geometry, groups);
    }

    private static Tensor ConvPerImage(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, int groups)
    {
        int n = input._shape[0], c = input._shape[1], h = input._shape[2], w = input._shape[3], k = weight._shape[0];
        int cg = c / groups, kg = k / groups, oh = geometry.OH, ow = geometry.OW;
        long plane = (long)oh * ow, rows = geometry.ColumnRows, imageIn = (long)cg * h * w, colLength = rows * plane;
        IKernels kernels = input.Kernels;
        double macs = (double)n * k * rows * plane;
        int workers = WorkersFor(kernels, n, macs);

        var result = Allocate(input.Device, [n, k, oh, ow], zero: false);
        if (bias is not null)
            kernels.Elementwise(BinaryOp.CopyA, [n, k, (int)plane], new(result.Data, [k * plane, plane, 1L]), new(bias.Data, [0L, 1L, 0L]), default);
        using (var col = Allocate(input.Device, [checked((int)(colLength * workers))], zero: false, owned: true))
            kernels.ParallelFor(n, workers, (worker, start, end) =>
            {
                BufferSlice mine = col.Data.Slice(worker * colLength, colLength);
                for (int b = start; b < end; b++)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        kernels.Im2ColImage(input.Data.Slice(((long)b * c + gi * cg) * h * w, imageIn), geometry, mine, plane, 0);
                        kernels.Gemm(false, false, kg, (int)plane, (int)rows, 1f,
                            weight.Data.Slice(gi * kg * rows, kg * rows), (int)rows, mine, (int)plane, bias is null ? 0f : 1f,
                            result.Data.Slice(((long)b * k + gi * kg) * plane, kg * plane), (int)plane);
                    }
            });

        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record(result, "Conv2d", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dw = sink[1], db = bias is null ? null : sink[2];
            if (db is not null) AddBiasGradient(kernels, g, n, k, plane, db);
            if (dw is null && dx is null) return;
            int workers = WorkersFor(kernels, n, macs);
            using var col = Allocate(g.Device, [checked((int)(colLength * workers))], zero: false, owned: true);
            using var partials = WeightGradientPartials(dw, workers);
            kernels.ParallelFor(n, workers, (worker, start, end) =>
            {
                BufferSlice mine = col.Data.Slice(worker * colLength, colLength);
                BufferSlice? dwMine = PartialFor(dw, partials, worker);
                for (int b = start; b < end; b++)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        BufferSlice gOut = g.Data.Slice(((long)b * k + gi * kg) * plane, kg * plane);
                        BufferSlice wg = weight.Data.Slice(gi * kg * rows, kg * rows);
                        if (dwMine is { } dwm)
                        {
                            kernels.Im2ColImage(input.Data.Slice(((long)b * c + gi * cg) * h * w, imageIn), geometry, mine, plane, 0);
                            kernels.Gemm(false, true, kg, (int)rows, (int)plane, 1f, gOut, (int)plane, mine, (int)plane, 1f,
                                dwm.Slice(gi * kg * rows, kg * rows), (int)rows);
                        }
                        if (dx is not null)
                        {
                            ScatterInputGradient(kernels, wg, gOut, kg, geometry, mine, dx.Data.Slice(((long)b * c + gi * cg) * h * w, imageIn));
                        }
                    }
            });
            AddPartials(kernels, dw, partials);
        });
    }

    /// <summary>Below this many multiply-adds per call, waking a second worker costs more than it saves
    /// (measured on the 1→16 28×28 layer at batch 16: 1.8 M multiply-adds ran faster on one core).</summary>
    private const double MinParallelMacs = 4e6;

    /// <summary>Workers for a pass of <paramref name="macs"/> multiply-adds over <paramref name="n"/> images.</summary>
    private static int WorkersFor(IKernels kernels, int n, double macs) => macs < MinParallelMacs ? 1 : Math.Min(kernels.Workers, n);

    /// <summary>Zeroed weight-gradient accumulators for workers 1.. (worker 0 adds into dw itself), or null.</summary>
    private static Tensor? WeightGradientPartials(Tensor? dw, int workers) =>
        dw is null || workers <= 1 ? null : Allocate(dw.Device, [workers - 1, checked((int)dw.Numel)], zero: true, owned: true);

    private static BufferSlice? PartialFor(Tensor? dw, Tensor? partials, int worker) =>
        dw is null ? null : worker == 0 ? dw.Data : partials!.Data.Slice((worker - 1) * dw.Numel, dw.Numel);

    private static void AddPartials(IKernels kernels, Tensor? dw, Tensor? partials)
    {
        if (dw is null || partials is null) return;
        int rows = partials._shape[0];
        kernels.Elementwise(BinaryOp.CopyA, [rows, (int)dw.Numel], new(dw.Data, [0L, 1L]), new(partials.Data, [dw.Numel, 1L]), default, 1f,
            accumulate: true);
    }

    /// <summary>dB[K] += Σ over images and positions of g[N, K, P]: one strided reduction (the element-wise
    /// kernel sums each contiguous plane with independent partial sums).</summary>
    private static void AddBiasGradient(IKernels kernels, Tensor g, int n, int k, long plane, Tensor db) =>
        kernels.Elementwise(BinaryOp.CopyA, [n, k, checked((int)plane)], new(db.Data, [0L, 1L, 0L]),
            new(g.Data, [k * plane, plane, 1L]), default, 1f, accumulate: true);

    /// <summary>The backend's direct kernels: no column matrix at all. The forward and the weight gradient split
    /// their work into one share per worker (images, or bands of output rows when the batch is smaller than the
    /// worker count, so one large image still uses every core). The input gradient is gathered directly where
    /// <see cref="ConvGeometry.GathersInputGradient"/>, else scattered through a GEMM and col2im per image.</summary>
    private static Tensor ConvDirect(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry)
    {
        int n = input._shape[0], k = weight._shape[0];
        long plane = (long)geometry.OH * geometry.OW, imageIn = geometry.InputLength / n, imageOut = k * plane;
        long rows = geometry.ColumnRows, colLength = rows * plane;
        IKernels kernels = input.Kernels;
        double macs = (double)n * k * rows * plane;
        int parts = macs < MinParallelMacs ? 1 : kernels.Workers;
        var result = Allocate(input.Device, [n, k, geometry.OH, geometry.OW], zero: false);
        kernels.ParallelFor(parts, parts, (part, _, _) =>
            kernels.ConvDirect(input.Data, weight.Data, bias?.Data, geometry, k, result.Data, part, parts));
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record(result, "Conv2d", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dw = sink[1], db = bias is null ? null : sink[2];
            if (db is not null) AddBiasGradient(kernels, g, n, k, plane, db);
            if (dw is not null)
            {
                using var partials = WeightGradientPartials(dw, parts);
                kernels.ParallelFor(parts, parts, (part, _, _) =>
                    kernels.ConvDirectGradWeight(input.Data, g.Data, geometry, k, PartialFor(dw, partials, part)!.Value, part, parts));
                AddPartials(kernels, dw, partials);
            }
            if (dx is null) return;
            int workers = WorkersFor(kernels, n, macs);
            if (geometry.GathersInputGradient)
            {
                kernels.ParallelFor(n, workers, (_, start, end) =>
                    kernels.ConvDirectGradInput(weight.Data, g.Data.Slice(start * imageOut, (end - start) * imageOut), geometry.WithBatch(end - start), k,
                        dx.Data.Slice(start * imageIn, (end - start) * imageIn)));
                return;
            }
            using var col = Allocate(g.Device, [checked((int)(colLength * workers))], zero: false, owned: true);
            kernels.ParallelFor(n, workers, (worker, start, end) =>
            {
                BufferSlice mine = col.Data.Slice(worker * colLength, colLength);
                for (int b = start; b < end; b++)
                    ScatterInputGradient(kernels, weight.Data, g.Data.Slice(b * imageOut, imageOut), k, geometry, mine, dx.Data.Slice(b * imageIn, imageIn));
            });
        });
    }

    /// <summary>dX of one image (and group) += col2im(Wᵀ·g): w is [K, R], g [K, P], columns an [R, P] scratch.</summary>
    private static void ScatterInputGradient(IKernels kernels, BufferSlice w, BufferSlice g, int k, in ConvGeometry geometry,
        BufferSlice columns, BufferSlice dxImage)
    {
        int rows = (int)geometry.ColumnRows, plane = geometry.OH * geometry.OW;
        kernels.Gemm(true, false, rows, plane, k, 1f, w, rows, g, plane, 0f, columns, plane);
        kernels.Col2ImImage(columns, plane, 0, geometry, dxImage);
    }

    internal static void FillColumns(IKernels kernels, BufferSlice x, BufferSlice columns, in ConvGeometry geometry,
        int n, int c, int h, int w, int groups, long plane, long cols, long groupColumns)
    {
        if (groups == 1)
        {
            kernels.Im2Col(x, geometry, columns);
            return;
        }
        int cg = c / groups;
        for (int gi = 0; gi < groups; gi++)
            for (int b = 0; b < n; b++)
                kernels.Im2ColImage(x.Slice(((long)b * c + gi * cg) * h * w, (long)cg * h * w), geometry,
                    columns.Slice(gi * groupColumns, groupColumns), cols, b * plane);
    }
}
