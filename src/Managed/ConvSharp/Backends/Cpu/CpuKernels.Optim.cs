namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void OptimStep(OptimKind kind, ReadOnlySpan<OptimTensors> tensors, in OptimStep s)
    {
        foreach (ref readonly OptimTensors t in tensors) OptimStep(kind, t.Param, t.Grad, t.State0, t.State1, t.State2, s);
    }

    public void OptimStep(OptimKind kind, BufferSlice param, BufferSlice grad, BufferSlice? state0, BufferSlice? state1, BufferSlice? state2,
        in OptimStep s)
    {
        long n = param.Length;
        float* p = Pointer(param), g = Pointer(grad), s0 = Pointer(state0), s1 = Pointer(state1), s2 = Pointer(state2);
        switch (kind)
        {
            case OptimKind.Sgd:
                Interop.Native.Check(Interop.Native.cs_sgd_step_f32(n, p, g, s0, s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov ? 1 : 0,
                    s.Maximize ? 1 : 0, s.FirstStep ? 1 : 0));
                break;
            case OptimKind.Adam:
                Interop.Native.Check(Interop.Native.cs_adam_step_f32(n, p, g, s0, s1, s2, s.Lr, s.Beta1, s.Beta2, s.Eps, s.WeightDecay,
                    s.BiasCorrection1, s.BiasCorrection2, s.Decoupled ? 1 : 0, s.Maximize ? 1 : 0));
                break;
            case OptimKind.Adamax:
                Interop.Native.Check(Interop.Native.cs_adamax_step_f32(n, p, g, s0, s1, s.Lr, s.Beta1, s.Beta2, s.Eps, s.WeightDecay,
                    s.BiasCorrection1, s.Maximize ? 1 : 0));
                break;
            case OptimKind.RmsProp:
                Interop.Native.Check(Interop.Native.cs_rmsprop_step_f32(n, p, g, s0, s1, s2, s.Lr, s.Alpha, s.Eps, s.WeightDecay, s.Momentum,
                    s.Maximize ? 1 : 0));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer step.");
        }
    }
}
