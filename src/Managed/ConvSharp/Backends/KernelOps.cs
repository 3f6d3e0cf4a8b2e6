namespace ConvSharp.Backends;

/// <summary>Binary operations of <see cref="IKernels.Elementwise"/>: the values of CS_BINARY_OPS in
/// native/kernels/shared/ops.def, in its order (a test asks the native library for each).</summary>
internal enum BinaryOp
{
    Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum,
    /// <summary>a alone (b unused): copies, permutes, expansions and sums to a shape.</summary>
    CopyA,
    /// <summary>1 where a &gt; b, else 0.</summary>
    GreaterMask,
    /// <summary>1 where a == b, else 0.</summary>
    EqualMask,
    /// <summary>a where b &gt; 0, else 0: ReLU's backward from its output b (the fused Conv2d + ReLU masks its gradient in place).</summary>
    ReluMask,
}

/// <summary>Unary maps of <see cref="IKernels.Unary"/>: the values of CS_UNARY_OPS in native/kernels/shared/ops.def,
/// in its order (a test asks the native library for each).</summary>
internal enum UnaryOp
{
    Neg = 0, Exp, Log, Sqrt, Abs, Relu, Sigmoid, Tanh,
    /// <summary>Exact GELU, x·Φ(x).</summary>
    Gelu,
    /// <summary>alpha = ELU's alpha.</summary>
    Elu,
    /// <summary>alpha = negative slope.</summary>
    LeakyRelu,
    /// <summary>x^alpha.</summary>
    Pow,
    /// <summary>To [alpha, beta].</summary>
    Clamp,
    /// <summary>alpha·x + beta.</summary>
    Affine,
    /// <summary>x·σ(x).</summary>
    Silu,
    /// <summary>x·relu6(x + 3)/6.</summary>
    Hardswish,
}

/// <summary>One operand of <see cref="IKernels.Elementwise"/>: storage plus an element stride per
/// dimension of the iteration shape (0 repeats the value along that dimension).</summary>
internal readonly ref struct StridedOperand(BufferSlice slice, ReadOnlySpan<long> strides)
{
    public BufferSlice Slice { get; } = slice;
    public ReadOnlySpan<long> Strides { get; } = strides;
}

/// <summary>Conveniences composed of <see cref="IKernels"/> members (not members themselves: the closed set stays small).</summary>
internal static class KernelExtensions
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length; memmove semantics when they
    /// overlap): an element-wise copy.</summary>
    public static void Copy(this IKernels kernels, BufferSlice source, BufferSlice destination)
    {
        if (source.Length == 0 || source == destination) return;
        if (ReferenceEquals(source.Buffer, destination.Buffer) &&
            source.Offset < destination.Offset + destination.Length && destination.Offset < source.Offset + source.Length)
        {
            DeviceBuffer scratch = kernels.Allocate(source.Length, zero: false);
            try
            {
                var middle = new BufferSlice(scratch, 0, source.Length);
                kernels.Copy(source, middle);
                kernels.Copy(middle, destination);
            }
            finally { scratch.Release(); }
            return;
        }
        kernels.Elementwise(BinaryOp.CopyA, [checked((int)source.Length)], new(destination, [1L]), new(source, [1L]), default);
    }

    /// <summary>‖x‖₂ (or max |x| with <paramref name="infinity"/>) of a whole slice, read back to the host.</summary>
    public static double Norm(this IKernels kernels, BufferSlice x, bool infinity)
    {
        if (x.Length == 0) return 0.0;
        DeviceBuffer one = kernels.Allocate(1, zero: false);
        try
        {
            kernels.Reduce(infinity ? ReduceOp.MaxAbs : ReduceOp.L2Norm, 1, x.Length, 1, x, new BufferSlice(one, 0, 1), null);
            Span<float> value = stackalloc float[1];
            kernels.Download(new BufferSlice(one, 0, 1), value);
            return value[0];
        }
        finally { one.Release(); }
    }
}
