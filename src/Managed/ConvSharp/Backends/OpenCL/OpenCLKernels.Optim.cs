namespace ConvSharp.Backends.OpenCL;

internal sealed partial class OpenCLKernels
{
    /// <summary>Parameters per multi-tensor optimizer launch (optim.cl's CS_MULTI: 8 slots of five slices stay within the
    /// 1,024 bytes of kernel arguments every OpenCL device accepts).</summary>
    internal const int OptimSlots = 8;

    public void OptimStep(OptimKind kind, ReadOnlySpan<OptimTensors> tensors, in OptimStep s)
    {
        if (tensors.Length == 1)
        {
            ref readonly OptimTensors t = ref tensors[0];
            OptimStep(kind, t.Param, t.Grad, t.State0, t.State1, t.State2, s);
            return;
        }
        KernelArg[] hyper;
        string kernel;
        switch (kind)
        {
            case OptimKind.Sgd:
                foreach (ref readonly OptimTensors t in tensors)
                    if (s.Momentum != 0f && t.State0 is null) throw new ArgumentNullException("momentumBuffer", "SGD with momentum needs its buffer.");
                kernel = "cs_sgd_step_multi";
                hyper = Hyper(s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov ? 1 : 0, s.Maximize ? 1 : 0, s.FirstStep ? 1 : 0);
                break;
            case OptimKind.Adam:
                CheckCorrection(s.BiasCorrection1, nameof(s.BiasCorrection1));
                CheckCorrection(s.BiasCorrection2, nameof(s.BiasCorrection2));
                kernel = "cs_adam_step_multi";
                hyper = Hyper(s.Lr, s.Beta1, s.Beta2, s.Eps, s.WeightDecay, s.BiasCorrection1, s.BiasCorrection2, s.Decoupled ? 1 : 0,
                    s.Maximize ? 1 : 0);
                break;
            case OptimKind.Adamax:
                CheckCorrection(s.BiasCorrection1, nameof(s.BiasCorrection1));
                kernel = "cs_adamax_step_multi";
                hyper = Hyper(s.Lr, s.Beta1, s.Beta2, s.Eps, s.WeightDecay, s.BiasCorrection1, s.Maximize ? 1 : 0);
                break;
            case OptimKind.RmsProp:
                foreach (ref readonly OptimTensors t in tensors)
                    if (s.Momentum != 0f && t.State2 is null) throw new ArgumentNullException("momentumBuffer", "RMSprop with momentum needs its buffer.");
                kernel = "cs_rmsprop_step_multi";
                hyper = Hyper(s.Lr, s.Alpha, s.Eps, s.WeightDecay, s.Momentum, s.Maximize ? 1 : 0);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer step.");
        }
        Span<long> ends = stackalloc long[OptimSlots];
        for (int first = 0; first < tensors.Length; first += OptimSlots)
        {
            ReadOnlySpan<OptimTensors> chunk = tensors.Slice(first, Math.Min(OptimSlots, tensors.Length - first));
            long total = 0;
            for (int i = 0; i < OptimSlots; i++) ends[i] = total += i < chunk.Length ? chunk[i].Param.Length : 0;
            if (total == 0) continue;
            var args = new KernelArg[1 + hyper.Length + 5 * OptimSlots];
            args[0] = KernelArg.Vector<long>(ends, 8);
            hyper.CopyTo(args.AsSpan(1));
            for (int i = 0, at = 1 + hyper.Length; i < OptimSlots; i++)
            {
                bool used = i < chunk.Length;
                args[at++] = used ? chunk[i].Param : (BufferSlice?)null;
                args[at++] = used ? chunk[i].Grad : (BufferSlice?)null;
                args[at++] = used ? chunk[i].State0 : null;
                args[at++] = used ? chunk[i].State1 : null;
                args[at++] = used ? chunk[i].State2 : null;
            }
            Context.Launch(kernel, [(nuint)total], default, args);
        }
    }

    private static KernelArg[] Hyper(params KernelArg[] values) => values;

    /// <summary>One parameter's update, by the one-tensor kernels.</summary>
    internal void OptimStep(OptimKind kind, BufferSlice param, BufferSlice grad, BufferSlice? state0, BufferSlice? state1, BufferSlice? state2,
        in OptimStep s)
    {
        switch (kind)
        {
            case OptimKind.Sgd: SgdStep(param, grad, state0, s); break;
            case OptimKind.Adam: AdamStep(param, grad, state0!.Value, state1!.Value, state2, s); break;
            case OptimKind.Adamax: AdamaxStep(param, grad, state0!.Value, state1!.Value, s); break;
            case OptimKind.RmsProp: RmsPropStep(param, grad, state0!.Value, state1, state2, s); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer step.");
        }
    }

    private void SgdStep(BufferSlice param, BufferSlice grad, BufferSlice? momentumBuffer, in OptimStep s)
    {
        if (s.Momentum != 0f && momentumBuffer is null) throw new ArgumentNullException(nameof(momentumBuffer), "SGD with momentum needs its buffer.");
        Context.Run("cs_sgd_step", param.Length, param.Length, param, grad, momentumBuffer, s.Lr, s.Momentum, s.Dampening, s.WeightDecay,
            s.Nesterov ? 1 : 0, s.Maximize ? 1 : 0, s.FirstStep ? 1 : 0);
    }

    private void AdamStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expAvgSq, BufferSlice? maxExpAvgSq, in OptimStep s)
    {
        CheckCorrection(s.BiasCorrection1, nameof(s.BiasCorrection1));
        CheckCorrection(s.BiasCorrection2, nameof(s.BiasCorrection2));
        Context.Run("cs_adam_step", param.Length, param.Length, param, grad, expAvg, expAvgSq, maxExpAvgSq, s.Lr, s.Beta1, s.Beta2, s.Eps,
            s.WeightDecay, s.BiasCorrection1, s.BiasCorrection2, s.Decoupled ? 1 : 0, s.Maximize ? 1 : 0);
    }

    private void AdamaxStep(BufferSlice param, BufferSlice grad, BufferSlice expAvg, BufferSlice expInf, in OptimStep s)
    {
        CheckCorrection(s.BiasCorrection1, nameof(s.BiasCorrection1));
        Context.Run("cs_adamax_step", param.Length, param.Length, param, grad, expAvg, expInf, s.Lr, s.Beta1, s.Beta2, s.Eps, s.WeightDecay,
            s.BiasCorrection1, s.Maximize ? 1 : 0);
    }

    private void RmsPropStep(BufferSlice param, BufferSlice grad, BufferSlice squareAvg, BufferSlice? gradAvg, BufferSlice? momentumBuffer, in OptimStep s)
    {
        if (s.Momentum != 0f && momentumBuffer is null) throw new ArgumentNullException(nameof(momentumBuffer), "RMSprop with momentum needs its buffer.");
        Context.Run("cs_rmsprop_step", param.Length, param.Length, param, grad, squareAvg, gradAvg, momentumBuffer, s.Lr, s.Alpha, s.Eps,
            s.WeightDecay, s.Momentum, s.Maximize ? 1 : 0);
    }

    private double Norm(BufferSlice x, bool infinity)
    {
        const int group = 256;
        if (x.Length == 0) return 0.0;
        long groups = Math.Min(256, (x.Length + group - 1) / group), perGroup = (x.Length + groups - 1) / groups;
        bool fp64 = Context.Info.HasFp64;
        using var partial = Scratch(fp64 ? 2 * groups : groups);
        Context.Launch("cs_norm_partial", [(nuint)(groups * group)], [group],
            [x.Length, x, infinity ? 1 : 0, perGroup, KernelArg.Mem(partial.Buffer)]);
        Context.Run("cs_norm_finish", 1, groups, infinity ? 1 : 0, KernelArg.Mem(partial.Buffer));
        Span<float> result = stackalloc float[2];
        Context.Read(partial.Buffer, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(result[..(fp64 ? 2 : 1)]));
        return fp64 ? System.Runtime.InteropServices.MemoryMarshal.Cast<float, double>(result)[0] : result[0];
    }

    private static void CheckCorrection(float value, string name)
    {
        if (!(value > 0f)) throw new ArgumentOutOfRangeException(name, value, "A bias correction must be positive.");
    }
}
