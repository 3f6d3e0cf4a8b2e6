using ConvSharp.Backends;

namespace ConvSharp.Data;

/// <summary>One C×H×W image in pooled CPU storage, as a <see cref="Transform"/> reads or writes it: a
/// window of a scratch buffer or of a batch tensor. Valid only during the call it is passed to.</summary>
public readonly struct ImageBuffer
{
    internal ImageBuffer(BufferSlice data, ImageShape shape, float maxValue)
    {
        Data = data;
        Shape = shape;
        MaxValue = maxValue;
    }

    internal BufferSlice Data { get; }

    /// <summary>The image's shape.</summary>
    public ImageShape Shape { get; }

    /// <summary>The largest value a pixel can take at this point of the pipeline: 255 for raw bytes, 1 after
    /// <see cref="ToTensor"/>, <see cref="float.PositiveInfinity"/> when unknown (after <see cref="Normalize"/>,
    /// or for float datasets). <see cref="ColorJitter"/> clamps to [0, MaxValue].</summary>
    public float MaxValue { get; }

    /// <summary>The C·H·W values, channel planes back to back, rows within a plane.</summary>
    public Span<float> AsSpan()
    {
        if (!Data.IsHost) throw new InvalidOperationException("This ImageBuffer holds no CPU storage.");
        return Data.HostSpan();
    }

    /// <summary>The same storage described with another value bound.</summary>
    internal ImageBuffer WithMaxValue(float maxValue) => new(Data, Shape, maxValue);

    /// <summary>The first <paramref name="shape"/>.Length values of the same storage, as an image of that shape.</summary>
    internal ImageBuffer As(ImageShape shape, float maxValue) => new(Data.Slice(0, shape.Length), shape, maxValue);
}
