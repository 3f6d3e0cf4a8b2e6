namespace ConvSharp;

/// <summary>Switches for the autograd tape (PyTorch's <c>torch.no_grad()</c>).</summary>
public static class Autograd
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
