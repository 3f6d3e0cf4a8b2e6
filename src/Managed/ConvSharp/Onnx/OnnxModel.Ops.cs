using ConvSharp.Onnx.Protobuf;

namespace ConvSharp.Onnx;

// How each ONNX op runs as ConvSharp ops (opset 7 onwards; where an opset moved an attribute into an input, both).
public sealed partial class OnnxModel
{
    private OnnxValue Run(OnnxStep s, OnnxValue?[] inputs)
    {
        string at = s.Where;
        Tensor X(int i = 0) => (inputs.Length > i ? inputs[i] : null)?.Float(at) ?? throw new InvalidDataException($"{at}: input {i} is missing.");
        Tensor? Optional(int i) => inputs.Length > i ? inputs[i]?.Float(at) : null;
        long[]? IntsInput(int i) => inputs.Length > i && inputs[i] is { } v ? v.Integers(at) : null;
        OnnxValue T(Tensor t) => OnnxValue.Of(t);

        switch (s.Node.OpType)
        {
            case "Conv": return T(Conv(s, X(), X(1), Optional(2)));
            case "ConvTranspose": return T(ConvTranspose(s, X(), X(1), Optional(2)));
            case "Gemm": return T(Gemm(s, X(), X(1), Optional(2)));
            case "MatMul": return T(X().MatMul(X(1)));
            case "Add" or "Sub" or "Mul" or "Div" when inputs[0]?.Tensor is null && inputs[1]?.Tensor is null:
                return IntArithmetic(s.Node.OpType, inputs[0]!, inputs[1]!);
            case "Add": return T(X() + X(1));
            case "Sub": return T(X() - X(1));
            case "Mul": return T(X() * X(1));
            case "Div": return T(X() / X(1));
            case "Pow":
                return inputs[1]?.Tensor is { Numel: 1 } e && _constants.ContainsKey(s.Node.Input[1]) ? T(X().Pow(e.Item())) : T(Tensor.Pow(X(), X(1)));
            case "Max" or "Min":
            {
                Tensor acc = X();
                for (int i = 1; i < inputs.Length; i++) acc = s.Node.OpType == "Max" ? Tensor.Maximum(acc, X(i)) : Tensor.Minimum(acc, X(i));
                return T(acc);
            }
            case "Relu": return T(X().Relu());
            case "LeakyRelu": return T(X().LeakyRelu(s.Float("alpha", 0.01f)));
            case "Elu": return T(X().Elu(s.Float("alpha", 1f)));
            case "Gelu": return T(X().Gelu());
            case "Sigmoid": return T(X().Sigmoid());
            case "Tanh": return T(X().Tanh());
            case "Exp": return T(X().Exp());
            case "Log": return T(X().Log());
            case "Sqrt": return T(X().Sqrt());
            case "Abs": return T(X().Abs());
            case "Neg": return T(X().Neg());
            case "Softmax" or "LogSoftmax": return T(Softmax(s, X()));
            case "MaxPool": return T(Pool(s, X(), max: true));
            case "AveragePool": return T(Pool(s, X(), max: false));
            case "GlobalAveragePool": return T(Tensor.GlobalAvgPool2d(X(), keepDim: true));
            case "GlobalMaxPool": return T(Tensor.GlobalMaxPool2d(X(), keepDim: true));
            case "BatchNormalization":
                // ONNX's momentum weighs the old running value; PyTorch's (and ConvSharp's) the new batch statistic.
                return T(Tensor.BatchNorm(X(), X(3), X(4), X(1), X(2), training: IsTraining, momentum: 1f - s.Float("momentum", 0.9f), eps: s.Float("epsilon", 1e-5f)));
            case "Dropout":
            {
                float ratio = inputs.Length > 1 && inputs[1]?.Tensor is { } r ? r.Item() : s.Float("ratio", 0.5f);
                return IsTraining && ratio > 0f ? T(X().Dropout(ratio, training: true)) : inputs[0]!;
            }
            case "Identity": return inputs[0]!;
            case "Flatten":
            {
                Tensor x = X();
                int axis = (int)s.Int("axis", 1);
                if (axis < 0) axis += x.Dim;
                int outer = x.Shape.Take(axis).Aggregate(1, (a, b) => a * b);
                return T(x.Reshape(outer, -1));
            }
            case "Reshape": return Reshape(s, inputs[0]!, IntsInput(1) ?? throw new InvalidDataException($"{at}: no target shape."));
            case "Transpose":
            {
                Tensor x = X();
                long[] perm = s.Ints("perm") ?? Enumerable.Range(0, x.Dim).Reverse().Select(d => (long)d).ToArray();
                return T(x.Permute(perm.Select(d => (int)d).ToArray()));
            }
            case "Concat": return Concat(s, inputs);
            case "Pad": return T(Pad(s, X(), IntsInput(1), Optional(2)));
            case "Resize": return T(Resize(s, X(), inputs));
            case "Clip":
            {
                float min = Opset >= 11 ? (Optional(1)?.Item() ?? float.MinValue) : s.Float("min", float.MinValue);
                float max = Opset >= 11 ? (Optional(2)?.Item() ?? float.MaxValue) : s.Float("max", float.MaxValue);
                return T(X().Clamp(min, max));
            }
            case "ReduceSum" or "ReduceMean" or "ReduceMax": return T(Reduce(s, X(), inputs));
            case "ArgMax":
            {
                if (s.Int("select_last_index", 0) != 0) throw new NotSupportedException($"{at}: select_last_index = 1 is not supported.");
                return T(X().ArgMax((int)s.Int("axis", 0), keepDim: s.Int("keepdims", 1) != 0));
            }
            case "Shape":
            {
                int[] dims = inputs[0]!.Dims;
                int rank = dims.Length, start = (int)s.Int("start", 0), end = (int)s.Int("end", rank);
                if (start < 0) start += rank;
                if (end < 0) end += rank;
                start = Math.Clamp(start, 0, rank); end = Math.Clamp(end, start, rank);
                return OnnxValue.OfInts(dims[start..end].Select(d => (long)d).ToArray(), [end - start]);
            }
            case "Gather": return Gather(s, inputs[0]!, inputs[1]!);
            case "Unsqueeze" or "Squeeze": return Squeeze(s, inputs[0]!, s.Ints("axes") ?? IntsInput(1));
            case "Slice": return Slice(s, inputs);
            case "Cast":
            {
                var to = (TensorProto.Types.DataType)s.Int("to", 0);
                OnnxValue v = inputs[0]!;
                return to switch
                {
                    TensorProto.Types.DataType.Float => v.Tensor is not null ? v : T(Tensor.FromArray(v.Ints!.Select(x => (float)x).ToArray(), v.Dims)),
                    TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 => v.Ints is not null ? v : OnnxValue.OfInts(v.Integers(at), v.Dims),
                    _ => throw new NotSupportedException($"{at}: a cast to {to} is not supported (float32 and int64 only)."),
                };
            }
            default: throw new NotSupportedException($"{at}: op {s.Node.OpType} is not supported.");
        }
    }

    /// <summary>Pads (top, left, bottom, right) of a 2-D window op: explicit, or from auto_pad.</summary>
    private static (int T, int L, int B, int R) Pads(OnnxStep s, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw)
    {
        string auto = s.String("auto_pad", "NOTSET");
        if (auto is "NOTSET" or "")
        {
            long[] p = s.Ints("pads") ?? [0, 0, 0, 0];
            if (p.Length != 4) throw new NotSupportedException($"{s.Where}: pads {Guard.Format(p.Select(v => (int)v).ToArray())} are not those of a 2-D window; only 2-D ops are supported.");
            return ((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
        }
        if (auto == "VALID") return (0, 0, 0, 0);
        int Total(int size, int k, int stride, int d) => Math.Max(0, ((size + stride - 1) / stride - 1) * stride + (k - 1) * d + 1 - size);
        int th = Total(h, kh, sh, dh), tw = Total(w, kw, sw, dw);
        return auto == "SAME_UPPER" ? (th / 2, tw / 2, th - th / 2, tw - tw / 2) : (th - th / 2, tw - tw / 2, th / 2, tw / 2);
    }

    private static (int H, int W) Pair2(OnnxStep s, string name, int fallback)
    {
        long[]? v = s.Ints(name);
        if (v is null) return (fallback, fallback);
        if (v.Length != 2) throw new NotSupportedException($"{s.Where}: {name} has {v.Length} values; only 2-D ops are supported.");
        return ((int)v[0], (int)v[1]);
    }

    private static Tensor Conv(OnnxStep s, Tensor x, Tensor w, Tensor? b)
    {
        if (x.Dim != 4) throw new NotSupportedException($"{s.Where}: a {x.Dim}-D input; only 2-D convolution ([N, C, H, W]) is supported.");
        var (sh, sw) = Pair2(s, "strides", 1);
        var (dh, dw) = Pair2(s, "dilations", 1);
        var (t, l, bo, r) = Pads(s, x.Size(2), x.Size(3), w.Size(2), w.Size(3), sh, sw, dh, dw);
        int ph = Math.Min(t, bo), pw = Math.Min(l, r);
        if (t != bo || l != r) x = x.Pad(l - pw, r - pw, t - ph, bo - ph);
        return Tensor.Conv2d(x, w, b, (sh, sw), (ph, pw), (dh, dw), (int)s.Int("group", 1));
    }

    private static Tensor ConvTranspose(OnnxStep s, Tensor x, Tensor w, Tensor? b)
    {
        if (x.Dim != 4) throw new NotSupportedException($"{s.Where}: a {x.Dim}-D input; only 2-D transposed convolution is supported.");
        if (s.Ints("output_shape") is not null) throw new NotSupportedException($"{s.Where}: output_shape is not supported; give pads and output_padding.");
        if (s.String("auto_pad", "NOTSET") is not ("NOTSET" or "")) throw new NotSupportedException($"{s.Where}: auto_pad is not supported for ConvTranspose.");
        var (sh, sw) = Pair2(s, "strides", 1);
        var (dh, dw) = Pair2(s, "dilations", 1);
        var (oh, ow) = Pair2(s, "output_padding", 0);
        long[] p = s.Ints("pads") ?? [0, 0, 0, 0];
        if (p.Length != 4 || p[0] != p[2] || p[1] != p[3])
            throw new NotSupportedException($"{s.Where}: asymmetric pads {Guard.Format(p.Select(v => (int)v).ToArray())} are not supported for ConvTranspose.");
        return Tensor.ConvTranspose2d(x, w, b, (sh, sw), ((int)p[0], (int)p[1]), (oh, ow), (int)s.Int("group", 1), (dh, dw));
    }

    private static Tensor Gemm(OnnxStep s, Tensor a, Tensor b, Tensor? c)
    {
        float alpha = s.Float("alpha", 1f), beta = s.Float("beta", 1f);
        bool ta = s.Int("transA", 0) != 0, tb = s.Int("transB", 0) != 0;
        if (!ta && tb && alpha == 1f && beta == 1f) return Tensor.Linear(a, b, c);  // PyTorch's nn.Linear
        Tensor y = (ta ? a.T : a).MatMul(tb ? b.T : b);
        if (alpha != 1f) y *= alpha;
        if (c is not null) y += beta == 1f ? c : c * beta;
        return y;
    }

    private Tensor Softmax(OnnxStep s, Tensor x)
    {
        bool log = s.Node.OpType == "LogSoftmax";
        if (Opset >= 13 || x.Dim == 0)
        {
            int axis = (int)s.Int("axis", -1);
            return log ? x.LogSoftmax(axis) : x.Softmax(axis);
        }
        // Before opset 13 the input is seen as 2-D: dimensions before axis are rows, the rest one row each.
        int a = (int)s.Int("axis", 1);
        if (a < 0) a += x.Dim;
        int[] shape = x.Shape;
        int rows = shape.Take(a).Aggregate(1, (p, d) => p * d);
        Tensor flat = x.Reshape(rows, -1);
        return (log ? flat.LogSoftmax(1) : flat.Softmax(1)).Reshape(shape);
    }

    private static Tensor Pool(OnnxStep s, Tensor x, bool max)
    {
        if (x.Dim != 4) throw new NotSupportedException($"{s.Where}: a {x.Dim}-D input; only 2-D pooling ([N, C, H, W]) is supported.");
        var (kh, kw) = Pair2(s, "kernel_shape", 0);
        if (kh < 1 || kw < 1) throw new InvalidDataException($"{s.Where}: kernel_shape is missing or not positive.");
        var (sh, sw) = Pair2(s, "strides", 1);
        var (dh, dw) = max ? Pair2(s, "dilations", 1) : (1, 1);
        bool ceil = s.Int("ceil_mode", 0) != 0;
        var (t, l, b, r) = Pads(s, x.Size(2), x.Size(3), kh, kw, sh, sw, dh, dw);
        int ph = Math.Min(t, b), pw = Math.Min(l, r);
        bool countIncludePad = s.Int("count_include_pad", 0) != 0;
        if (t != b || l != r)
        {
            if (!max && !countIncludePad)
                throw new NotSupportedException($"{s.Where}: asymmetric pads with count_include_pad = 0 are not supported.");
            x = x.Pad(l - pw, r - pw, t - ph, b - ph, max ? float.NegativeInfinity : 0f);
        }
        return max
            ? x.MaxPool2d((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil)
            : x.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, countIncludePad);
    }

    private OnnxValue Reshape(OnnxStep s, OnnxValue data, long[] shape)
    {
        bool allowZero = s.Int("allowzero", 0) != 0;
        int[] dims = data.Dims;
        int[] target = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            target[i] = shape[i] == 0 && !allowZero ? (i < dims.Length ? dims[i] : throw new InvalidDataException($"{s.Where}: shape {Guard.Format(shape.Select(v => (int)v).ToArray())} copies dimension {i} of a {dims.Length}-D input."))
                : checked((int)shape[i]);
        if (data.Tensor is { } t) return OnnxValue.Of(t.Reshape(target));
        int known = target.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
        for (int i = 0; i < target.Length; i++) if (target[i] == -1) target[i] = data.Ints!.Length / Math.Max(known, 1);
        return OnnxValue.OfInts(data.Ints!, target);
    }

    private static OnnxValue Concat(OnnxStep s, OnnxValue?[] inputs)
    {
        var present = inputs.Where(v => v is not null).Select(v => v!).ToArray();
        int axis = (int)s.Int("axis", 0);
        if (present.All(v => v.Tensor is not null)) return OnnxValue.Of(Tensor.Cat(present.Select(v => v.Tensor!).ToArray(), axis));
        if (present.Any(v => v.Dims.Length > 1))
            throw new NotSupportedException($"{s.Where}: Concat of int64 tensors with more than one dimension is not supported.");
        long[] all = present.SelectMany(v => v.Integers(s.Where)).ToArray();
        return OnnxValue.OfInts(all, [all.Length]);
    }

    private Tensor Pad(OnnxStep s, Tensor x, long[]? padsInput, Tensor? value)
    {
        if (s.String("mode", "constant") != "constant") throw new NotSupportedException($"{s.Where}: mode '{s.String("mode", "")}' is not supported (constant only).");
        long[] pads = (Opset >= 11 ? padsInput : s.Ints("pads")) ?? throw new InvalidDataException($"{s.Where}: no pads.");
        float fill = Opset >= 11 ? (value?.Item() ?? 0f) : s.Float("value", 0f);
        int rank = x.Dim;
        if (pads.Length != 2 * rank) throw new InvalidDataException($"{s.Where}: {pads.Length} pads for a {rank}-D input (needs {2 * rank}).");
        for (int d = 0; d < rank - 2; d++)
            if (pads[d] != 0 || pads[rank + d] != 0) throw new NotSupportedException($"{s.Where}: padding dimension {d} is not supported (only the last two).");
        if (pads.Any(p => p < 0)) throw new NotSupportedException($"{s.Where}: negative pads (cropping) are not supported.");
        return x.Pad((int)pads[rank - 1], (int)pads[2 * rank - 1], (int)pads[rank - 2], (int)pads[2 * rank - 2], fill);
    }

    private Tensor Resize(OnnxStep s, Tensor x, OnnxValue?[] inputs)
    {
        string mode = s.String("mode", "nearest");
        string ctm = s.String("coordinate_transformation_mode", "half_pixel");
        bool bilinear;
        bool alignCorners = false;
        if (mode == "nearest")
        {
            string nearest = s.String("nearest_mode", "round_prefer_floor");
            if (ctm != "asymmetric" || nearest != "floor")
                throw new NotSupportedException($"{s.Where}: nearest resizing with coordinate_transformation_mode '{ctm}' and nearest_mode '{nearest}' is not supported (PyTorch's form is 'asymmetric' with 'floor').");
            bilinear = false;
        }
        else if (mode == "linear")
        {
            if (ctm is not ("align_corners" or "half_pixel" or "pytorch_half_pixel"))
                throw new NotSupportedException($"{s.Where}: linear resizing with coordinate_transformation_mode '{ctm}' is not supported.");
            bilinear = true;
            alignCorners = ctm == "align_corners";
        }
        else throw new NotSupportedException($"{s.Where}: mode '{mode}' is not supported (nearest and linear).");
        string m = bilinear ? "bilinear" : "nearest";
        int scalesAt = Opset >= 11 ? 2 : 1;
        if (Opset >= 11 && inputs.Length > 3 && inputs[3] is { } sizes && sizes.Dims.Aggregate(1, (a, b) => a * b) == 4)
        {
            long[] v = sizes.Integers(s.Where);
            return x.Upsample(((int)v[2], (int)v[3]), m, alignCorners);
        }
        if (inputs.Length > scalesAt && inputs[scalesAt]?.Tensor is { Numel: 4 } scales)
        {
            float[] f = scales.ToArray();
            if (f[0] != 1f || f[1] != 1f) throw new NotSupportedException($"{s.Where}: scaling the batch or channel dimension is not supported.");
            return x.Upsample(f[2], f[3], m, alignCorners);
        }
        throw new InvalidDataException($"{s.Where}: neither 4 scales nor 4 sizes are given.");
    }

    private Tensor Reduce(OnnxStep s, Tensor x, OnnxValue?[] inputs)
    {
        bool axesInput = s.Node.OpType == "ReduceSum" ? Opset >= 13 : Opset >= 18;
        long[]? axes = axesInput ? (inputs.Length > 1 && inputs[1] is { } a ? a.Integers(s.Where) : null) : s.Ints("axes");
        bool keep = s.Int("keepdims", 1) != 0;
        if (axes is null || axes.Length == 0)
        {
            if (s.Int("noop_with_empty_axes", 0) != 0) return x;
            axes = Enumerable.Range(0, x.Dim).Select(d => (long)d).ToArray();
        }
        int[] dims = axes.Select(d => (int)(d < 0 ? d + x.Dim : d)).Distinct().OrderByDescending(d => d).ToArray();
        switch (s.Node.OpType)
        {
            case "ReduceSum": return x.Sum(dims, keep);
            case "ReduceMean": return x.Mean(dims, keep);
        }
        Tensor y = x;
        foreach (int d in dims) y = y.Max(d, keepDim: true).Values;
        if (keep) return y;
        return y.Reshape(x.Shape.Where((_, i) => !dims.Contains(i)).ToArray() is { Length: > 0 } kept ? kept : []);
    }

    private static OnnxValue Gather(OnnxStep s, OnnxValue data, OnnxValue indices)
    {
        if (data.Ints is null || data.Dims.Length != 1 || s.Int("axis", 0) != 0)
            throw new NotSupportedException($"{s.Where}: Gather is supported on 1-D int64 tensors (shape arithmetic) only.");
        long[] idx = indices.Integers(s.Where);
        long[] picked = idx.Select(i => data.Ints[i < 0 ? i + data.Ints.Length : i]).ToArray();
        return OnnxValue.OfInts(picked, indices.Dims);
    }

    private static OnnxValue Squeeze(OnnxStep s, OnnxValue v, long[]? axes)
    {
        bool unsqueeze = s.Node.OpType == "Unsqueeze";
        var dims = v.Dims.ToList();
        if (unsqueeze)
        {
            int rank = dims.Count + (axes?.Length ?? 0);
            foreach (int a in (axes ?? throw new InvalidDataException($"{s.Where}: no axes.")).Select(a => (int)(a < 0 ? a + rank : a)).Order()) dims.Insert(a, 1);
        }
        else
        {
            var remove = axes?.Select(a => (int)(a < 0 ? a + dims.Count : a)).ToHashSet() ?? Enumerable.Range(0, dims.Count).Where(i => dims[i] == 1).ToHashSet();
            dims = dims.Where((_, i) => !remove.Contains(i)).ToList();
        }
        return v.Tensor is { } t ? OnnxValue.Of(t.Reshape(dims.ToArray())) : OnnxValue.OfInts(v.Ints!, dims.ToArray());
    }

    private OnnxValue Slice(OnnxStep s, OnnxValue?[] inputs)
    {
        OnnxValue v = inputs[0]!;
        long[] starts, ends;
        long[]? axes, steps = null;
        if (Opset >= 10)
        {
            if (inputs.Length < 3 || inputs[1] is null || inputs[2] is null) throw new InvalidDataException($"{s.Where}: starts and ends are missing.");
            starts = inputs[1]!.Integers(s.Where);
            ends = inputs[2]!.Integers(s.Where);
            axes = inputs.Length > 3 ? inputs[3]?.Integers(s.Where) : null;
            steps = inputs.Length > 4 ? inputs[4]?.Integers(s.Where) : null;
        }
        else
        {
            starts = s.Ints("starts") ?? []; ends = s.Ints("ends") ?? []; axes = s.Ints("axes");
        }
        if (steps is not null && steps.Any(t => t != 1)) throw new NotSupportedException($"{s.Where}: steps other than 1 are not supported.");
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        int[] dims = v.Dims;
        if (v.Ints is not null)
        {
            if (dims.Length != 1) throw new NotSupportedException($"{s.Where}: Slice of a multi-dimensional int64 tensor is not supported.");
            var (a, b) = Clip(starts[0], ends[0], dims[0]);
            return OnnxValue.OfInts(v.Ints[a..b], [b - a]);
        }
        Tensor t = v.Tensor!;
        for (int i = 0; i < axes.Length; i++)
        {
            int axis = (int)(axes[i] < 0 ? axes[i] + dims.Length : axes[i]);
            var (a, b) = Clip(starts[i], ends[i], t.Size(axis));
            if (a == 0 && b == t.Size(axis)) continue;
            t = t.Narrow(axis, a, b - a);
        }
        return OnnxValue.Of(t);
    }

    private static (int Start, int End) Clip(long start, long end, int size)
    {
        if (start < 0) start += size;
        if (end < 0) end += size;
        return ((int)Math.Clamp(start, 0, size), (int)Math.Clamp(end, Math.Clamp(start, 0, size), size));
    }

    private static OnnxValue IntArithmetic(string op, OnnxValue a, OnnxValue b)
    {
        long[] x = a.Ints!, y = b.Ints!;
        int n = Math.Max(x.Length, y.Length);
        var r = new long[n];
        for (int i = 0; i < n; i++)
        {
            long p = x[x.Length == 1 ? 0 : i], q = y[y.Length == 1 ? 0 : i];
            r[i] = op switch { "Add" => p + q, "Sub" => p - q, "Mul" => p * q, _ => p / q };
        }
        return OnnxValue.OfInts(r, x.Length >= y.Length ? a.Dims : b.Dims);
    }
}
