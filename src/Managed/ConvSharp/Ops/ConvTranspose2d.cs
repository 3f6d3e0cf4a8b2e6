using ConvSharp.Backends;

namespace ConvSharp;

// Transposed convolution: the adjoint of Conv2d. Letters: input [N, Cin, H, W], weight [Cin, Cout/G, KH, KW],
// output [N, Cout, OH, OW] with OH = (H − 1)·S − 2P + D·(KH − 1) + OP + 1. It is the input gradient of the
// convolution from Cout to Cin channels over the OH×OW output (its weight [Cin, Cout/G, KH, KW] is that
// convolution's), so the forward is that plan's ConvBackwardData; the backward is its forward (dx = conv(g)) and its
// ConvBackwardFilter with the roles of input and output gradient swapped (dW += filter gradient of g against x).
public partial class Tensor
{
    /// <summary>2-D transposed convolution (PyTorch's <c>F.conv_transpose2d</c>) of input [N, Cin, H, W] with weight
    /// [Cin, Cout/groups, KH, KW] and optional bias [Cout].</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, Pair? stride = null, Pair? padding = null,
        Pair? outputPadding = null, int groups = 1, Pair? dilation = null)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Guard.Positive(groups);
        Pair s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        if (input.Dim != 4)
            throw new ArgumentException($"ConvTranspose2d expects a 4-D input [N, C, H, W], but got shape {Guard.Format(input._shape)}.", nameof(input));
        if (weight.Dim != 4)
            throw new ArgumentException($"ConvTranspose2d expects a 4-D weight [Cin, Cout/groups, KH, KW], but got shape {Guard.Format(weight._shape)}.", nameof(weight));
        input.CheckSameDevice(weight, "ConvTranspose2d");
        int n = input._shape[0], cin = input._shape[1], h = input._shape[2], w = input._shape[3];
        int cg = weight._shape[1], kh = weight._shape[2], kw = weight._shape[3], cout = cg * groups;
        if (weight._shape[0] != cin)
            throw new ArgumentException($"ConvTranspose2d: the weight {Guard.Format(weight._shape)} expects {weight._shape[0]} input channels, but the input {Guard.Format(input._shape)} has {cin}.", nameof(input));
        if (cin % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: {cin} input channels must be divisible by groups = {groups}.", nameof(groups));
        if (op.Height < 0 || op.Width < 0 || (op.Height >= s.Height && op.Height >= d.Height) || (op.Width >= s.Width && op.Width >= d.Width))
            throw new ArgumentException($"ConvTranspose2d: output padding ({op.Height}, {op.Width}) must be smaller than the stride ({s.Height}, {s.Width}) or the dilation ({d.Height}, {d.Width}).", nameof(outputPadding));
        if (bias is not null && (bias.Dim != 1 || bias._shape[0] != cout))
            throw new ArgumentException($"ConvTranspose2d: the bias must have shape [{cout}], but has {Guard.Format(bias._shape)}.", nameof(bias));
        int oh = (h - 1) * s.Height - 2 * p.Height + d.Height * (kh - 1) + op.Height + 1;
        int ow = (w - 1) * s.Width - 2 * p.Width + d.Width * (kw - 1) + op.Width + 1;
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"ConvTranspose2d: the output would be {oh}x{ow} for input {h}x{w}; the padding ({p.Height}, {p.Width}) is too large.", nameof(padding));

        // The convolution this is the adjoint of: Cg channels of OH×OW in, H + ⌊OP/S⌋ rows out (an output padding of a
        // stride or more, allowed when the dilation is larger, adds virtual input rows: they are zeros, so the input is
        // padded to match, and Pad's backward drops their gradient).
        var geometry = new ConvGeometry(n, cout, oh, ow, kh, kw, s.Height, s.Width, p.Height, p.Width, d.Height, d.Width, groups);
        Tensor source = input;
        if (geometry.OH != h || geometry.OW != w)
        {
            source = input.Pad(0, geometry.OW - w, 0, geometry.OH - h);
            (h, w) = (geometry.OH, geometry.OW);
        }
        IKernels kernels = source.Kernels;
        ConvPlan plan = kernels.Plan(geometry, cin);
        var result = Allocate(source.Device, [n, cout, oh, ow], zero: true);
        kernels.ConvBackwardData(plan, weight.Data, source.Data, result.Data);
        long outPlane = (long)oh * ow;
        if (bias is not null)
            kernels.Elementwise(BinaryOp.CopyA, [n, cout, (int)outPlane], result.Contiguous3(n, cout, outPlane), new(bias.Data, [0L, 1L, 0L]), default, 1f, accumulate: true);

        if (!ReferenceEquals(source, input) && !WillRecord(input, weight) && (bias is null || !bias.RequiresGrad)) source.Dispose();
        Tensor[] inputs = bias is null ? [source, weight] : [source, weight, bias];
        Onnx.OnnxTrace.Current?.ConvTranspose(result, input, weight, bias, s, p, op, d, groups);
        return Record(result, "ConvTranspose2d", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dw = sink[1], db = bias is null ? null : sink[2];
            if (db is not null)
                kernels.Elementwise(BinaryOp.CopyA, [n, cout, (int)outPlane], new(db.Data, [0L, 1L, 0L]), g.Contiguous3(n, cout, outPlane), default, 1f, accumulate: true);
            if (dw is not null) kernels.ConvBackwardFilter(plan, g.Data, source.Data, dw.Data, null);
            if (dx is null) return;
            // The forward overwrites its output; dx accumulates.
            using var forward = Allocate(g.Device, dx._shape, zero: false, owned: true);
            kernels.ConvForward(plan, g.Data, weight.Data, null, forward.Data);
            kernels.Elementwise(BinaryOp.Add, [checked((int)dx.Numel)], new(dx.Data, [1L]), new(dx.Data, [1L]), new(forward.Data, [1L]));
        });
    }

    /// <summary>This [N, C, P…] tensor as an operand over the iteration shape [N, C, P].</summary>
    private StridedOperand Contiguous3(int n, int c, long plane) => new(Data, new long[] { c * plane, plane, 1L });
}
