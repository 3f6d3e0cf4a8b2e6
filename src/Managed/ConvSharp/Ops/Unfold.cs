using ConvSharp.Backends;

namespace ConvSharp;

// Unfold (im2col) and Fold (col2im), as torch.nn.functional.unfold/fold. The batched kernels lay columns out as
// [C·KH·KW, N, L]; PyTorch's [N, C·KH·KW, L] is a permute of that, done by one strided copy each way. Each op's
// backward is the other op: Fold is Unfold's adjoint (overlapping patches sum).
public partial class Tensor
{
    /// <summary>Extracts sliding local blocks (PyTorch's <c>F.unfold</c>): input [N, C, H, W] → [N, C·KH·KW, L],
    /// L the number of block positions, each column one flattened block (channel-major, then kernel rows).
    /// Convolution is then <c>weight.View(K, -1).MatMul(Unfold(x, ...))</c> reshaped to [N, K, OH, OW].</summary>
    public static Tensor Unfold(Tensor input, Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null)
    {
        Guard.NotNull(input);
        if (input.Dim != 4)
            throw new ArgumentException($"Unfold expects a 4-D input [N, C, H, W], but got shape {Guard.Format(input._shape)}.", nameof(input));
        ConvGeometry g = UnfoldGeometry("Unfold", input._shape[0], input._shape[1], input._shape[2], input._shape[3],
            kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
        int n = g.N, rows = checked((int)g.ColumnRows), l = g.OH * g.OW;
        int[] shape = [n, rows, l];
        long[] columnStrides = [l, (long)n * l, 1];  // (n, r, l) in the kernels' [r, n, l] layout
        var result = Allocate(input.Device, shape, zero: false);
        using (var columns = Allocate(input.Device, [rows, n, l], zero: false, owned: true))
        {
            input.Kernels.Im2Col(input.Data, g, columns.Data);
            input.Kernels.Elementwise(BinaryOp.CopyA, shape, result.Contiguous(), new(columns.Data, columnStrides), default);
        }
        return Record(result, "Unfold", [input], (grad, sink) =>
        {
            if (sink[0] is not { } dx) return;
            using var columns = Allocate(dx.Device, [rows, n, l], zero: false, owned: true);
            dx.Kernels.Elementwise(BinaryOp.CopyA, shape, new(columns.Data, columnStrides), grad.Contiguous(), default);
            dx.Kernels.Col2Im(columns.Data, g, dx.Data);
        });
    }

    /// <summary>Combines sliding local blocks into a tensor (PyTorch's <c>F.fold</c>, the adjoint of
    /// <see cref="Unfold"/>): input [N, C·KH·KW, L] → [N, C, outputSize.H, outputSize.W]; values of overlapping
    /// blocks are summed.</summary>
    public static Tensor Fold(Tensor input, Pair outputSize, Pair kernelSize, Pair? dilation = null, Pair? padding = null, Pair? stride = null)
    {
        Guard.NotNull(input);
        if (input.Dim != 3)
            throw new ArgumentException($"Fold expects a 3-D input [N, C·KH·KW, L], but got shape {Guard.Format(input._shape)}.", nameof(input));
        int kernelArea = kernelSize.Height * kernelSize.Width;
        if (kernelSize.Height < 1 || kernelSize.Width < 1 || input._shape[1] % kernelArea != 0)
            throw new ArgumentException(
                $"Fold: dimension 1 of the input ({input._shape[1]}, shape {Guard.Format(input._shape)}) must be a multiple of the kernel size {kernelSize.Height}x{kernelSize.Width} = {kernelArea}.", nameof(input));
        if (outputSize.Height < 1 || outputSize.Width < 1)
            throw new ArgumentException($"Fold: the output size {outputSize.Height}x{outputSize.Width} must be positive.", nameof(outputSize));
        ConvGeometry g = UnfoldGeometry("Fold", input._shape[0], input._shape[1] / kernelArea, outputSize.Height, outputSize.Width,
            kernelSize, dilation ?? 1, padding ?? 0, stride ?? 1);
        int n = g.N, rows = input._shape[1], l = g.OH * g.OW;
        if (input._shape[2] != l)
            throw new ArgumentException(
                $"Fold: the input has {input._shape[2]} blocks (shape {Guard.Format(input._shape)}), but an output of {outputSize.Height}x{outputSize.Width} " +
                $"with kernel {g.KH}x{g.KW}, dilation {g.DH}x{g.DW}, padding {g.PH}x{g.PW} and stride {g.SH}x{g.SW} has {g.OH}x{g.OW} = {l}.", nameof(input));
        int[] shape = [n, rows, l];
        long[] columnStrides = [l, (long)n * l, 1];
        var result = Allocate(input.Device, [n, g.C, g.H, g.W], zero: true);
        using (var columns = Allocate(input.Device, [rows, n, l], zero: false, owned: true))
        {
            input.Kernels.Elementwise(BinaryOp.CopyA, shape, new(columns.Data, columnStrides), input.Contiguous(), default);
            input.Kernels.Col2Im(columns.Data, g, result.Data);
        }
        return Record(result, "Fold", [input], (grad, sink) =>
        {
            if (sink[0] is not { } dx) return;
            using var columns = Allocate(dx.Device, [rows, n, l], zero: false, owned: true);
            dx.Kernels.Im2Col(grad.Data, g, columns.Data);
            dx.Kernels.Elementwise(BinaryOp.CopyA, shape, dx.Contiguous(), new(columns.Data, columnStrides), default, 1f, accumulate: true);
        });
    }

    private static ConvGeometry UnfoldGeometry(string op, int n, int c, int h, int w, Pair kernel, Pair dilation, Pair padding, Pair stride)
    {
        void Positive(Pair p, string what)
        {
            if (p.Height < 1 || p.Width < 1)
                throw new ArgumentException($"{op}: {what} must be positive, but is {p.Height}x{p.Width}.", what);
        }
        Positive(kernel, "kernelSize");
        Positive(dilation, "dilation");
        Positive(stride, "stride");
        if (padding.Height < 0 || padding.Width < 0)
            throw new ArgumentException($"{op}: padding must not be negative, but is {padding.Height}x{padding.Width}.", nameof(padding));
        long spanH = (long)dilation.Height * (kernel.Height - 1) + 1, spanW = (long)dilation.Width * (kernel.Width - 1) + 1;
        long paddedH = h + 2L * padding.Height, paddedW = w + 2L * padding.Width;
        if (spanH > paddedH || spanW > paddedW)
            throw new ArgumentException(
                $"{op}: the kernel {kernel.Height}x{kernel.Width} with dilation {dilation.Height}x{dilation.Width} spans {spanH}x{spanW}, " +
                $"larger than the padded input {paddedH}x{paddedW} (input {h}x{w}, padding {padding.Height}x{padding.Width}).", nameof(kernel));
        return new ConvGeometry(n, c, h, w, kernel.Height, kernel.Width, stride.Height, stride.Width,
            padding.Height, padding.Width, dilation.Height, dilation.Width);
    }
}
