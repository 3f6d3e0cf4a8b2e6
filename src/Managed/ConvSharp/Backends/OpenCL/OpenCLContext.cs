namespace ConvSharp.Backends.OpenCL;

/// <summary>Everything ConvSharp holds for one OpenCL device: one context, one in-order command queue, the
/// program (built once, <see cref="OpenCLProgram"/>), its kernel objects (created once each), and the
/// buffer pool. Setting a kernel's arguments and enqueueing it happen under one lock, since a kernel object
/// must not be given arguments from two threads at once; the queue itself is thread-safe.</summary>
internal sealed unsafe class OpenCLContext
{
    private const uint KernelWorkGroupSize = 0x11B0;

    private readonly OpenCLContextHandle _context;
    private readonly OpenCLQueueHandle _queue;
    private readonly OpenCLProgramHandle _program;
    private readonly Dictionary<string, OpenCLKernelHandle> _kernels = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly List<DeviceBuffer> _pendingHostSources = [];
    // Per calling thread, so a test or benchmark counts its own commands while other threads share the device.
    private readonly ThreadLocal<long[]> _counts = new(() => new long[5]);
    private const int Launches = 0, Copies = 1, BlockingReads = 2, BlockingWrites = 3, Finishes = 4;
    // Deferred index checks (CrossEntropyLoss's class-index check) this thread enqueued: each a non-blocking read of the
    // first invalid position into pinned host memory, looked at after the thread's next blocking read or clFinish.
    private readonly ThreadLocal<List<(int[] Slot, Action<long> Invalid)>> _checks = new(() => []);
    private static readonly int[] s_noInvalid = NoInvalid();
    private readonly ThreadLocal<Dictionary<string, long>> _launchesByKernel = new(() => new(StringComparer.Ordinal));

    public OpenCLContext(OpenCLDeviceInfo info)
    {
        Info = info;
        var cl = OpenCLApi.Cl;
        nint device = info.DeviceId;
        int error;
        nint context = cl.CreateContext(null, 1, &device, null, null, &error);
        OpenCLApi.Check(error, "clCreateContext");
        _context = new OpenCLContextHandle(context);
        nint queue = cl.CreateCommandQueue(context, device, (Silk.NET.OpenCL.CommandQueueProperties)0, &error);
        OpenCLApi.Check(error, "clCreateCommandQueue");
        _queue = new OpenCLQueueHandle(queue);
        Gemm = CompiledGemm = OpenCLGemmTuning.For(info);
        ConvNarrowFits = OpenCLGemmTuning.ConvNarrow.Fits(info);
        HasGemmCandidates = OpenCLGemmTuner.CandidatesFit(info);
        _program = OpenCLProgram.Build(context, info, "-cl-std=CL1.2 " + Gemm.Defines + (HasGemmCandidates ? " -DGEMM_CANDIDATES=1" : ""));
        Pool = new OpenCLBufferPool(context);
    }

    public OpenCLDeviceInfo Info { get; }

    public OpenCLBufferPool Pool { get; }

    /// <summary>The GEMM tile in use: the table's (<see cref="OpenCLGemmTuning.For"/>) until <see cref="ResolveGemm"/> picks
    /// a timed or cached one.</summary>
    public OpenCLGemmTuning Gemm { get; internal set; }

    /// <summary>The table's tile, compiled into the program with -D GEMM_* (conv.cl's "w" kernels use it whatever
    /// <see cref="Gemm"/> is).</summary>
    public OpenCLGemmTuning CompiledGemm { get; }

    /// <summary>Whether the program holds gemm.cl's tuning candidates (they fit this device).</summary>
    public bool HasGemmCandidates { get; }

    /// <summary>How <see cref="Gemm"/> was chosen.</summary>
    public OpenCLGemmTuner.Source GemmSource { get; private set; } = OpenCLGemmTuner.Source.Table;

    private bool _gemmResolved;

    /// <summary>On first use (the first GEMM) with CONVSHARP_OPENCL_TUNE=1: the cached or timed tile of
    /// <see cref="OpenCLGemmTuner"/> (cache beside the program binaries, warnings to stderr); else the table's.</summary>
    public OpenCLGemmTuning GemmForFirstUse(Device device)
    {
        if (!_gemmResolved)
        {
            if (OpenCLGemmTuner.Requested && HasGemmCandidates) ResolveGemm(device, OpenCLProgram.CacheFolder(), Console.Error);
            _gemmResolved = true;
        }
        return Gemm;
    }

    /// <summary>Chooses the tile among the candidates now: from the cache file under <paramref name="folder"/> when it holds
    /// one, else by timing them (and caching the winner).</summary>
    public void ResolveGemm(Device device, string folder, TextWriter warnings)
    {
        lock (_tuneLock)
        {
            (Gemm, GemmSource) = OpenCLGemmTuner.Choose(this, device, folder, warnings);
            _gemmResolved = true;
        }
    }

    private readonly Lock _tuneLock = new();

    /// <summary>Whether conv.cl's narrow-tile kernels fit this device's work-group and local-memory limits.</summary>
    public bool ConvNarrowFits { get; }

    /// <summary>What the calling thread has enqueued on this context and waited for: the counts the benchmarks and tests
    /// read to show that a training step stays on the device (take two snapshots and subtract).</summary>
    public OpenCLCounters Counters
    {
        get
        {
            long[] c = _counts.Value!;
            return new(c[Launches], c[Copies], c[BlockingReads], c[BlockingWrites], c[Finishes]);
        }
    }

    /// <summary>The calling thread's launches so far by kernel name (a copy): what a step's launch count is made of.</summary>
    public IReadOnlyDictionary<string, long> LaunchesByKernel => new Dictionary<string, long>(_launchesByKernel.Value!, StringComparer.Ordinal);

    /// <summary>Runs <paramref name="kernel"/> over a 1-D range of <paramref name="global"/> work-items
    /// (nothing when it is 0), work-group size left to the driver.</summary>
    public void Run(string kernel, long global, params ReadOnlySpan<KernelArg> args)
    {
        if (global <= 0) return;
        Span<nuint> g = [(nuint)global];
        Launch(kernel, g, default, args);
    }

    /// <summary>Runs <paramref name="kernel"/> over an n-D range with an explicit work-group size.</summary>
    public void Launch(string kernel, ReadOnlySpan<nuint> global, ReadOnlySpan<nuint> local, ReadOnlySpan<KernelArg> args)
    {
        var cl = OpenCLApi.Cl;
        if (!local.IsEmpty)
        {
            long items = 1;
            foreach (nuint l in local) items *= (long)l;
            if (items > Info.MaxWorkGroupSize)
                throw new NotSupportedException(
                    $"The OpenCL kernel {kernel} needs work-groups of {items} items, but {Info.Name} allows at most {Info.MaxWorkGroupSize}.");
        }
        lock (_lock)
        {
            nint k = KernelHandle(kernel);
            uint index = 0;
            foreach (ref readonly KernelArg arg in args)
            {
                if (arg.Kind == KernelArg.ArgKind.Slice)
                {
                    if (arg.Buffer is null)
                        OpenCLApi.Check(cl.SetKernelArg(k, index++, (nuint)sizeof(nint), null), $"clSetKernelArg({kernel}, {index - 1})");
                    else
                    {
                        nint mem = arg.Buffer.Mem;
                        OpenCLApi.Check(cl.SetKernelArg(k, index++, (nuint)sizeof(nint), &mem), $"clSetKernelArg({kernel}, {index - 1})");
                    }
                    long offset = arg.Offset;
                    OpenCLApi.Check(cl.SetKernelArg(k, index++, sizeof(long), &offset), $"clSetKernelArg({kernel}, {index - 1})");
                }
                else
                {
                    ArgBytes bytes = arg.Bytes;
                    OpenCLApi.Check(cl.SetKernelArg(k, index++, (nuint)arg.Size, &bytes), $"clSetKernelArg({kernel}, {index - 1})");
                }
            }
            _counts.Value![Launches]++;
            var byKernel = _launchesByKernel.Value!;
            byKernel[kernel] = byKernel.GetValueOrDefault(kernel) + 1;
            fixed (nuint* g = global)
            fixed (nuint* l = local)
                OpenCLApi.Check(cl.EnqueueNdrangeKernel(_queue.Value, k, (uint)global.Length, null, g, local.IsEmpty ? null : l, 0, null, null),
                    $"clEnqueueNDRangeKernel({kernel})");
        }
    }

    private nint KernelHandle(string name)
    {
        if (_kernels.TryGetValue(name, out var handle)) return handle.Value;
        int error;
        nint kernel = OpenCLApi.Cl.CreateKernel(_program.Value, name, &error);
        OpenCLApi.Check(error, $"clCreateKernel({name})");
        _kernels[name] = new OpenCLKernelHandle(kernel);
        return kernel;
    }

    /// <summary>Host → device, blocking: the source may be gone when the call returns.</summary>
    public void Write(OpenCLBuffer buffer, long offsetBytes, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty) return;
        _counts.Value![BlockingWrites]++;
        fixed (byte* s = source)
            OpenCLApi.Check(OpenCLApi.Cl.EnqueueWriteBuffer(_queue.Value, buffer.Mem, true, (nuint)offsetBytes, (nuint)source.Length, s, 0, null, null),
                "clEnqueueWriteBuffer");
    }

    /// <summary>Host → device without waiting, from storage that stays pinned: <paramref name="owner"/> gains a
    /// reference, dropped at the next <see cref="Finish"/> (a read, or every 64 such writes), after which the
    /// write has certainly completed.</summary>
    public void WriteAsync(OpenCLBuffer buffer, long offsetBytes, DeviceBuffer owner, void* source, long bytes)
    {
        if (bytes == 0) return;
        owner.AddReference();
        bool flush;
        lock (_pendingHostSources)
        {
            _pendingHostSources.Add(owner);
            flush = _pendingHostSources.Count >= 64;
        }
        OpenCLApi.Check(OpenCLApi.Cl.EnqueueWriteBuffer(_queue.Value, buffer.Mem, false, (nuint)offsetBytes, (nuint)bytes, source, 0, null, null),
            "clEnqueueWriteBuffer");
        if (flush) Finish();
    }

    /// <summary>Device → host, blocking (so every earlier command has run when it returns); then reports a deferred
    /// check that found an invalid index (its callback throws).</summary>
    public void Read(OpenCLBuffer buffer, long offsetBytes, Span<byte> destination)
    {
        _counts.Value![BlockingReads]++;
        if (!destination.IsEmpty)
            fixed (byte* d = destination)
                OpenCLApi.Check(OpenCLApi.Cl.EnqueueReadBuffer(_queue.Value, buffer.Mem, true, (nuint)offsetBytes, (nuint)destination.Length, d, 0, null, null),
                    "clEnqueueReadBuffer");
        ReleasePendingSources();
        RunChecks();
    }

    private static int[] NoInvalid()
    {
        int[] value = GC.AllocateArray<int>(1, pinned: true);
        value[0] = int.MaxValue;
        return value;
    }

    /// <summary>Sets the first int of <paramref name="buffer"/> to int.MaxValue ("no invalid index") without waiting: the
    /// source is a pinned array that never changes.</summary>
    public void WriteNoInvalid(OpenCLBuffer buffer)
    {
        fixed (int* source = s_noInvalid)
            OpenCLApi.Check(OpenCLApi.Cl.EnqueueWriteBuffer(_queue.Value, buffer.Mem, false, 0, sizeof(int), source, 0, null, null),
                "clEnqueueWriteBuffer");
    }

    /// <summary>Enqueues a non-blocking read of the int index at the start of <paramref name="buffer"/> (int.MaxValue: none)
    /// into pinned host memory; after this thread's next blocking read or <see cref="Finish"/>, an index found is handed to
    /// <paramref name="invalid"/> (which throws). After 64 unread checks the queue is finished, so they cannot pile up.</summary>
    public void ReadIndexLater(OpenCLBuffer buffer, Action<long> invalid)
    {
        int[] slot = GC.AllocateArray<int>(1, pinned: true);
        fixed (int* d = slot)
            OpenCLApi.Check(OpenCLApi.Cl.EnqueueReadBuffer(_queue.Value, buffer.Mem, false, 0, sizeof(int), d, 0, null, null),
                "clEnqueueReadBuffer");
        var checks = _checks.Value!;
        checks.Add((slot, invalid));
        if (checks.Count >= 64) Finish();
    }

    private void RunChecks()
    {
        var checks = _checks.Value!;
        if (checks.Count == 0) return;
        var done = checks.ToArray();
        checks.Clear();
        foreach (var (slot, invalid) in done)
            if (slot[0] != int.MaxValue)
            {
                invalid(slot[0]);
                return;
            }
    }

    public void Copy(OpenCLBuffer source, long sourceBytes, OpenCLBuffer destination, long destinationBytes, long bytes)
    {
        if (bytes == 0) return;
        _counts.Value![Copies]++;
        OpenCLApi.Check(OpenCLApi.Cl.EnqueueCopyBuffer(_queue.Value, source.Mem, destination.Mem, (nuint)sourceBytes, (nuint)destinationBytes,
            (nuint)bytes, 0, null, null), "clEnqueueCopyBuffer");
    }

    /// <summary>Waits for every queued command.</summary>
    public void Finish()
    {
        _counts.Value![Finishes]++;
        OpenCLApi.Check(OpenCLApi.Cl.Finish(_queue.Value), "clFinish");
        ReleasePendingSources();
        RunChecks();
    }

    private void ReleasePendingSources()
    {
        DeviceBuffer[] done;
        lock (_pendingHostSources)
        {
            if (_pendingHostSources.Count == 0) return;
            done = [.. _pendingHostSources];
            _pendingHostSources.Clear();
        }
        foreach (var buffer in done) buffer.Release();
    }
}
