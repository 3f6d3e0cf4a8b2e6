using ConvSharp.Backends;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Backends;

/// <summary>The multi-slice forms of IKernels.OptimStep and Fill on the CPU: the same bits as calling them slice by slice,
/// and an optimizer whose groups differ in learning rate (so its updates go to the backend as separate runs) matches
/// one optimizer per group.</summary>
public class MultiTensorCallTests
{
    private static float[] Values(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    [Fact]
    public void A_multi_tensor_adam_step_on_the_cpu_equals_one_step_per_parameter()
    {
        IKernels k = Device.Cpu.Kernels;
        var rng = new Random(4);
        int[] sizes = [5, 1, 300, 17];
        Tensor[] Make() => sizes.Select(n => Tensor.FromArray(Values(rng, n), n)).ToArray();
        Tensor[] p1 = Make(), g = Make(), m1 = Make(), v1 = Make();
        Tensor[] p2 = p1.Select(t => Tensor.FromArray(t.ToArray(), t.Shape)).ToArray();
        Tensor[] m2 = m1.Select(t => Tensor.FromArray(t.ToArray(), t.Shape)).ToArray();
        Tensor[] v2 = v1.Select(t => Tensor.FromArray(t.ToArray().Select(Math.Abs).ToArray(), t.Shape)).ToArray();
        for (int i = 0; i < v1.Length; i++) v1[i] = Tensor.FromArray(v2[i].ToArray(), v2[i].Shape);
        var step = new OptimStep(1e-2f, 0.1f, false) { Beta1 = 0.9f, Beta2 = 0.99f, Eps = 1e-8f, BiasCorrection1 = 0.1f, BiasCorrection2 = 0.01f };
        for (int i = 0; i < sizes.Length; i++) k.OptimStep(OptimKind.Adam, p1[i].Data, g[i].Data, m1[i].Data, v1[i].Data, null, step);
        k.OptimStep(OptimKind.Adam, sizes.Select((_, i) => new OptimTensors(p2[i].Data, g[i].Data, m2[i].Data, v2[i].Data, null)).ToArray(), step);
        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.Equal(p1[i].ToArray(), p2[i].ToArray());
            Assert.Equal(m1[i].ToArray(), m2[i].ToArray());
        }
    }

    [Fact]
    public void A_multi_slice_fill_on_the_cpu_fills_each_slice()
    {
        using var t = Tensor.FromArray(Enumerable.Range(1, 20).Select(i => (float)i).ToArray(), 20);
        Device.Cpu.Kernels.Fill([t.Data.Slice(2, 3), t.Data.Slice(10, 1), t.Data.Slice(19, 1)], -1f);
        float[] expected = Enumerable.Range(1, 20).Select(i => i is 3 or 4 or 5 or 11 or 20 ? -1f : i).ToArray();
        Assert.Equal(expected, t.ToArray());
    }

    [Fact]
    public void An_optimizer_with_two_learning_rates_matches_one_optimizer_per_group()
    {
        Linear Make() => new(6, 3, generator: new Generator(9));
        using Linear a = Make(), b = Make();
        using var together = new Adam([new ParameterGroup([a.Weight]), new ParameterGroup([a.Bias!], lr: 0.1f)], lr: 0.01f);
        using var weightOnly = new Adam([b.Weight], lr: 0.01f);
        using var biasOnly = new Adam([b.Bias!], lr: 0.1f);
        var x = Tensor.FromArray(Values(new Random(2), 12), 2, 6);
        for (int s = 0; s < 3; s++)
        {
            together.ZeroGrad(); weightOnly.ZeroGrad(); biasOnly.ZeroGrad();
            a.Forward(x).Pow(2f).Sum().Backward();
            b.Forward(x).Pow(2f).Sum().Backward();
            together.Step(); weightOnly.Step(); biasOnly.Step();
        }
        Assert.Equal(b.Weight.ToArray(), a.Weight.ToArray());
        Assert.Equal(b.Bias!.ToArray(), a.Bias!.ToArray());
    }
}
