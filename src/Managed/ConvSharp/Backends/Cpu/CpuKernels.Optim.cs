namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void SgdStep(BufferSlice param, BufferSlice grad, BufferSlice? momentumBuffer, in OptimStep s)
    {
        float* buf = State(param, grad, momentumBuffer, nameof(momentumBuffer));
        Interop.Native.Check(Interop.Native.SgdStep(param.Length, Pointer(param), Pointer(grad), buf, s.Lr, s.Momentum, s.Dampening,
            s.WeightDecay, s.Nesterov ? 1 : 0, s.Maximize ? 1 : 0, s.FirstStep ? 1 : 0), "cs_sgd_step_f32");
    }

    public void AdamStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, BufferSlice? maxExpAvgSq, in OptimStep s)
    {
        float* m = State(param, grad, expAvg, nameof(expAvg)), v = State(param, grad, expAvgSq, nameof(expAvgSq));
        float* vmax = State(param, grad, maxExpAvgSq, nameof(maxExpAvgSq));
        Interop.Native.Check(Interop.Native.AdamStep(param.Length, Pointer(param), Pointer(grad), m, v, vmax, s.Lr, s.Beta1, s.Beta2, s.Eps,
            s.WeightDecay, s.BiasCorrection1, s.BiasCorrection2, s.Decoupled ? 1 : 0, s.Maximize ? 1 : 0), "cs_adam_step_f32");
    }

    public void AdamaxStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expInf, in OptimStep s)
    {
        float* m = State(param, grad, expAvg, nameof(expAvg)), u = State(param, grad, expInf, nameof(expInf));
        Interop.Native.Check(Interop.Native.AdamaxStep(param.Length, Pointer(param), Pointer(grad), m, u, s.Lr, s.Beta1, s.Beta2, s.Eps,
            s.WeightDecay, s.BiasCorrection1, s.Maximize ? 1 : 0), "cs_adamax_step_f32");
    }

    public void RmsPropStep(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice? gradAvg, BufferSlice? momentumBuffer, in OptimStep s)
    {
        float* v = State(param, grad, squareAvg, nameof(squareAvg));
        float* ga = State(param, grad, gradAvg, nameof(gradAvg)), buf = State(param, grad, momentumBuffer, nameof(momentumBuffer));
        Interop.Native.Check(Interop.Native.RmsPropStep(param.Length, Pointer(param), Pointer(grad), v, ga, buf, s.Lr, s.Alpha, s.Eps,
            s.WeightDecay, s.Momentum, s.Maximize ? 1 : 0), "cs_rmsprop_step_f32");
    }

    public double Norm(BufferSlice x, bool infinity)
    {
        double result;
        Interop.Native.Check(Interop.Native.Norm(x.Length, Pointer(x), infinity ? 1 : 0, &result), "cs_norm_f32");
        return result;
    }

    /// <summary>A state slice must match the parameter's length (null when absent).</summary>
    private float* State(BufferSlice param, BufferSlice grad, BufferSlice? state, string name)
    {
        KernelChecks.Length(grad, param.Length, nameof(grad));
        if (state is not { } s) return null;
        KernelChecks.Length(s, param.Length, name);
        return Pointer(s);
    }
}
