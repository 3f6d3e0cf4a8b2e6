using ConvSharp.Backends;

// In the root namespace so every caller of IKernels sees these without a using.
namespace ConvSharp;

/// <summary>The one-slice forms of the kernel interface's multi-slice members, so a call on one buffer reads as before.</summary>
internal static class KernelCalls
{
    /// <summary>Sets every element of <paramref name="destination"/> to <paramref name="value"/>.</summary>
    public static void Fill(this IKernels kernels, BufferSlice destination, float value) => kernels.Fill([destination], value);

    /// <summary>One fused update of one parameter (see <see cref="IKernels.OptimStep"/>).</summary>
    public static void OptimStep(this IKernels kernels, OptimKind kind, BufferSlice param, BufferSlice grad, BufferSlice? state0,
        BufferSlice? state1, BufferSlice? state2, in OptimStep step) =>
        kernels.OptimStep(kind, [new OptimTensors(param, grad, state0, state1, state2)], step);
}
