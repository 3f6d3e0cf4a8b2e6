namespace ConvSharp;

public partial class Tensor
{
    /// <summary>A CPU tensor holding a copy of <paramref name="data"/> with the given shape
    /// (e.g. <c>FromArray(values, 1, 1, 5, 5)</c>). The data length must equal the product of the shape.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        Guard.NotNull(data);
        return FromSpan(data, shape);
    }

    /// <summary>A CPU tensor holding a copy of <paramref name="data"/>; copied once into pooled storage.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, params int[] shape)
    {
        Guard.NotNull(shape);
        long count = Guard.Shape(shape);
        if (data.Length != count)
            throw new ArgumentException(
                $"data has {data.Length} values, but shape {Guard.Format(shape)} needs {count}.", nameof(data));
        var tensor = Allocate(Device.Cpu, shape, zero: false);
        tensor.Kernels.Upload(data, tensor.Data);
        return tensor;
    }

    /// <summary>An uninitialized CPU tensor (PyTorch's <c>empty</c>): its values are whatever the pool held.</summary>
    public static Tensor Empty(params int[] shape) => Allocate(Device.Cpu, Guard.NotNullShape(shape), zero: false);

    /// <summary>A CPU tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Allocate(Device.Cpu, Guard.NotNullShape(shape), zero: true);

    /// <summary>A CPU tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(Guard.NotNullShape(shape), 1f);

    /// <summary>A CPU tensor with every element set to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, float value)
    {
        var tensor = Allocate(Device.Cpu, Guard.NotNullShape(shape), zero: false);
        tensor.Kernels.Fill(tensor.Data, value);
        return tensor;
    }

    /// <summary>Uniform values in [0, 1), reproducible from <paramref name="seed"/>.</summary>
    public static Tensor Rand(int[] shape, long seed) => Rand(shape, new Generator(seed));

    /// <summary>Uniform values in [0, 1) drawn from <paramref name="generator"/>.</summary>
    public static Tensor Rand(int[] shape, Generator generator)
    {
        Guard.NotNull(generator);
        var tensor = Allocate(Device.Cpu, Guard.NotNullShape(shape), zero: false);
        generator.FillUniform(tensor.AsSpan(), 0f, 1f);
        return tensor;
    }

    /// <summary>Standard normal values, reproducible from <paramref name="seed"/>.</summary>
    public static Tensor Randn(int[] shape, long seed) => Randn(shape, new Generator(seed));

    /// <summary>Standard normal values drawn from <paramref name="generator"/>.</summary>
    public static Tensor Randn(int[] shape, Generator generator)
    {
        Guard.NotNull(generator);
        var tensor = Allocate(Device.Cpu, Guard.NotNullShape(shape), zero: false);
        generator.FillNormal(tensor.AsSpan(), 0f, 1f);
        return tensor;
    }
}
