using System.Globalization;
using ConvSharp.Backends;

namespace ConvSharp;

// Dropout (element-wise) and Dropout2d (whole channels), inverted: kept values are scaled by 1/(1 − p),
// so evaluation is the identity. The mask comes from a counter-based generator in native code
// (Philox-4x32-10 of (key, group index); see cs_nn.h), so it is a pure function of one 64-bit key drawn
// from the Generator per forward — another backend reproduces it bit for bit. Backward multiplies
// by the same saved mask.
public partial class Tensor
{
    /// <summary>Zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1 − p)
    /// (PyTorch's <c>dropout</c>); the identity (this tensor itself) when not <paramref name="training"/> or p = 0.
    /// Each call that drops draws one 64-bit key from <paramref name="generator"/> (default <see cref="Generator.Default"/>);
    /// the identity draws none.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Tensor Dropout(float p = 0.5f, bool training = true, Generator? generator = null) =>
        DropoutCore(p, training, generator, channels: false);

    /// <summary>Zeroes whole channels (dimension 1 of [N, C, H, W], or of [N, C, L]) with probability
    /// <paramref name="p"/> and scales the rest by 1/(1 − p) (PyTorch's <c>dropout2d</c>); the identity when
    /// not <paramref name="training"/> or p = 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Tensor Dropout2d(float p = 0.5f, bool training = true, Generator? generator = null) =>
        DropoutCore(p, training, generator, channels: true);

    /// <summary>Throws unless 0 ≤ <paramref name="p"/> &lt; 1.</summary>
    internal static void CheckDropoutProbability(string op, float p)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: the drop probability p must be in [0, 1), but is {p.ToString(CultureInfo.InvariantCulture)}.");
    }

    private Tensor DropoutCore(float p, bool training, Generator? generator, bool channels)
    {
        string op = channels ? "Dropout2d" : "Dropout";
        CheckDropoutProbability(op, p);
        if (channels && Dim is not (3 or 4))
            throw new ArgumentException($"{op} expects a 3-D [N, C, L] or 4-D [N, C, H, W] input, but got shape {Guard.Format(_shape)}.");
        if (!training || p == 0f) return this;

        long groupSize = channels ? Numel / ((long)_shape[0] * _shape[1]) : 1;
        ulong key = (generator ?? Generator.Default).NextUInt64();
        float keep = 1f - p;
        var result = NewLike(zero: false);
        var mask = Allocate(Device, [(int)(Numel / groupSize)], zero: false, owned: true);
        Kernels.Dropout(Data, result.Data, mask.Data, groupSize, key, keep, 1f / keep);
        return Record(result, op, [this], (g, sink) =>
        {
            // dx += dy·mask, the mask repeated over each group.
            if (sink[0] is { } dx)
                dx.Kernels.Elementwise(BinaryOp.Mul, [(int)mask.Numel, (int)groupSize], new(dx.Data, [groupSize, 1L]), new(g.Data, [groupSize, 1L]),
                    new(mask.Data, [1L, 0L]), 1f, accumulate: true);
        }, mask);
    }
}
