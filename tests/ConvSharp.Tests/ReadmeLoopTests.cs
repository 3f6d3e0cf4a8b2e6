using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests;

/// <summary>The README's training loop, as written there (on the embedded subset, a few batches), so the
/// documentation cannot drift from the API.</summary>
public class ReadmeLoopTests
{
    [Fact]
    public void The_readme_training_loop_runs_and_lowers_the_loss()
    {
        var train = FashionMnist.Load(train: true, transform: new Compose(new RandomRotation(10), new ToTensor(), new Normalize(0.286f, 0.353f)));
        var (trainSet, valSet) = train.Split(5.0 / 6, 1.0 / 6, seed: 0);
        Assert.Equal(train.Count, trainSet.Count + valSet.Count);
        using var loader = new DataLoader(trainSet, batchSize: 16, shuffle: true, seed: 0);

        using var model = new Sequential(
            new Conv2d(1, 16, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 32, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 3 * 3, 10));
        Assert.Equal(29066, model.ParameterCount());
        using var opt = new Adam(model.Parameters(), lr: 1e-3f);
        var scheduler = new CosineAnnealingLR(opt, tMax: 3);
        var lossFn = new CrossEntropyLoss();

        var losses = new List<float>();
        loader.Epoch = 0;
        foreach (var (images, labels) in loader.Take(120))
        {
            using var scope = Tensor.Scope();
            var loss = lossFn.Forward(model.Forward(images), labels);
            opt.ZeroGrad();
            loss.Backward();
            ClipGrad.Norm(model.Parameters(), maxNorm: 5f);
            opt.Step();
            losses.Add(loss.Item());
        }
        scheduler.Step();
        Assert.True(losses.Take(10).Average() > 1.5f * losses.TakeLast(20).Average(),
            $"the loss should fall: first {losses.Take(10).Average()}, last {losses.TakeLast(20).Average()}");

        string path = Path.Combine(Path.GetTempPath(), $"convsharp-readme-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            model.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
