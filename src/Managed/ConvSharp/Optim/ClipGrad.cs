using ConvSharp.Backends;
using ConvSharp.NN;

namespace ConvSharp.Optim;

/// <summary>Gradient clipping (PyTorch's <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>).</summary>
public static class ClipGrad
{
    /// <summary>Scales all gradients by maxNorm/(total + 1e-6) when their joint norm exceeds <paramref name="maxNorm"/>;
    /// returns the total norm before clipping. <paramref name="normType"/> is 2 (Euclidean) or
    /// <see cref="float.PositiveInfinity"/> (largest absolute value).</summary>
    public static float Norm(IEnumerable<Parameter> parameters, float maxNorm, float normType = 2f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptimizerChecks.NonNegative(maxNorm, nameof(maxNorm));
        bool infinity = float.IsPositiveInfinity(normType);
        if (!infinity && normType != 2f)
            throw new ArgumentOutOfRangeException(nameof(normType), normType, $"Invalid normType: {normType} (2 or infinity are supported).");
        Tensor[] grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        double total = 0;
        foreach (Tensor g in grads)
        {
            double n = g.Kernels.Norm(g.Data, infinity);
            total = infinity ? Math.Max(total, n) : total + n * n;
        }
        if (!infinity) total = Math.Sqrt(total);
        float coefficient = (float)(maxNorm / (total + 1e-6));
        if (coefficient < 1f)
            foreach (Tensor g in grads) g.Kernels.Unary(UnaryOp.Affine, g.Data, g.Data, coefficient, 0f);
        return (float)total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue].</summary>
    public static void Value(IEnumerable<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptimizerChecks.NonNegative(clipValue, nameof(clipValue));
        foreach (var p in parameters)
            if (p.Grad is { } g) g.Kernels.Unary(UnaryOp.Clamp, g.Data, g.Data, -clipValue, clipValue);
    }
}
