namespace ConvSharp.NN;

/// <summary>Weight initialisation as PyTorch does it (<c>nn.init</c>).</summary>
public static class Init
{
    /// <summary>PyTorch's default for Linear and Conv layers: weights and bias from U(−b, b) with
    /// b = 1/√fan_in (what <c>kaiming_uniform_(a=√5)</c> gives for the weight).</summary>
    public static void DefaultUniform(Parameter weight, Parameter? bias, int fanIn, Generator? generator)
    {
        Guard.NotNull(weight);
        Generator g = generator ?? Generator.Default;
        float bound = 1f / MathF.Sqrt(fanIn);
        Uniform(weight, -bound, bound, g);
        if (bias is not null) Uniform(bias, -bound, bound, g);
    }

    /// <summary>Fills <paramref name="tensor"/> with U(low, high) values from <paramref name="generator"/> (drawn on the
    /// host, so a tensor on any device gets the values a CPU tensor would).</summary>
    public static void Uniform(Tensor tensor, float low, float high, Generator? generator = null)
    {
        Guard.NotNull(tensor);
        Generator g = generator ?? Generator.Default;
        if (tensor.Device.Type == DeviceType.Cpu)
        {
            g.FillUniform(tensor.AsSpan(), low, high);
            return;
        }
        var values = new float[tensor.Numel];
        g.FillUniform(values, low, high);
        tensor.CopyFrom(values);
    }

    /// <summary>Fills <paramref name="tensor"/> with one value.</summary>
    public static void Constant(Tensor tensor, float value)
    {
        Guard.NotNull(tensor);
        tensor.Kernels.Fill(tensor.Data, value);
    }
}
