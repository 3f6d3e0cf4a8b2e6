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
