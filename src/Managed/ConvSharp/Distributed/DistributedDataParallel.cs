using System.Diagnostics;
using System.Text;
using ConvSharp.NN;

namespace ConvSharp.Distributed;

/// <summary>Data-parallel training (PyTorch's <c>nn.parallel.DistributedDataParallel</c>): wraps the model
/// every rank builds, so that after <c>loss.Backward()</c> each parameter's gradient is the average over all
/// ranks. Each rank then takes the same optimizer step and the replicas stay identical.
/// <para>Construction checks that every rank has the same parameters and buffers (names and shapes; a mismatch
/// fails on every rank naming the first mismatching one), then broadcasts rank 0's values.</para>
/// <para>Gradients are averaged in buckets of about <c>bucketSizeMb</c> MiB, parameters taken in reverse
/// registration order (roughly the order backward finishes them). A post-accumulate gradient hook on each
/// parameter marks it ready; when a bucket is complete its MPI_Iallreduce starts at once, while the rest of
/// the backward runs; the last bucket's hook waits for all of them and writes the averages back. Buckets start
/// in index order on every rank, as MPI requires.</para>
/// <para>Buffers (BatchNorm running statistics) are broadcast from rank 0 before each training forward
/// (<c>broadcastBuffers</c>). BatchNorm layers normalise with each rank's own batch statistics; use
/// <see cref="SyncBatchNorm"/> for statistics over the global batch.</para>
/// <para>With a world of one process every step is the wrapped model's own.</para></summary>
public sealed class DistributedDataParallel : Module
{
    private readonly (string Name, Parameter Parameter)[] _parameters;
    private readonly (string Name, Tensor Buffer)[] _buffers;
    private readonly Bucket[] _buckets;
    private readonly Dictionary<Parameter, (int Bucket, int Slot)> _slot = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> _hooks = [];
    private readonly int _worldSize;
    private int _nextLaunch;
    private long _allReduceTicks;

    /// <summary>Wraps <paramref name="module"/> (registered as the child "module", as in PyTorch's state_dict keys).</summary>
    /// <param name="module">The model; every rank builds the same one.</param>
    /// <param name="bucketSizeMb">Gradient bucket size in MiB (PyTorch's bucket_cap_mb, default 25): a net smaller
    /// than this is one bucket.</param>
    /// <param name="broadcastBuffers">Broadcast rank 0's buffers before each training forward.</param>
    /// <exception cref="ArgumentException">The ranks' models differ (the message names the first differing parameter or buffer).</exception>
    public DistributedDataParallel(Module module, double bucketSizeMb = 25, bool broadcastBuffers = true)
    {
        Guard.NotNull(module);
        if (!(bucketSizeMb > 0) || double.IsInfinity(bucketSizeMb))
            throw new ArgumentOutOfRangeException(nameof(bucketSizeMb), bucketSizeMb, $"bucketSizeMb must be positive and finite, but is {bucketSizeMb}.");
        Distributed.EnsureInitialized();
        Module = RegisterModule("module", module);
        BucketSizeMb = bucketSizeMb;
        BroadcastBuffers = broadcastBuffers;
        _worldSize = Distributed.WorldSize;
        _parameters = [.. module.NamedParameters()];
        _buffers = [.. module.NamedBuffers()];

        CheckSameModelOnEveryRank();
        BroadcastFromRankZero(_parameters.Select(p => (Tensor)p.Parameter).Concat(_buffers.Select(b => b.Buffer)).ToArray());

        _buckets = MakeBuckets(_parameters.Where(p => p.Parameter.RequiresGrad).Select(p => p.Parameter).Reverse().ToArray(),
            (long)(bucketSizeMb * 1024 * 1024));
        for (int b = 0; b < _buckets.Length; b++)
            for (int s = 0; s < _buckets[b].Parameters.Length; s++)
                _slot[_buckets[b].Parameters[s]] = (b, s);
        if (_worldSize > 1)
            foreach (Bucket bucket in _buckets)
                foreach (Parameter p in bucket.Parameters)
                    _hooks.Add(p.RegisterPostAccumulateGradHook(Ready));
    }

    /// <summary>The wrapped model.</summary>
    public Module Module { get; }

    /// <summary>The bucket size asked for, in MiB.</summary>
    public double BucketSizeMb { get; }

    /// <summary>Whether rank 0's buffers are broadcast before each training forward.</summary>
    public bool BroadcastBuffers { get; }

    /// <summary>The number of gradient buckets.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>The state_dict names of each bucket's parameters (within the wrapped model), in bucket order.</summary>
    public IReadOnlyList<string[]> BucketParameterNames =>
        _buckets.Select(b => b.Parameters.Select(p => _parameters.First(q => ReferenceEquals(q.Parameter, p)).Name).ToArray()).ToArray();

    /// <summary>Time this process spent blocked on gradient all-reduces after the last bucket was ready (the part
    /// of communication that backward did not hide), summed over all steps.</summary>
    public TimeSpan AllReduceWaitTime => Stopwatch.GetElapsedTime(0, _allReduceTicks);

    /// <summary>How many backward passes have had their gradients averaged.</summary>
    public long SynchronizedSteps { get; private set; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor input)
    {
        CheckPreviousStepSynchronized();
        if (_worldSize > 1 && BroadcastBuffers && IsTraining && _buffers.Length > 0)
            BroadcastFromRankZero(_buffers.Select(b => b.Buffer).ToArray());
        return Module.Forward(input);
    }

    /// <summary>Averages every gradient bucket that backward has not yet averaged, treating a missing gradient as
    /// zero: call it after <c>Backward()</c> when some parameters may get no gradient (a branch not taken), on
    /// every rank. A no-op when backward already synchronised everything, or in a world of one.</summary>
    public void SynchronizeGradients()
    {
        if (_worldSize == 1 || (_nextLaunch == 0 && _buckets.All(b => b.ReadyCount == 0))) return;
        foreach (Bucket bucket in _buckets)
            foreach (Parameter p in bucket.Parameters)
                p.Grad ??= Tensor.Allocate(p.Device, p.Shape, zero: true, owned: true);
        while (_nextLaunch < _buckets.Length) Launch(_buckets[_nextLaunch++]);
        Finish();
    }

    private void Ready(Tensor tensor)
    {
        var (b, s) = _slot[(Parameter)tensor];
        Bucket bucket = _buckets[b];
        if (bucket.IsReady[s]) return;
        bucket.IsReady[s] = true;
        bucket.ReadyCount++;
        // Buckets start in index order on every rank: MPI matches collectives by their order.
        while (_nextLaunch < _buckets.Length && _buckets[_nextLaunch].ReadyCount == _buckets[_nextLaunch].Parameters.Length)
            Launch(_buckets[_nextLaunch++]);
        if (_nextLaunch == _buckets.Length) Finish();
        else foreach (Bucket running in _buckets.AsSpan(0, _nextLaunch)) running.Progress();
    }

    private static void Launch(Bucket bucket)
    {
        long offset = 0;
        foreach (Parameter p in bucket.Parameters)
        {
            Tensor grad = p.Grad!;
            grad.Kernels.Download(grad.Data, bucket.Values.AsSpan((int)offset, (int)p.Numel));
            offset += p.Numel;
        }
        bucket.Start();
    }

    private void Finish()
    {
        long start = Stopwatch.GetTimestamp();
        float scale = 1f / _worldSize;
        foreach (Bucket bucket in _buckets)
        {
            bucket.Wait();
            Span<float> values = bucket.Values;
            for (int i = 0; i < values.Length; i++) values[i] *= scale;
            long offset = 0;
            foreach (Parameter p in bucket.Parameters)
            {
                Tensor grad = p.Grad!;
                grad.Kernels.Upload(values.Slice((int)offset, (int)p.Numel), grad.Data);
                offset += p.Numel;
            }
            bucket.Reset();
        }
        _nextLaunch = 0;
        SynchronizedSteps++;
        _allReduceTicks += Stopwatch.GetTimestamp() - start;
    }

    private void CheckPreviousStepSynchronized()
    {
        if (_nextLaunch == 0 && _buckets.All(b => b.ReadyCount == 0)) return;
        var missing = _buckets.SelectMany(b => b.Parameters.Where((_, s) => !b.IsReady[s]))
            .Select(p => _parameters.First(q => ReferenceEquals(q.Parameter, p)).Name).Take(5).ToArray();
        throw new InvalidOperationException(
            $"DistributedDataParallel on rank {Distributed.Rank}: the last backward gave no gradient to {string.Join(", ", missing.Select(m => $"'{m}'"))}, " +
            "so their buckets were not averaged and the ranks' gradients may differ. Call SynchronizeGradients() after Backward() " +
            "(on every rank) when some parameters can go without a gradient.");
    }

    private static Bucket[] MakeBuckets(Parameter[] parameters, long capBytes)
    {
        var buckets = new List<Bucket>();
        var current = new List<Parameter>();
        long bytes = 0;
        foreach (Parameter p in parameters)
        {
            if (current.Count > 0 && bytes + p.Numel * 4 > capBytes)
            {
                buckets.Add(new Bucket([.. current]));
                current.Clear();
                bytes = 0;
            }
            current.Add(p);
            bytes += p.Numel * 4;
        }
        if (current.Count > 0) buckets.Add(new Bucket([.. current]));
        return [.. buckets];
    }

    // Every rank sends its list of names and shapes to every other, so each finds the same first difference
    // and all of them fail with the same message instead of some waiting forever in a broadcast.
    private void CheckSameModelOnEveryRank()
    {
        if (_worldSize == 1) return;
        var lines = _parameters.Select(p => $"parameter '{p.Name}' {Guard.Format(p.Parameter.ShapeSpan)}")
            .Concat(_buffers.Select(b => $"buffer '{b.Name}' {Guard.Format(b.Buffer.ShapeSpan)}")).ToArray();
        byte[][] all = MpiWorld.AllGather(Encoding.UTF8.GetBytes(string.Join("\n", lines)), "DistributedDataParallel (model check)");
        string[][] ranks = all.Select(bytes => bytes.Length == 0 ? [] : Encoding.UTF8.GetString(bytes).Split('\n')).ToArray();
        int longest = ranks.Max(r => r.Length);
        for (int i = 0; i < longest; i++)
        {
            string? reference = i < ranks[0].Length ? ranks[0][i] : null;
            for (int r = 1; r < ranks.Length; r++)
            {
                string? other = i < ranks[r].Length ? ranks[r][i] : null;
                if (other == reference) continue;
                throw new ArgumentException(
                    $"DistributedDataParallel: the ranks' models differ at entry {i}: rank 0 has {reference ?? "nothing (it has " + ranks[0].Length + " entries)"}, " +
                    $"rank {r} has {other ?? "nothing (it has " + ranks[r].Length + " entries)"}. Every rank must build the same model.", "module");
            }
        }
    }

    private static void BroadcastFromRankZero(Tensor[] tensors)
    {
        if (Distributed.WorldSize == 1 || tensors.Length == 0) return;
        long total = tensors.Sum(t => t.Numel);
        var values = new float[total];
        long offset = 0;
        foreach (Tensor t in tensors) { t.Kernels.Download(t.Data, values.AsSpan((int)offset, (int)t.Numel)); offset += t.Numel; }
        MpiWorld.Broadcast(values, 0, "DistributedDataParallel (broadcast from rank 0)");
        offset = 0;
        foreach (Tensor t in tensors) { t.Kernels.Upload(values.AsSpan((int)offset, (int)t.Numel), t.Data); offset += t.Numel; }
    }

    /// <inheritdoc />
    public override string ToString() => $"DistributedDataParallel(world_size={_worldSize}, buckets={_buckets.Length}, module={Module})";

    /// <summary>One flat, pinned gradient buffer and its in-flight all-reduce.</summary>
    private sealed unsafe class Bucket(Parameter[] parameters)
    {
        private nint _request;

        public Parameter[] Parameters { get; } = parameters;
        public bool[] IsReady { get; } = new bool[parameters.Length];
        public int ReadyCount { get; set; }
        public float[] Values { get; } = GC.AllocateUninitializedArray<float>((int)parameters.Sum(p => p.Numel), pinned: true);

        public void Start()
        {
            fixed (float* p = Values) _request = MpiWorld.StartAllReduceSum(p, p, Values.Length, "gradient all-reduce", inPlace: true);
        }

        // Open MPI moves a non-blocking collective forward only inside MPI calls; one test per hook lets
        // early buckets progress while backward computes the rest.
        public void Progress()
        {
            if (_request == 0) return;
            int done = 0;
            fixed (nint* r = &_request) MpiWorld.Check(Interop.Mpi.MPI_Test(r, &done, null), "MPI_Test", "gradient all-reduce");
        }

        public void Wait()
        {
            if (_request != 0) MpiWorld.Wait(ref _request, "gradient all-reduce");
            _request = 0;
        }

        public void Reset()
        {
            Array.Clear(IsReady);
            ReadyCount = 0;
        }
    }
}
