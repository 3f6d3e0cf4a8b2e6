using ConvSharp.Backends;
using ConvSharp.Backends.OpenCL;

namespace ConvSharp.Tests.Backends.OpenCL;

/// <summary>The multi-slice kernel calls a training step uses on OpenCL: one optimizer launch per 8 parameters and one fill
/// per 16 slices (zero-grad, a backward pass's intermediate gradients), each against the CPU updating slice by slice.</summary>
[Collection(OpenCLCollection.Name)]
[DetectLeaks]
public class MultiTensorKernelTests
{
    private static ConvSharp.Backends.Cpu.CpuKernels Cpu => OpenCLTest.Cpu;
    private static OpenCLKernels Ocl => OpenCLTest.Kernels;

    // 11 parameters: two launches of up to 8, odd sizes, a one-element bias.
    private static readonly int[] Sizes = [432, 16, 4608, 32, 1, 18432, 64, 5760, 10, 3001, 7];

    public static TheoryData<int> Kinds => new() { (int)OptimKind.Sgd, (int)OptimKind.Adam, (int)OptimKind.Adamax, (int)OptimKind.RmsProp };

    [OpenCLTheory]
    [MemberData(nameof(Kinds))]
    public void A_multi_tensor_optimizer_step_matches_the_cpu_updating_one_parameter_at_a_time(int kindValue)
    {
        var kind = (OptimKind)kindValue;
        var rng = new Random(100 + kindValue);
        var pairs = new List<BufferPair>();
        BufferPair Pair(int n, float low = -1f, float high = 1f)
        {
            var p = BufferPair.Random(rng, n, low, high);
            pairs.Add(p);
            return p;
        }
        try
        {
            var sets = Sizes.Select(n => (P: Pair(n), G: Pair(n), S0: Pair(n, 0f, 1f), S1: Pair(n, 0f, 1f), S2: Pair(n, 0f, 1f))).ToArray();
            OptimStep step = kind switch
            {
                OptimKind.Sgd => new OptimStep(0.1f, 0.01f, false) { Momentum = 0.9f, Dampening = 0.1f, Nesterov = true },
                OptimKind.RmsProp => new OptimStep(1e-2f, 0.01f, true) { Alpha = 0.99f, Eps = 1e-8f, Momentum = 0.5f },
                _ => new OptimStep(1e-3f, 0.01f, true)
                    { Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, BiasCorrection1 = 0.19f, BiasCorrection2 = 0.002f, Decoupled = true },
            };
            bool third = kind is OptimKind.Adam or OptimKind.RmsProp;   // amsgrad's max / RMSprop's momentum buffer
            foreach (var s in sets)
                Cpu.OptimStep(kind, s.P.Cpu, s.G.Cpu, s.S0.Cpu, kind == OptimKind.Sgd ? null : s.S1.Cpu, third ? s.S2.Cpu : null, step);
            var tensors = sets.Select(s => new OptimTensors(s.P.Ocl, s.G.Ocl, s.S0.Ocl, kind == OptimKind.Sgd ? null : s.S1.Ocl,
                third ? s.S2.Ocl : null)).ToArray();
            OpenCLCounters before = Ocl.Context.Counters;
            ((IKernels)Ocl).OptimStep(kind, tensors, step);
            Assert.Equal(2, (Ocl.Context.Counters - before).Launches);
            for (int i = 0; i < sets.Length; i++)
            {
                sets[i].P.AssertClose($"{kind} parameter {i} ({Sizes[i]} values)");
                sets[i].S0.AssertClose($"{kind} state0 of parameter {i}");
                if (kind != OptimKind.Sgd) sets[i].S1.AssertClose($"{kind} state1 of parameter {i}");
            }
        }
        finally
        {
            foreach (var p in pairs) p.Dispose();
        }
    }

    [OpenCLFact]
    public void A_multi_slice_fill_sets_every_slice_and_nothing_around_them()
    {
        var rng = new Random(5);
        using var whole = BufferPair.Random(rng, 40_000);
        // 19 slices (two launches of up to 16), with gaps between them that must keep their values.
        var slices = new List<(long Offset, long Length)>();
        for (long at = 3, n = 1; slices.Count < 19; at += n + 5, n = n * 3 % 4001 + 1) slices.Add((at, n));
        foreach (var (o, n) in slices) Cpu.Fill(whole.Cpu.Slice(o, n), 2.5f);
        OpenCLCounters before = Ocl.Context.Counters;
        ((IKernels)Ocl).Fill(slices.Select(s => whole.Ocl.Slice(s.Offset, s.Length)).ToArray(), 2.5f);
        Assert.Equal(2, (Ocl.Context.Counters - before).Launches);
        Assert.Equal(whole.CpuValues(), whole.OclValues());
    }
}
