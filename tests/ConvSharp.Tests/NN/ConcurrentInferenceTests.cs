using ConvSharp.NN;

namespace ConvSharp.Tests.NN;

/// <summary>A model in eval mode shared by 8 threads doing inference at once gives exactly the results of
/// sequential runs: the pool, the scopes, the grad mode and OpenBLAS are safe under concurrent use.</summary>
public class ConcurrentInferenceTests
{
    [Fact]
    public void Eight_threads_sharing_one_model_match_sequential_inference()
    {
        using var model = new Sequential(
            new Conv2d(1, 16, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(32 * 7 * 7, 10, generator: new Generator(3)));
        model.Eval();
        float[][] inputs = Enumerable.Range(0, 8).Select(i => OpCheck.Random(100 + i, 4 * 784, 0f, 1f)).ToArray();

        float[] Infer(float[] data)
        {
            using var scope = Tensor.Scope();
            using (Autograd.NoGrad())
                return model.Forward(Tensor.FromArray(data, 4, 1, 28, 28)).ToArray();
        }

        float[][] sequential = inputs.Select(Infer).ToArray();
        for (int round = 0; round < 5; round++)
        {
            var results = new float[8][][];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
                results[t] = Enumerable.Range(0, 20).Select(i => Infer(inputs[(t + i) % 8])).ToArray());
            for (int t = 0; t < 8; t++)
                for (int i = 0; i < 20; i++)
                    Assert.Equal(sequential[(t + i) % 8], results[t][i]);
        }
    }
}
