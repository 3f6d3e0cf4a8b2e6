namespace ConvSharp.Training;

/// <summary>The training loss became NaN or infinite; the message names the epoch, the batch and, found by
/// re-running the batch under <see cref="Autograd.DetectAnomaly"/>, the op that produced it. Nothing of the epoch
/// was written to the run folder.</summary>
public sealed class TrainingDivergedException(string message) : ArithmeticException(message)
{
    /// <summary>The epoch (from 1) whose batch diverged.</summary>
    public int Epoch { get; init; }

    /// <summary>The batch (from 1) whose loss was not finite.</summary>
    public int Batch { get; init; }
}
