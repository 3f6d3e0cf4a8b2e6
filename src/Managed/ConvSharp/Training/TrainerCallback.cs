using ConvSharp.NN;

namespace ConvSharp.Training;

/// <summary>Hooks into <see cref="Trainer.Fit"/> (Keras/Lightning callbacks, reduced to what a loop needs); override what you use.</summary>
public abstract class TrainerCallback
{
    /// <summary>Before the first epoch runs; <paramref name="history"/> holds the epochs a resumed run already finished.</summary>
    public virtual void OnFitStart(Trainer trainer, Module model, IReadOnlyList<EpochMetrics> history) { }

    /// <summary>Before each epoch's first batch.</summary>
    public virtual void OnEpochStart(Trainer trainer, int epoch) { }

    /// <summary>After each training batch's optimizer step, with its loss.</summary>
    public virtual void OnBatchEnd(Trainer trainer, int epoch, int batch, float loss) { }

    /// <summary>After an epoch is validated and committed to the run folder; <paramref name="history"/> is every epoch so far
    /// (the rows of metrics.csv) and <paramref name="improved"/> says whether these weights became the kept ones.</summary>
    public virtual void OnEpochEnd(Trainer trainer, EpochMetrics metrics, IReadOnlyList<EpochMetrics> history, bool improved) { }

    /// <summary>After the last epoch, early stopping or an interruption.</summary>
    public virtual void OnFitEnd(Trainer trainer, FitResult result) { }
}
