using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>One step of a sample pipeline (torchvision's transforms): reads a C×H×W image and writes the
/// transformed image. Transforms hold no per-sample state: random ones draw every random number from the
/// <see cref="Generator"/> they are given, which the <see cref="DataLoader"/> seeds per sample from
/// (seed, epoch, index), so augmentation is reproducible whichever thread runs it. Geometric transforms
/// run in native code; chain them with <see cref="Compose"/>.</summary>
public abstract class Transform
{
    /// <summary>The shape this transform produces from an image of shape <paramref name="input"/>
    /// (the same for every draw). Throws <see cref="ArgumentException"/> when it cannot take that shape.</summary>
    public virtual ImageShape OutputShape(ImageShape input) => input;

    /// <summary>The value bound after this transform (see <see cref="ImageBuffer.MaxValue"/>).</summary>
    public virtual float OutputMaxValue(float inputMaxValue) => inputMaxValue;

    /// <summary>Whether <see cref="Apply"/> may be given the same buffer as source and destination
    /// (true for point-wise transforms); the pipeline then skips a copy.</summary>
    public virtual bool CanRunInPlace => false;

    /// <summary>Writes the transform of <paramref name="source"/> into <paramref name="destination"/>, whose
    /// shape is <see cref="OutputShape"/> of the source's; random choices come from <paramref name="generator"/>.</summary>
    public abstract void Apply(ImageBuffer source, ImageBuffer destination, Generator generator);

    /// <summary>The kernels transforms run on (the CPU: data is produced on the host).</summary>
    internal static IKernels Kernels => Device.Cpu.Kernels;

    internal static Sampling ToSampling(InterpolationMode mode) => mode switch
    {
        InterpolationMode.Nearest => Sampling.Nearest,
        InterpolationMode.Bilinear => Sampling.Bilinear,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown interpolation mode."),
    };

    /// <summary>Warps source into destination with the 3×3 inverse map (output → input), constant fill outside.</summary>
    internal static void Warp(ImageBuffer source, ImageBuffer destination, ReadOnlySpan<double> inverseMap, Sampling sampling, float fill)
    {
        ImageShape s = source.Shape, d = destination.Shape;
        HostImages.Warp(source.Data, s.Channels, s.Height, s.Width, destination.Data, d.Height, d.Width, inverseMap, sampling, Border.Constant, fill);
    }

    /// <summary>Copies source into destination unchanged (same shape), unless they are the same buffer.</summary>
    internal static void CopyImage(ImageBuffer source, ImageBuffer destination)
    {
        if (source.Data != destination.Data) Kernels.Copy(source.Data, destination.Data);
    }
}

/// <summary>How a resampling transform reads between pixels (torchvision's <c>InterpolationMode</c>).</summary>
public enum InterpolationMode
{
    /// <summary>The nearest pixel (exact for crops, flips and quarter turns).</summary>
    Nearest,
    /// <summary>The four neighbours, weighted by distance.</summary>
    Bilinear,
}
