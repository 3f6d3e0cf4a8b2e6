using ConvSharp.Backends;
namespace ConvSharp;

/// <summary>Switches for the autograd tape (PyTorch's <c>torch.no_grad()</c>).</summary>
public static partial class Autograd
{
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>Whether ops on this thread record backward nodes.</summary>
    public static bool IsGradEnabled => t_noGradDepth == 0;

    /// <summary>Stops recording on this thread until the returned scope is disposed:
    /// <c>using (Autograd.NoGrad()) { ... }</c>. Scopes nest.</summary>
    public static IDisposable NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope();
    }

    [ThreadStatic] private static int t_anomalyDepth;

    /// <summary>Whether anomaly detection is on for this thread (see <see cref="DetectAnomaly"/>).</summary>
    public static bool IsAnomalyDetectionEnabled => t_anomalyDepth > 0;

    /// <summary>Checks, until the returned scope is disposed, every recorded op's output in forward and every gradient
    /// in backward for NaN or infinity, and throws <see cref="ArithmeticException"/> naming the first op that made one
    /// (PyTorch's <c>detect_anomaly</c>). Costs one pass over each tensor: for debugging, not for training runs.</summary>
    public static IDisposable DetectAnomaly()
    {
        t_anomalyDepth++;
        return new Scope(() => t_anomalyDepth--);
    }

    /// <summary>Throws when <paramref name="tensor"/> holds NaN or infinity (anomaly mode).</summary>
    internal static void CheckFinite(Tensor tensor, Func<string> where)
    {
        // max |x| is NaN or infinite exactly when some element is.
        if (!double.IsFinite(tensor.Kernels.Norm(tensor.Data, infinity: true)))
            throw new ArithmeticException($"Autograd anomaly: {where()} produced NaN or infinity (shape {Guard.Format(tensor.ShapeSpan)}).");
    }

    private sealed class Scope(Action exit) : IDisposable
    {
        private Action? _exit = exit;

        public void Dispose() => Interlocked.Exchange(ref _exit, null)?.Invoke();
    }

    private sealed class NoGradScope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            t_noGradDepth--;
        }
    }
}
