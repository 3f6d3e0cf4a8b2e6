using ConvSharp.Data;
using ConvSharp.Distributed;
using ConvSharp.NN;
using ConvSharp.Training;
using Dist = ConvSharp.Distributed.Distributed;

namespace ConvSharp.Cli;

/// <summary>What `convsharp train --distributed` changes, kept out of the trainer: under `mpirun -np N` every
/// rank trains on its own shard of the training set (DistributedSampler; --batch-size is per rank, so the
/// global batch is N × batch), gradients are averaged by DistributedDataParallel, only rank 0 prints and
/// writes the run folder, and the ranks agree on stopping (Ctrl+C reaches all of them, maybe in different
/// batches). Without --distributed, or without mpirun, every method is the identity.</summary>
internal sealed class DistributedTraining : IDisposable
{
    private readonly DistributedSession? _session;

    private DistributedTraining(DistributedSession? session) => _session = session;

    /// <summary>Joins the MPI job when --distributed is given.</summary>
    public static DistributedTraining Start(bool distributed) =>
        new(distributed ? Dist.Init() : null);

    /// <summary>Whether this rank prints, writes the run folder and runs the final evaluation.</summary>
    public bool IsMain => _session is null || Dist.IsMain;

    public int WorldSize => _session is null ? 1 : Dist.WorldSize;

    /// <summary>Rank 0's output; the other ranks print nothing.</summary>
    public TextWriter Output(TextWriter output) => IsMain ? output : TextWriter.Null;

    /// <summary>This rank's shard of the training set (reshuffled per epoch by the loader), or the set itself.</summary>
    public Dataset Shard(Dataset train, long seed) =>
        WorldSize > 1 ? new DistributedSampler(train, Dist.Rank, Dist.WorldSize, shuffle: true, seed: seed) : train;

    /// <summary>Whether the loader shuffles by itself (a shard is already in the sampler's order).</summary>
    public bool LoaderShuffles => WorldSize == 1;

    /// <summary>Several ranks: <paramref name="model"/> wrapped for gradient averaging (the construction broadcasts
    /// rank 0's weights; the wrapper's hooks on the parameters average the gradients during every backward of the
    /// model, so the trainer keeps running and saving the model itself, whose state_dict names carry no "module."
    /// prefix). One rank: null.</summary>
    public DistributedDataParallel? Wrap(Module model) => WorldSize > 1 ? new DistributedDataParallel(model) : null;

    /// <summary>The trainer callback of a data-parallel run: after every batch the ranks agree on stopping (a local
    /// request in <paramref name="local"/> — Ctrl+C, or <paramref name="stopAfterBatches"/> for tests — cancels
    /// <paramref name="agreed"/>, the trainer's token, on every rank after the same batch), and rank 0's buffers
    /// (BatchNorm statistics) reach every rank before the next forward.</summary>
    public TrainerCallback Agreement(Module model, CancellationTokenSource local, CancellationTokenSource agreed, int? stopAfterBatches) =>
        new AgreementCallback(this, model, local, agreed, stopAfterBatches);

    private sealed class AgreementCallback(DistributedTraining distributed, Module model, CancellationTokenSource local,
        CancellationTokenSource agreed, int? stopAfterBatches) : TrainerCallback
    {
        private int _batches;

        public override void OnBatchEnd(Trainer trainer, int epoch, int batch, float loss)
        {
            _batches++;
            if (stopAfterBatches is int n && _batches >= n) local.Cancel();
            if (distributed.AnyRank(local.IsCancellationRequested)) agreed.Cancel();
            foreach (var (_, buffer) in model.NamedBuffers()) Dist.Broadcast(buffer);
        }
    }

    /// <summary>Whether any rank asked to stop (one small all-reduce per batch, so all stop after the same batch).</summary>
    public bool AnyRank(bool stop)
    {
        if (WorldSize == 1) return stop;
        Span<float> flag = [stop ? 1f : 0f];
        Dist.AllReduce(flag);
        return flag[0] > 0;
    }

    /// <summary>Waits for every rank (before the others leave while rank 0 still writes).</summary>
    public void Barrier()
    {
        if (WorldSize > 1) Dist.Barrier();
    }

    public void Dispose() => _session?.Dispose();

    /// <summary>The test seam of TrainRun.StopAfterBatchesForTests for runs in other processes (under mpirun):
    /// CONVSHARP_TEST_STOP_AFTER_BATCHES=N stops every rank after N batches, as Ctrl+C would.</summary>
    internal static int? StopAfterBatchesForTests() =>
        int.TryParse(Environment.GetEnvironmentVariable("CONVSHARP_TEST_STOP_AFTER_BATCHES"), out int n) && n > 0 ? n : null;
}
