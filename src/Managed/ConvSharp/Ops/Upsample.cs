using ConvSharp.Backends;

namespace ConvSharp;

// Upsampling of [N, C, H, W] to [N, C, OH, OW] (PyTorch's F.interpolate, modes "nearest" and "bilinear").
// Backward is the adjoint: every output gradient is added back to the input taps it was sampled from.
public partial class Tensor
{
    /// <summary>Resizes the last two dimensions to <paramref name="size"/> (nearest or bilinear, PyTorch's index rules).</summary>
    public Tensor Upsample(Pair size, string mode = "nearest", bool alignCorners = false) => UpsampleCore(size, null, mode, alignCorners);

    /// <summary>Resizes the last two dimensions by <paramref name="scaleFactor"/> (output = floor(input·scale)).</summary>
    public Tensor Upsample(double scaleFactor, string mode = "nearest", bool alignCorners = false) =>
        Upsample(scaleFactor, scaleFactor, mode, alignCorners);

    /// <summary>Resizes by separate height and width scale factors.</summary>
    public Tensor Upsample(double scaleHeight, double scaleWidth, string mode = "nearest", bool alignCorners = false)
    {
        (double Height, double Width) scaleFactor = (scaleHeight, scaleWidth);
        if (!(scaleFactor.Height > 0) || !(scaleFactor.Width > 0))
            throw new ArgumentOutOfRangeException(nameof(scaleFactor), $"Upsample: scale factors must be positive, but are ({scaleFactor.Height}, {scaleFactor.Width}).");
        if (Dim != 4) throw new ArgumentException($"Upsample expects a 4-D input [N, C, H, W], but got shape {Guard.Format(_shape)}.");
        var size = new Pair((int)Math.Floor(_shape[2] * scaleFactor.Height), (int)Math.Floor(_shape[3] * scaleFactor.Width));
        return UpsampleCore(size, scaleFactor, mode, alignCorners);
    }

    private Tensor UpsampleCore(Pair size, (double Height, double Width)? scaleFactor, string mode, bool alignCorners)
    {
        if (Dim != 4) throw new ArgumentException($"Upsample expects a 4-D input [N, C, H, W], but got shape {Guard.Format(_shape)}.");
        bool bilinear = mode switch
        {
            "nearest" => false,
            "bilinear" => true,
            _ => throw new ArgumentException($"Upsample: mode '{mode}' is not one of \"nearest\", \"bilinear\".", nameof(mode)),
        };
        if (alignCorners && !bilinear) throw new ArgumentException("Upsample: alignCorners applies only to bilinear mode.", nameof(alignCorners));
        if (size.Height < 1 || size.Width < 1 || size.Height > 65536 || size.Width > 65536)
            throw new ArgumentOutOfRangeException(nameof(size), $"Upsample: output size ({size.Height}, {size.Width}) must be between 1 and 65536 per side.");
        int h = _shape[2], w = _shape[3];
        float Scale(int input, int output, double? factor) =>
            alignCorners ? (output > 1 ? (float)(input - 1) / (output - 1) : 0f)
            : factor is double f ? (float)(1.0 / f) : (float)input / output;
        var g = new UpsampleGeometry(bilinear, (long)_shape[0] * _shape[1], h, w, size.Height, size.Width,
            Scale(h, size.Height, scaleFactor?.Height), Scale(w, size.Width, scaleFactor?.Width), alignCorners);
        var result = Allocate(Device, [_shape[0], _shape[1], size.Height, size.Width], zero: false);
        var pool = PoolParams.Of(g);
        Kernels.Pool(pool, Data, result.Data, null, null);
        Onnx.OnnxTrace.Current?.Resize(result, this, bilinear, alignCorners, scaleFactor);
        return Record(result, bilinear ? "UpsampleBilinear" : "UpsampleNearest", [this], (grad, sink) =>
        {
            if (sink[0] is { } dx) dx.Kernels.PoolBackward(pool, null, null, grad.Data, dx.Data);
        });
    }
}
