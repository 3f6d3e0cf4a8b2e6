using ConvSharp.Backends;

namespace ConvSharp;

// 2-D convolution. Letters: N batch, C input channels, H×W input, K output channels, G groups, KH×KW kernel,
// OH×OW output. The op checks the arguments and says what to compute; the backend's plan (IKernels.Plan) decides
// how, once per shape: forward y = x ⋆ w + b, and in the backward dx += ConvBackwardData(w, g) and
// dw += ConvBackwardFilter(x, g), db += Σ g. Grouped and depthwise layers are the same three calls.
public partial class Tensor
{
    /// <summary>2-D convolution (PyTorch's <c>F.conv2d</c>) of input [N, C, H, W] with weight
    /// [K, C/groups, KH, KW] and optional bias [K]. Stride, padding and dilation take an int or an (h, w) pair.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Pair? stride = null, Pair? padding = null, Pair? dilation = null, int groups = 1) =>
        Conv2d(null, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>The same, with <paramref name="context"/> (a layer's repr) opening the message of a window that does not fit.</summary>
    internal static Tensor Conv2d(string? context, Tensor input, Tensor weight, Tensor? bias, Pair? stride, Pair? padding, Pair? dilation, int groups)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Pair p = padding ?? 0, s = stride ?? 1, d = dilation ?? 1;
        Tensor result = ConvCore(input, weight, bias, s, p, d, groups, context);
        Onnx.OnnxTrace.Current?.Conv(result, input, weight, bias, s, p.Height, p.Width, p.Height, p.Width, d, groups);
        return result;
    }

    /// <summary>2-D convolution with padding given by name: "valid" (none) or "same" (output size = input
    /// size; stride 1 only, extra padding on the bottom/right for even kernels, as PyTorch does).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, string padding, Pair? dilation = null, int groups = 1) =>
        Conv2d(null, input, weight, bias, padding, dilation, groups);

    /// <summary>The same, with <paramref name="context"/> (a layer's repr) opening the message of a window that does not fit.</summary>
    internal static Tensor Conv2d(string? context, Tensor input, Tensor weight, Tensor? bias, string padding, Pair? dilation, int groups)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Guard.NotNull(padding);
        Pair d = dilation ?? 1;
        if (padding == "valid") return Conv2d(context, input, weight, bias, 1, 0, d, groups);
        if (padding != "same")
            throw new ArgumentException($"Conv2d: padding '{padding}' is not one of \"same\", \"valid\".", nameof(padding));
        if (weight.Dim != 4)
            throw new ArgumentException($"Conv2d expects a 4-D weight [K, C/groups, KH, KW], but got shape {Guard.Format(weight._shape)}.", nameof(weight));
        int totalH = d.Height * (weight._shape[2] - 1), totalW = d.Width * (weight._shape[3] - 1);
        int top = totalH / 2, left = totalW / 2, bottom = totalH - top, right = totalW - left;
        if (top == bottom && left == right) return Conv2d(context, input, weight, bias, 1, (top, left), d, groups);
        Tensor padded = input.Pad(0, right - left, 0, bottom - top);
        Tensor result = ConvCore(padded, weight, bias, 1, (top, left), d, groups, context);
        if (!result.RequiresGrad) padded.Dispose();  // else the graph holds it until backward
        Onnx.OnnxTrace.Current?.Conv(result, input, weight, bias, 1, top, left, bottom, right, d, groups);
        return result;
    }

    /// <summary>Conv2d followed by ReLU as one op (what Sequential runs for a Conv2d directly followed by ReLU): the ReLU
    /// is the forward's epilogue, and the backward masks the incoming gradient in place by the fused output (y &gt; 0
    /// exactly where ReLU passes its gradient), then runs the convolution's backward — the same values as the two ops.</summary>
    internal static Tensor Conv2dRelu(string? context, Tensor input, Tensor weight, Tensor? bias, Pair stride, Pair padding, Pair dilation, int groups)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        return ConvCore(input, weight, bias, stride, padding, dilation, groups, context, relu: true);
    }

    private static Tensor ConvCore(Tensor input, Tensor weight, Tensor? bias, Pair stride, Pair padding, Pair dilation, int groups, string? context,
        bool relu = false)
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

        var geometry = new ConvGeometry(n, c, h, w, kh, kw, stride.Height, stride.Width, padding.Height, padding.Width, dilation.Height, dilation.Width,
            groups, context);
        IKernels kernels = input.Kernels;
        ConvPlan plan = kernels.Plan(geometry, k);
        var result = Allocate(input.Device, [n, k, geometry.OH, geometry.OW], zero: false);
        kernels.ConvForward(plan, input.Data, weight.Data, bias?.Data, result.Data, relu);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Record(result, relu ? "Conv2dReLU" : "Conv2d", inputs, (g, sink) =>
        {
            Tensor? dx = sink[0], dw = sink[1], db = bias is null ? null : sink[2];
            // g is this node's own gradient buffer (the engine drops it after this call): mask it where ReLU was closed.
            if (relu && (dx is not null || dw is not null || db is not null))
                kernels.Elementwise(BinaryOp.ReluMask, g.ShapeSpan, g.Contiguous(), g.Contiguous(), result.Contiguous());
            if (dw is not null || db is not null) kernels.ConvBackwardFilter(plan, input.Data, g.Data, dw?.Data, db?.Data);
            if (dx is not null) kernels.ConvBackwardData(plan, weight.Data, g.Data, dx.Data);
        });
    }
}
