using ConvSharp.Backends;
using static ConvSharp.Onnx.OnnxGraphBuilder;

namespace ConvSharp.Onnx;

// The ONNX mapping of each traceable op, called by a one-line hook in the op's file under Ops/. Opset 13-17 forms
// (Clip, Pad, Resize, ReduceSum and Softmax take their opset-13 inputs and axis meaning; ReduceMean/ReduceMax keep
// their axes attribute until opset 18).
internal sealed partial class OnnxTrace
{
    internal void Conv(Tensor y, Tensor x, Tensor w, Tensor? b, Pair stride, int top, int left, int bottom, int right, Pair dilation, int groups)
    {
        int kh = w.Size(2), kw = w.Size(3);
        Map(y, "Conv2d", [x, w, b], (g, i, o) => g.Node("Conv", i, o,
            Ints("dilations", dilation.Height, dilation.Width), Int("group", groups), Ints("kernel_shape", kh, kw),
            Ints("pads", top, left, bottom, right), Ints("strides", stride.Height, stride.Width)));
    }

    internal void ConvTranspose(Tensor y, Tensor x, Tensor w, Tensor? b, Pair stride, Pair padding, Pair outputPadding, Pair dilation, int groups)
    {
        int kh = w.Size(2), kw = w.Size(3);
        Map(y, "ConvTranspose2d", [x, w, b], (g, i, o) => g.Node("ConvTranspose", i, o,
            Ints("dilations", dilation.Height, dilation.Width), Int("group", groups), Ints("kernel_shape", kh, kw),
            Ints("output_padding", outputPadding.Height, outputPadding.Width),
            Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width), Ints("strides", stride.Height, stride.Width)));
    }

    /// <summary>x·Wᵀ + b: Gemm(transB = 1) for a 2-D input (what PyTorch writes for nn.Linear), else MatMul with Wᵀ.</summary>
    internal void Linear(Tensor y, Tensor x, Tensor w, Tensor? b)
    {
        bool twoD = x.Dim == 2;
        Map(y, "Linear", [x, w, b], (g, i, o) =>
        {
            if (twoD) { g.Node("Gemm", i, o, Int("transB", 1)); return; }
            string wt = g.Step("Transpose", [i[1]], Ints("perm", 1, 0));
            if (i.Length < 3 || i[2].Length == 0) { g.Node("MatMul", [i[0], wt], o); return; }
            g.Node("Add", [g.Step("MatMul", [i[0], wt]), i[2]], o);
        });
    }

    internal void MatMul(Tensor y, Tensor a, Tensor b) => Map(y, "MatMul", [a, b], (g, i, o) => g.Node("MatMul", i, o));

    internal void Binary(Tensor y, string name, Tensor a, Tensor b)
    {
        string? op = name switch
        {
            "Add" or "Sub" or "Mul" or "Div" or "Pow" => name,
            "Maximum" => "Max",
            "Minimum" => "Min",
            _ => null,
        };
        if (op is null) return;  // stays unmapped: refused if the output is read
        Map(y, name, [a, b], (g, i, o) => g.Node(op, i, o));
    }

    internal void Unary(Tensor y, Tensor x, UnaryOp op, string name, float alpha, float beta)
    {
        OnnxEmit emit = op switch
        {
            UnaryOp.Neg => Simple("Neg"),
            UnaryOp.Exp => Simple("Exp"),
            UnaryOp.Log => Simple("Log"),
            UnaryOp.Sqrt => Simple("Sqrt"),
            UnaryOp.Abs => Simple("Abs"),
            UnaryOp.Relu => Simple("Relu"),
            UnaryOp.Sigmoid => Simple("Sigmoid"),
            UnaryOp.Tanh => Simple("Tanh"),
            UnaryOp.LeakyRelu => (g, i, o) => g.Node("LeakyRelu", i, o, Float("alpha", alpha)),
            UnaryOp.Elu => (g, i, o) => g.Node("Elu", i, o, Float("alpha", alpha)),
            UnaryOp.Pow => (g, i, o) => g.Node("Pow", [i[0], g.Constant([alpha])], o),
            UnaryOp.Clamp => (g, i, o) => g.Node("Clip", [i[0], g.Constant([alpha]), g.Constant([beta])], o),
            // Gelu is an ONNX op only from opset 20: the exact (erf) form, as PyTorch writes it for opset 17.
            UnaryOp.Gelu => (g, i, o) =>
            {
                string erf = g.Step("Erf", [g.Step("Div", [i[0], g.Constant([MathF.Sqrt(2f)])])]);
                string half = g.Step("Mul", [i[0], g.Step("Add", [erf, g.Constant([1f])])]);
                g.Node("Mul", [half, g.Constant([0.5f])], o);
            },
            UnaryOp.Affine => (g, i, o) =>
            {
                if (beta == 0f) g.Node("Mul", [i[0], g.Constant([alpha])], o);
                else if (alpha == 1f) g.Node("Add", [i[0], g.Constant([beta])], o);
                else g.Node("Add", [g.Step("Mul", [i[0], g.Constant([alpha])]), g.Constant([beta])], o);
            },
            _ => null!,
        };
        if (emit is null) return;
        Map(y, name, [x], emit);
    }

    private static OnnxEmit Simple(string op) => (g, i, o) => g.Node(op, i, o);

    internal void Softmax(Tensor y, Tensor x, int dim, bool log)
    {
        string name = log ? "LogSoftmax" : "Softmax";
        if (x.Dim == 0) { Map(y, name, [x], (g, i, o) => g.Node("Identity", i, o)); return; }
        int axis = x.NormalizeDim(dim);
        Map(y, name, [x], (g, i, o) => g.Node(name, i, o, Int("axis", axis)));
    }

    internal void Reduce(Tensor y, Tensor x, bool[] mask, bool keepDim, bool mean)
    {
        string name = mean ? "Mean" : "Sum";
        long[] axes = Enumerable.Range(0, mask.Length).Where(d => mask[d]).Select(d => (long)d).ToArray();
        if (axes.Length == 0) { Map(y, name, [x], (g, i, o) => g.Node("Identity", i, o)); return; }
        int keep = keepDim ? 1 : 0;
        Map(y, name, [x], (g, i, o) =>
        {
            if (mean) g.Node("ReduceMean", i, o, Ints("axes", axes), Int("keepdims", keep));
            else g.Node("ReduceSum", [i[0], g.Ints(axes)], o, Int("keepdims", keep));
        });
    }

    /// <summary>Max along a dimension: the values as ReduceMax, the (float) indices as ArgMax then Cast.</summary>
    internal void Max(Tensor values, Tensor indices, Tensor x, int dim, bool keepDim)
    {
        int keep = keepDim ? 1 : 0;
        Map(values, "Max", [x], (g, i, o) => g.Node("ReduceMax", i, o, Ints("axes", dim), Int("keepdims", keep)));
        Map(indices, "ArgMax", [x], (g, i, o) =>
            g.Node("Cast", [g.Step("ArgMax", i, Int("axis", dim), Int("keepdims", keep))], o, Int("to", (long)Protobuf.TensorProto.Types.DataType.Float)));
    }

    /// <summary>Reshape to the traced shape, written so the batch can change: a kept first dimension is 0 (copy),
    /// a first dimension that changed is -1 (inferred).</summary>
    internal void Reshape(Tensor y, Tensor x)
    {
        int[] from = x.Shape, to = y.Shape;
        long[] shape = to.Select(d => (long)d).ToArray();
        if (from.Length > 0 && to.Length > 0) shape[0] = from[0] == to[0] ? 0 : -1;
        Map(y, "Reshape", [x], (g, i, o) => g.Node("Reshape", [i[0], g.Ints(shape)], o));
    }

    internal void Permute(Tensor y, Tensor x, int[] order)
    {
        long[] perm = order.Select(d => (long)d).ToArray();
        Map(y, "Permute", [x], (g, i, o) => g.Node("Transpose", i, o, Ints("perm", perm)));
    }

    internal void Slice(Tensor y, Tensor x, int dim, int start, int length, int step) =>
        Map(y, "Slice", [x], (g, i, o) => g.Node("Slice", [i[0], g.Ints(start), g.Ints(start + (long)(length - 1) * step + 1), g.Ints(dim), g.Ints(step)], o));

    internal void Concat(Tensor y, Tensor[] inputs, int dim) =>
        Map(y, "Cat", inputs, (g, i, o) => g.Node("Concat", i, o, Int("axis", dim)));

    internal void Pad(Tensor y, Tensor x, int left, int right, int top, int bottom, float value)
    {
        int rank = x.Dim;
        var pads = new long[2 * rank];
        pads[rank - 2] = top; pads[rank - 1] = left; pads[2 * rank - 2] = bottom; pads[2 * rank - 1] = right;
        Map(y, "Pad", [x], (g, i, o) => g.Node("Pad", [i[0], g.Ints(pads), g.Constant([value])], o, String("mode", "constant")));
    }

    /// <summary>Upsample as Resize: nearest is PyTorch's asymmetric/floor; bilinear maps align_corners to
    /// "align_corners", else "pytorch_half_pixel". Integer factors go as scales; other sizes as a sizes tensor built
    /// from the input's own shape, so the batch stays free.</summary>
    internal void Resize(Tensor y, Tensor x, bool bilinear, bool alignCorners, (double Height, double Width)? factor)
    {
        int h = x.Size(2), w = x.Size(3), oh = y.Size(2), ow = y.Size(3);
        bool integral = oh % h == 0 && ow % w == 0 && (factor is null || (factor.Value.Height == oh / h && factor.Value.Width == ow / w));
        var attributes = bilinear
            ? new[] { String("mode", "linear"), String("coordinate_transformation_mode", alignCorners ? "align_corners" : "pytorch_half_pixel") }
            : new[] { String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor") };
        Map(y, bilinear ? "UpsampleBilinear" : "UpsampleNearest", [x], (g, i, o) =>
        {
            if (integral)
            {
                g.Node("Resize", [i[0], "", g.Constant([1f, 1f, oh / h, ow / w], 4)], o, attributes);
                return;
            }
            string nc = g.Step("Slice", [g.Step("Shape", [i[0]]), g.Ints(0), g.Ints(2), g.Ints(0)]);
            string sizes = g.Step("Concat", [nc, g.Ints(oh, ow)], Int("axis", 0));
            g.Node("Resize", [i[0], "", "", sizes], o, attributes);
        });
    }

    internal void MaxPool(Tensor y, Tensor x, Pair kernel, Pair stride, Pair padding, Pair dilation, bool ceilMode)
    {
        if (x.Dim != 4) { Refuse(y, "MaxPool2d", [x], "ONNX pooling needs a 4-D [N, C, H, W] input"); return; }
        Map(y, "MaxPool2d", [x], (g, i, o) => g.Node("MaxPool", i, o, Int("ceil_mode", ceilMode ? 1 : 0),
            Ints("dilations", dilation.Height, dilation.Width), Ints("kernel_shape", kernel.Height, kernel.Width),
            Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width), Ints("strides", stride.Height, stride.Width)));
    }

    internal void AvgPool(Tensor y, Tensor x, Pair kernel, Pair stride, Pair padding, bool ceilMode, bool countIncludePad, int? divisorOverride)
    {
        if (x.Dim != 4) { Refuse(y, "AvgPool2d", [x], "ONNX pooling needs a 4-D [N, C, H, W] input"); return; }
        if (divisorOverride is not null) { Refuse(y, "AvgPool2d", [x], $"ONNX AveragePool has no divisor_override (got {divisorOverride})"); return; }
        Map(y, "AvgPool2d", [x], (g, i, o) => g.Node("AveragePool", i, o, Int("ceil_mode", ceilMode ? 1 : 0),
            Int("count_include_pad", countIncludePad ? 1 : 0), Ints("kernel_shape", kernel.Height, kernel.Width),
            Ints("pads", padding.Height, padding.Width, padding.Height, padding.Width), Ints("strides", stride.Height, stride.Width)));
    }

    /// <summary>Adaptive and global pools: global when the output is one value per plane, a plain pool when the output
    /// size divides the input size (every window then has the same size and step), else refused.</summary>
    internal void AdaptivePool(Tensor y, Tensor x, bool max, string name)
    {
        if (x.Dim != 4) { Refuse(y, name, [x], "ONNX pooling needs a 4-D [N, C, H, W] input"); return; }
        int h = x.Size(2), w = x.Size(3);
        bool flat = y.Dim == 2;
        int oh = flat ? 1 : y.Size(2), ow = flat ? 1 : y.Size(3);
        if (oh == 1 && ow == 1)
        {
            Map(y, name, [x], (g, i, o) =>
            {
                string op = max ? "GlobalMaxPool" : "GlobalAveragePool";
                if (!flat) { g.Node(op, i, o); return; }
                g.Node("Flatten", [g.Step(op, i)], o, Int("axis", 1));
            });
            return;
        }
        if (h % oh != 0 || w % ow != 0)
        {
            Refuse(y, name, [x], $"an adaptive pool from {h}x{w} to {oh}x{ow} has windows of different sizes, which no ONNX pool computes");
            return;
        }
        int kh = h / oh, kw = w / ow;
        Map(y, name, [x], (g, i, o) => g.Node(max ? "MaxPool" : "AveragePool", i, o, Ints("kernel_shape", kh, kw), Ints("strides", kh, kw)));
    }

    internal void BatchNorm(Tensor y, Tensor x, Tensor? mean, Tensor? variance, Tensor? weight, Tensor? bias, bool batchStatistics, float eps)
    {
        if (batchStatistics || mean is null || variance is null)
        {
            Refuse(y, "BatchNorm", [x], "batch statistics (training mode, or no running statistics) have no ONNX inference form; call model.Eval()");
            return;
        }
        int channels = x.Size(1);
        Map(y, "BatchNorm", [x, weight, bias, mean, variance], (g, i, o) =>
        {
            string scale = i[1].Length > 0 ? i[1] : g.Constant(Enumerable.Repeat(1f, channels).ToArray(), channels);
            string shift = i[2].Length > 0 ? i[2] : g.Constant(new float[channels], channels);
            g.Node("BatchNormalization", [i[0], scale, shift, i[3], i[4]], o, Float("epsilon", eps));
        });
    }
}
