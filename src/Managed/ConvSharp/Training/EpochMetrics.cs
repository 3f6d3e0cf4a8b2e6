using System.Globalization;

namespace ConvSharp.Training;

/// <summary>One finished epoch, as the trainer reports it and as metrics.csv holds it. Accuracies are NaN when the
/// task is not classification (the model's output is not [N, C] against labels [N]); validation values are NaN
/// without a validation loader.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, double Lr, double Seconds)
{
    /// <summary>The header of metrics.csv.</summary>
    public const string CsvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";

    /// <summary>This epoch as a metrics.csv row (round-trip precision).</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Epoch},{TrainLoss:R},{TrainAccuracy:R},{ValLoss:R},{ValAccuracy:R},{Lr:R},{Seconds:F3}");

    /// <summary>Parses a row written by <see cref="ToCsv"/>.</summary>
    /// <exception cref="InvalidDataException">The row does not have seven numbers.</exception>
    public static EpochMetrics FromCsv(string row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string[] f = row.Split(',');
        var v = new double[7];
        if (f.Length != 7 || !int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch)
            || f.Skip(1).Select((s, i) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i + 1])).Any(ok => !ok))
            throw new InvalidDataException($"metrics row '{row}' is not seven comma-separated numbers ({CsvHeader}).");
        return new EpochMetrics(epoch, v[1], v[2], v[3], v[4], v[5], v[6]);
    }
}

/// <summary>What <see cref="Trainer.Fit"/> returns.</summary>
public sealed record FitResult(IReadOnlyList<EpochMetrics> History, int BestEpoch, bool Interrupted, bool StoppedEarly)
{
    /// <summary>The metrics of the epoch whose weights were kept (null when none finished).</summary>
    public EpochMetrics? Best => History.FirstOrDefault(h => h.Epoch == BestEpoch);
}

/// <summary>Progress inside an epoch, reported after every training batch.</summary>
public readonly record struct TrainProgress(int Epoch, int Epochs, int Batch, int Batches, long Samples, double RunningLoss, TimeSpan Elapsed);

/// <summary>Which value picks the kept ("best") weights and drives early stopping.</summary>
public enum Monitor
{
    /// <summary>Validation accuracy when the task is classification, else validation loss.</summary>
    Auto,

    /// <summary>Higher validation accuracy is better.</summary>
    ValAccuracy,

    /// <summary>Lower validation loss is better.</summary>
    ValLoss,
}
