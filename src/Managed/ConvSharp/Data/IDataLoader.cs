namespace ConvSharp.Data;

/// <summary>What <see cref="Training.Trainer"/> needs of a loader: batches of (input, target) tensors, how many there
/// are per epoch, and the epoch number that seeds the shuffle (so a resumed run sees the same order).</summary>
public interface IDataLoader
{
    /// <summary>The batches of one epoch, in the order <see cref="Epoch"/> gives.</summary>
    IEnumerable<(Tensor Input, Tensor Target)> Batches();

    /// <summary>Batches per epoch.</summary>
    int BatchCount { get; }

    /// <summary>The epoch (from 0) whose shuffled order the next enumeration yields.</summary>
    int Epoch { get; set; }
}
