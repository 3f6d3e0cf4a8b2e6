using System.Globalization;

namespace ConvSharp.NN;

/// <summary>Upsamples [N, C, H, W] to a size or by a scale factor (PyTorch's <c>nn.Upsample</c>), "nearest" or "bilinear".</summary>
public sealed class Upsample : Module
{
    /// <summary>To a fixed output size.</summary>
    public Upsample(Pair size, string mode = "nearest", bool alignCorners = false)
    {
        if (size.Height < 1 || size.Width < 1 || size.Height > 65536 || size.Width > 65536)
            throw new ArgumentOutOfRangeException(nameof(size), $"Upsample: output size ({size.Height}, {size.Width}) must be between 1 and 65536 per side.");
        CheckMode(mode, alignCorners);
        Size = new Pair(size.Height, size.Width);
        (Mode, AlignCorners) = (mode, alignCorners);
    }

    /// <summary>By a scale factor.</summary>
    public Upsample(double scaleFactor, string mode = "nearest", bool alignCorners = false)
    {
        if (!(scaleFactor > 0) || double.IsInfinity(scaleFactor))
            throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, $"Upsample: the scale factor must be a positive finite number, but is {scaleFactor.ToString(CultureInfo.InvariantCulture)}.");
        CheckMode(mode, alignCorners);
        ScaleFactor = scaleFactor;
        (Mode, AlignCorners) = (mode, alignCorners);
    }

    private static void CheckMode(string mode, bool alignCorners)
    {
        Guard.NotNull(mode);
        if (mode is not ("nearest" or "bilinear"))
            throw new ArgumentException($"Upsample: mode '{mode}' is not one of \"nearest\", \"bilinear\".", nameof(mode));
        if (alignCorners && mode != "bilinear")
            throw new ArgumentException("Upsample: alignCorners applies only to bilinear mode.", nameof(alignCorners));
    }

    /// <summary>The output size, when given.</summary>
    public Pair? Size { get; }

    /// <summary>The scale factor, when given.</summary>
    public double? ScaleFactor { get; }

    /// <summary>"nearest" or "bilinear".</summary>
    public string Mode { get; }

    /// <summary>Bilinear's align_corners.</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input) =>
        Size is { } size ? input.Upsample(size, Mode, AlignCorners) : input.Upsample(ScaleFactor!.Value, Mode, AlignCorners);

    /// <inheritdoc />
    public override string ToString() => Size is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"Upsample(size=({s.Height}, {s.Width}), mode='{Mode}')")
        : string.Create(CultureInfo.InvariantCulture, $"Upsample(scale_factor={ScaleFactor:0.0###}, mode='{Mode}')");
}
