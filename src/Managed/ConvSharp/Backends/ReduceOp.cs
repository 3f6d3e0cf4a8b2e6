namespace ConvSharp.Backends;

/// <summary>Reductions of <see cref="IKernels.Reduce"/> over the middle axis of an (outer, n, inner) view.</summary>
internal enum ReduceOp
{
    /// <summary>The maximum, with the index of its first occurrence when indices are asked for.</summary>
    Max = 0,
    /// <summary>√(Σ x²), accumulated in double (a float result overflows only past float's maximum norm).</summary>
    L2Norm,
    /// <summary>max |x|; NaN when any element is NaN (so it is finite exactly when every element is).</summary>
    MaxAbs,
}
