namespace ConvSharp;

// Creation functions beyond Tensor.Factories.cs: ranges, the identity, and the *Like family (which keep the
// template's shape and device).
public partial class Tensor
{
    /// <summary>0, 1, ..., up to but not including <paramref name="end"/> (PyTorch's <c>arange(end)</c>), as floats.</summary>
    public static Tensor Arange(float end) => Arange(0f, end, 1f);

    /// <summary>start, start + step, ... up to but not including <paramref name="end"/> (PyTorch's <c>arange</c>):
    /// ⌈(end − start) / step⌉ values, each start + i·step computed in double.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || !float.IsFinite(step) || !float.IsFinite(start) || !float.IsFinite(end))
            throw new ArgumentException($"Arange({start}, {end}, {step}): start, end and step must be finite and step non-zero.", nameof(step));
        double count = Math.Ceiling(((double)end - start) / step);
        if (count < 1)
            throw new ArgumentException($"Arange({start}, {end}, {step}) is empty; ConvSharp tensors have no empty dimensions.", nameof(end));
        if (count > int.MaxValue) throw new ArgumentException($"Arange({start}, {end}, {step}) has {count} values, too many.", nameof(end));
        var values = new float[(int)count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(start + (double)i * step);
        return FromArray(values, values.Length);
    }

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/>
    /// inclusive (PyTorch's <c>linspace</c>).</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Linspace: steps must be at least 1, but is {steps}.");
        var values = new float[steps];
        double delta = steps == 1 ? 0 : ((double)end - start) / (steps - 1);
        // Like PyTorch, the second half counts back from end, so the last value is end exactly.
        for (int i = 0; i < steps; i++) values[i] = (float)(i < steps / 2 ? start + i * delta : end - (steps - 1 - i) * delta);
        return FromArray(values, steps);
    }

    /// <summary>The n×m identity-like matrix: ones on the diagonal (m defaults to n), PyTorch's <c>eye</c>.</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        int cols = m ?? n;
        if (n < 1 || cols < 1) throw new ArgumentOutOfRangeException(nameof(n), $"Eye({n}, {cols}): both sizes must be at least 1.");
        var values = new float[checked(n * cols)];
        for (int i = 0; i < Math.Min(n, cols); i++) values[i * cols + i] = 1f;
        return FromArray(values, n, cols);
    }

    /// <summary>Zeros with <paramref name="other"/>'s shape, on its device.</summary>
    public static Tensor ZerosLike(Tensor other) => Allocate(Guard.NotNullTensor(other).Device, other._shape, zero: true);

    /// <summary>Ones with <paramref name="other"/>'s shape, on its device.</summary>
    public static Tensor OnesLike(Tensor other) => FullLike(other, 1f);

    /// <summary><paramref name="value"/> everywhere, with <paramref name="other"/>'s shape, on its device.</summary>
    public static Tensor FullLike(Tensor other, float value)
    {
        var t = Allocate(Guard.NotNullTensor(other).Device, other._shape, zero: false);
        t.Kernels.Fill(t.Data, value);
        return t;
    }

    /// <summary>Uniform values in [0, 1) with <paramref name="other"/>'s shape, on its device, drawn from
    /// <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public static Tensor RandLike(Tensor other, Generator? generator = null)
    {
        Guard.NotNull(other);
        Tensor host = Rand(other.Shape, generator ?? Generator.Default);
        return MoveTo(host, other.Device);
    }

    /// <summary>Uniform values in [0, 1) with <paramref name="other"/>'s shape, reproducible from <paramref name="seed"/>.</summary>
    public static Tensor RandLike(Tensor other, long seed) => RandLike(other, new Generator(seed));

    /// <summary>Standard normal values with <paramref name="other"/>'s shape, on its device.</summary>
    public static Tensor RandnLike(Tensor other, Generator? generator = null)
    {
        Guard.NotNull(other);
        Tensor host = Randn(other.Shape, generator ?? Generator.Default);
        return MoveTo(host, other.Device);
    }

    private static Tensor MoveTo(Tensor host, Device device)
    {
        if (ReferenceEquals(device, host.Device)) return host;
        Tensor moved = host.To(device);
        host.Dispose();
        return moved;
    }
}
