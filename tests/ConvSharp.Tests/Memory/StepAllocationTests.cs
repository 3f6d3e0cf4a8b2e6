using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Tests.Reliability;

namespace ConvSharp.Tests.Memory;

/// <summary>Issue 16's allocation budget: a steady-state training step (forward, cross-entropy, zero-grad, backward,
/// Adam) and an inference call of the 29,066-parameter network allocate at most 64 KB of managed memory, counted over
/// every thread of the process (the worker team's helpers included), and cause no Gen2 collection. Measured here at
/// 19–25 KB a training step and ~8 KB an inference call (`steps` / `onnx` benchmark modes print the same).
/// Runs alone (the OpenBLAS thread-count collection), so no other test's allocations are counted.</summary>
[Collection(BlasThreadsCollection.Name)]
public class StepAllocationTests
{
    private const long Budget = 64 * 1024;

    private static Sequential Network() => new(
        new Conv2d(1, 16, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, padding: 1, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, generator: new Generator(3)), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 3 * 3, 10, generator: new Generator(4)));

    /// <summary>Managed bytes (all threads) per call of <paramref name="step"/> after a warm-up, and the Gen2
    /// collections meanwhile.</summary>
    private static (long PerCall, int Gen2) Measure(Action step, int calls = 20)
    {
        for (int i = 0; i < 5; i++) step();
        int gen2 = GC.CollectionCount(2);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < calls; i++) step();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return (allocated / calls, GC.CollectionCount(2) - gen2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_training_step_allocates_at_most_64_KB(int threads)
    {
        int original = Blas.NumThreads;
        Blas.NumThreads = threads;
        try
        {
            using var model = Network();
            using var adam = new Adam(model.Parameters(), lr: 1e-3f);
            var loss = new CrossEntropyLoss();
            using var x = Tensor.Rand([16, 1, 28, 28], seed: 5);
            using var labels = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i % 10)).ToArray(), 16);
            float last = 0;
            var (perStep, gen2) = Measure(() =>
            {
                using var scope = Tensor.Scope();
                var l = loss.Forward(model.Forward(x), labels);
                adam.ZeroGrad();
                l.Backward();
                adam.Step();
                last = l.Item();
            });
            Assert.True(float.IsFinite(last), $"loss {last}");
            Assert.True(perStep <= Budget, $"a training step allocated {perStep:N0} managed bytes (budget {Budget:N0}) with {threads} thread(s)");
            Assert.Equal(0, gen2);
        }
        finally { Blas.NumThreads = original; }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 2)]
    public void An_inference_call_allocates_at_most_64_KB(int batch, int threads)
    {
        int original = Blas.NumThreads;
        Blas.NumThreads = threads;
        try
        {
            using var model = Network();
            model.Eval();
            using var x = Tensor.Rand([batch, 1, 28, 28], seed: 6);
            long classes = 0;
            var (perCall, gen2) = Measure(() =>
            {
                using var scope = Tensor.Scope();
                using var noGrad = Autograd.NoGrad();
                classes = model.Forward(x).ArgMax(1).Numel;
            });
            Assert.Equal(batch, classes);
            Assert.True(perCall <= Budget, $"an inference call allocated {perCall:N0} managed bytes (budget {Budget:N0}) at batch {batch}");
            Assert.Equal(0, gen2);
        }
        finally { Blas.NumThreads = original; }
    }
}
