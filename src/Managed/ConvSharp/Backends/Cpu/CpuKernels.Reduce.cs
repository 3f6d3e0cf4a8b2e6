namespace ConvSharp.Backends.Cpu;

internal sealed unsafe partial class CpuKernels
{
    public void Reduce(ReduceOp op, long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice? indices)
    {
        if (op == ReduceOp.Max)
        {
            DeviceBuffer? scratch = indices is null ? Allocate(outer * inner, zero: false) : null;
            try
            {
                float* index = indices is { } i ? Pointer(i) : ((CpuBuffer)scratch!).Pointer;
                Interop.Native.Check(Interop.Native.cs_max_along_f32(outer, n, inner, Pointer(x), Pointer(values), index));
            }
            finally { scratch?.Release(); }
            return;
        }
        // Norms: each (o, i) line of the view in double.
        Span<float> result = Span(values);
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
            {
                double norm;
                if (inner == 1)
                    Interop.Native.Check(Interop.Native.cs_norm_f32(n, Pointer(x) + o * n, op == ReduceOp.MaxAbs ? 1 : 0, &norm));
                else
                    norm = StridedNorm(Pointer(x) + o * n * inner + i, n, inner, op == ReduceOp.MaxAbs);
                result[checked((int)(o * inner + i))] = (float)(op == ReduceOp.MaxAbs ? norm : Math.Sqrt(norm));
            }
    }

    private static double StridedNorm(float* x, long n, long stride, bool maxAbs)
    {
        double acc = 0;
        for (long j = 0; j < n; j++)
        {
            double v = x[j * stride];
            acc = maxAbs ? Math.Max(acc, Math.Abs(v)) : acc + v * v;
        }
        return acc;
    }
}
