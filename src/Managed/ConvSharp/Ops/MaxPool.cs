using ConvSharp.Backends;

namespace ConvSharp;

// Max pools over NCHW input (or unbatched CHW): MaxPool2d, AdaptiveMaxPool2d with GlobalMaxPool2d, and
// FractionalMaxPool2d. Letters: N batch, C channels, H x W input, KH x KW kernel, OH x OW output.
// Forward: the max of each window; when a backward will be recorded it also keeps, per output, the
// offset of that max inside its input plane (int32 bits in an owned float buffer, exact at any size).
// Backward: each output gradient is ADDED into the one input element its max came from.
// Ties go to the first element of a window in row-major order and NaNs propagate, as in PyTorch.
public partial class Tensor
{
    /// <summary>2-D max pooling (PyTorch's <c>max_pool2d</c>): the largest value of each
    /// <paramref name="kernelSize"/> window, windows <paramref name="stride"/> apart (default: the kernel
    /// size), over the input padded with −∞ by <paramref name="padding"/> (at most half the kernel)
    /// and sampled every <paramref name="dilation"/> elements. <paramref name="ceilMode"/> rounds the output
    /// size up, keeping only windows that start inside the input or the left padding. Input [N, C, H, W] or [C, H, W].</summary>
    public Tensor MaxPool2d(Pair kernelSize, Pair? stride = null, Pair padding = default, Pair? dilation = null, bool ceilMode = false)
    {
        const string op = "MaxPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        var g = new PoolGeometry(op, input, kernelSize, stride ?? kernelSize, padding, dilation ?? 1, ceilMode);
        var result = Allocate(Device, input.OutputShape(g.OH, g.OW), zero: false);
        Tensor? indices = NewIndices(result);
        var pool = new PoolParams(PoolKind.Max, g);
        Kernels.Pool(pool, Data, result.Data, indices?.Data, null);
        Onnx.OnnxTrace.Current?.MaxPool(result, this, kernelSize, stride ?? kernelSize, padding, dilation ?? 1, ceilMode);
        return RecordMaxPool(result, op, indices, pool);
    }

    /// <summary>Adaptive 2-D max pooling (PyTorch's <c>adaptive_max_pool2d</c>): an
    /// <paramref name="outputSize"/> grid of windows, row i covering input rows ⌊i·H/OH⌋ to ⌈(i+1)·H/OH⌉ − 1
    /// (columns likewise). Any output size ≥ 1 works; 1 is global max pooling.</summary>
    public Tensor AdaptiveMaxPool2d(Pair outputSize)
    {
        const string op = "AdaptiveMaxPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        return AdaptiveMax(op, AdaptivePoolGeometry.Create(op, input, outputSize), input.OutputShape(outputSize.Height, outputSize.Width));
    }

    /// <summary>The maximum of every (n, c) plane: [N, C, H, W] → [N, C] ([C, H, W] → [C]), or
    /// [N, C, 1, 1] with <paramref name="keepDim"/>. The same op as <c>AdaptiveMaxPool2d(1)</c>.</summary>
    public static Tensor GlobalMaxPool2d(Tensor input, bool keepDim = false)
    {
        Guard.NotNull(input);
        const string op = "GlobalMaxPool2d";
        PoolInput shape = PoolInput.Of(op, input._shape);
        return input.AdaptiveMax(op, AdaptivePoolGeometry.Create(op, shape, 1), shape.GlobalShape(keepDim));
    }

    private Tensor AdaptiveMax(string op, AdaptivePoolGeometry g, int[] outputShape)
    {
        var result = Allocate(Device, outputShape, zero: false);
        Tensor? indices = NewIndices(result);
        var pool = PoolParams.Of(PoolKind.AdaptiveMax, g);
        Kernels.Pool(pool, Data, result.Data, indices?.Data, null);
        Onnx.OnnxTrace.Current?.AdaptivePool(result, this, max: true, op);
        return RecordMaxPool(result, op, indices, pool);
    }

    /// <summary>Fractional max pooling (Graham, 2014; PyTorch's <c>fractional_max_pool2d</c>):
    /// <paramref name="kernelSize"/> windows at pseudo-random, increasing positions that give an
    /// <paramref name="outputSize"/> output (needs output + kernel − 1 ≤ input). Each (n, c) plane draws two
    /// uniform samples from <paramref name="generator"/> (default <see cref="Generator.Default"/>), first the one
    /// for the width, then the one for the height, so a generator seeded alike gives the same windows.</summary>
    public Tensor FractionalMaxPool2d(Pair kernelSize, Pair outputSize, Generator? generator = null)
    {
        const string op = "FractionalMaxPool2d";
        var g = FractionalPoolGeometry.Create(op, PoolInput.Of(op, _shape), kernelSize, outputSize);
        generator ??= Generator.Default;
        var values = new float[g.SampleLength];
        for (int i = 0; i < values.Length; i++) values[i] = generator.NextFloat();
        DeviceBuffer samples = Kernels.Allocate(values.Length, zero: false);
        try
        {
            var slice = new BufferSlice(samples, 0, values.Length);
            Kernels.Upload(values, slice);
            return FractionalMax(op, g, slice);
        }
        finally
        {
            samples.Release();
        }
    }

    /// <summary>Fractional max pooling with the pooling regions given by <paramref name="randomSamples"/>
    /// (PyTorch's <c>_random_samples</c>): shape [N, C, 2] ([C, 2] for unbatched input), values in [0, 1),
    /// (u_w, u_h) per plane. Window i of a dimension of size in starts at ⌊(i + u)·α⌋ − ⌊u·α⌋ with
    /// α = (in − k) / (out − 1) computed in float, and the last one at in − k.</summary>
    public Tensor FractionalMaxPool2d(Pair kernelSize, Pair outputSize, Tensor randomSamples)
    {
        Guard.NotNull(randomSamples);
        const string op = "FractionalMaxPool2d";
        PoolInput input = PoolInput.Of(op, _shape);
        var g = FractionalPoolGeometry.Create(op, input, kernelSize, outputSize);
        int[] expected = input.Batched ? [input.N, input.C, 2] : [input.C, 2];
        if (!randomSamples.ShapeSpan.SequenceEqual(expected))
            throw new ArgumentException(
                $"{op}: random samples must have shape {Guard.Format(expected)}, but got {Guard.Format(randomSamples.ShapeSpan)}.", nameof(randomSamples));
        CheckSameDevice(randomSamples, op);
        float[] values = randomSamples.ToArray();
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= 0f && values[i] < 1f))
                throw new ArgumentOutOfRangeException(nameof(randomSamples), $"{op}: random samples must lie in [0, 1), but sample {i} is {values[i]}.");
        return FractionalMax(op, g, randomSamples.Data);
    }

    private Tensor FractionalMax(string op, FractionalPoolGeometry g, BufferSlice samples)
    {
        PoolInput input = PoolInput.Of(op, _shape);
        var result = Allocate(Device, input.OutputShape(g.OH, g.OW), zero: false);
        Tensor? indices = NewIndices(result);
        var pool = PoolParams.Of(g);
        Kernels.Pool(pool, Data, result.Data, indices?.Data, samples);
        return RecordMaxPool(result, op, indices, pool);
    }

    /// <summary>Storage for the argmax offsets of <paramref name="result"/> when a backward will be recorded
    /// (owned: the graph disposes it), else null so inference skips them.</summary>
    private Tensor? NewIndices(Tensor result) => WillRecord(this) ? Allocate(Device, result._shape, zero: false, owned: true) : null;

    /// <summary>Records the shared max-pool backward: gradInput[plane, argmax] += gradOutput.</summary>
    private Tensor RecordMaxPool(Tensor result, string op, Tensor? indices, PoolParams pool)
    {
        if (indices is null) return result;
        return Record(result, op, [this], (g, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.PoolBackward(pool, null, indices.Data, g.Data, dx.Data);
        }, indices);
    }
}
