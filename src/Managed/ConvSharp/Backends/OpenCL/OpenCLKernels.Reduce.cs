namespace ConvSharp.Backends.OpenCL;

internal sealed partial class OpenCLKernels
{
    public void Reduce(ReduceOp op, long outer, long n, long inner, BufferSlice x, BufferSlice values, BufferSlice? indices)
    {
        if (op == ReduceOp.Max)
        {
            using var scratch = indices is null ? Scratch(outer * inner) : default;
            Context.Run("cs_max_along", outer * inner, outer, n, inner, x, values, indices ?? scratch.Slice);
            return;
        }
        if (inner != 1)
            throw new NotSupportedException($"{op} on OpenCL reduces contiguous lines only (inner = 1), not inner = {inner}.");
        Span<float> result = outer <= 256 ? stackalloc float[(int)outer] : new float[outer];
        for (long o = 0; o < outer; o++)
        {
            double norm = Norm(x.Slice(o * n, n), op == ReduceOp.MaxAbs);
            result[(int)o] = (float)(op == ReduceOp.MaxAbs ? norm : Math.Sqrt(norm));
        }
        Upload(result, values);
    }


}
