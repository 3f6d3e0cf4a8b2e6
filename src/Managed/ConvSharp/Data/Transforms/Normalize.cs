using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>(x − mean[c]) / std[c] per channel (torchvision's <c>Normalize</c>). One mean and std apply to
/// every channel; otherwise there is one per channel.</summary>
public sealed class Normalize : Transform
{
    private readonly float[] _mean, _std;

    /// <summary>Per-channel means and standard deviations (equal lengths; every std non-zero).</summary>
    public Normalize(float[] mean, float[] std)
    {
        Guard.NotNull(mean);
        Guard.NotNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize needs as many means as standard deviations (at least one); got {mean.Length} and {std.Length}.", nameof(std));
        for (int i = 0; i < std.Length; i++)
            if (std[i] == 0f || !float.IsFinite(std[i]) || !float.IsFinite(mean[i]))
                throw new ArgumentException($"Normalize: channel {i} has mean {mean[i]} and std {std[i]}; both must be finite and std non-zero.", nameof(std));
        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
    }

    /// <summary>The same mean and standard deviation for every channel (e.g. Fashion-MNIST's 0.2860, 0.3530).</summary>
    public Normalize(float mean, float std) : this([mean], [std]) { }

    /// <summary>The means, one per channel (or one for all).</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The standard deviations, one per channel (or one for all).</summary>
    public IReadOnlyList<float> Std => _std;

    /// <inheritdoc />
    public override ImageShape OutputShape(ImageShape input)
    {
        if (_mean.Length != 1 && _mean.Length != input.Channels)
            throw new ArgumentException($"Normalize has {_mean.Length} means and standard deviations, but the image {input} has {input.Channels} channels.");
        return input;
    }

    /// <inheritdoc />
    public override float OutputMaxValue(float inputMaxValue) => float.PositiveInfinity;

    /// <inheritdoc />
    public override bool CanRunInPlace => true;

    /// <inheritdoc />
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        ImageShape shape = OutputShape(source.Shape);
        long plane = (long)shape.Height * shape.Width;
        for (int c = 0; c < shape.Channels; c++)
        {
            int k = _mean.Length == 1 ? 0 : c;
            Kernels.Unary(UnaryOp.Affine, source.Data.Slice(c * plane, plane), destination.Data.Slice(c * plane, plane),
                1f / _std[k], -_mean[k] / _std[k]);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Normalize(mean=[{string.Join(", ", _mean)}], std=[{string.Join(", ", _std)}])";
}
