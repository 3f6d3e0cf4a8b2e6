namespace ConvSharp.Backends;

// Pooling primitives (letters in PoolGeometry.cs). Every max pool can also record, per output, the
// offset of its maximum inside the input plane (int32 bits stored in a float buffer: exact at any
// size); one backward kernel serves them all. Backward kernels ADD into the input gradient.
internal partial interface IKernels
{
    /// <summary>Max over each window; when <paramref name="indices"/> is given, also the argmax offsets
    /// (int32 bits, one per output) that <see cref="MaxPool2dBackward"/> reads.</summary>
    void MaxPool2d(BufferSlice input, in PoolGeometry geometry, BufferSlice output, BufferSlice? indices);

    /// <summary>gradInput[plane, indices[o]] += gradOutput[o], plane by plane (the backward of every max pool).</summary>
    void MaxPool2dBackward(BufferSlice gradOutput, BufferSlice indices, long planes, long inputPlane, long outputPlane, BufferSlice gradInput);

    /// <summary>Window sum / divisor (PyTorch's count_include_pad rule; <paramref name="divisorOverride"/> 0 means none).</summary>
    void AvgPool2d(BufferSlice input, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice output);

    /// <summary>gradInput += gradOutput / divisor over each window.</summary>
    void AvgPool2dBackward(BufferSlice gradOutput, in PoolGeometry geometry, bool countIncludePad, int divisorOverride, BufferSlice gradInput);

    /// <summary>(Σ x^p)^(1/p) over each window (no padding).</summary>
    void LPPool2d(BufferSlice input, in PoolGeometry geometry, float normType, BufferSlice output);

    /// <summary>gradInput += gradOutput·(x/y)^(p−1), 0 where y = 0.</summary>
    void LPPool2dBackward(BufferSlice input, BufferSlice gradOutput, in PoolGeometry geometry, float normType, BufferSlice gradInput);

    /// <summary>Max over each adaptive window, with argmax offsets when <paramref name="indices"/> is given.</summary>
    void AdaptiveMaxPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output, BufferSlice? indices);

    /// <summary>Mean over each adaptive window.</summary>
    void AdaptiveAvgPool2d(BufferSlice input, in AdaptivePoolGeometry geometry, BufferSlice output);

    /// <summary>gradInput += gradOutput / window size over each adaptive window.</summary>
    void AdaptiveAvgPool2dBackward(BufferSlice gradOutput, in AdaptivePoolGeometry geometry, BufferSlice gradInput);

    /// <summary>Max over the pseudo-random windows <paramref name="samples"/> (two per plane, in [0, 1)) select,
    /// with argmax offsets when <paramref name="indices"/> is given.</summary>
    void FractionalMaxPool2d(BufferSlice input, in FractionalPoolGeometry geometry, BufferSlice samples, BufferSlice output, BufferSlice? indices);
}
