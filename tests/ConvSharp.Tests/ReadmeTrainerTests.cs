using ConvSharp.Data;
using ConvSharp.NN;
using ConvSharp.Optim;
using ConvSharp.Training;

namespace ConvSharp.Tests;

/// <summary>The README's Trainer example, as written there, on a slice of the embedded subset (one short epoch),
/// then resumed: the kept epoch and the run folder it names.</summary>
public class ReadmeTrainerTests
{
    [Fact]
    public void The_readme_trainer_example_runs_and_resumes()
    {
        using var dir = new TempFolder();
        string run = dir.File("fashion");
        var (train, val) = FashionMnist.Load(train: true, transform: new Compose(new ToTensor(), new Normalize(0.286f, 0.353f))).Split(5.0 / 6, 1.0 / 6, seed: 0);
        train = train.Split(320, train.Count - 320, seed: 1).Item1;  // the test's only change: a few batches
        val = val.Split(128, val.Count - 128, seed: 1).Item1;
        for (int pass = 0; pass < 2; pass++)
        {
            // Seeded (the README's example draws from Generator.Default, which other tests advance in any order): one short
            // epoch must give the same, clearly-better-than-chance accuracy on every run.
            using var model = ConvSharp.Models.MnistCnn(generator: new Generator(7));
            using var opt = new Adam(model.Parameters(), lr: 1e-3f);
            var trainer = new Trainer
            {
                RunDirectory = run,
                Resume = File.Exists(Path.Combine(run, "checkpoint.safetensors")),
                Scheduler = new CosineAnnealingLR(opt, tMax: 3), ClipGradNorm = 5f, Patience = 2,
                ModelInfo = new ModelInfo { Input = [1, 28, 28], Mean = [0.286f], Std = [0.353f], Classes = FashionMnist.Classes },
            };
            var result = trainer.Fit(model, new CrossEntropyLoss(), opt, new DataLoader(train, 16, shuffle: true, seed: 3), new DataLoader(val, 256), epochs: pass == 0 ? 1 : 2);
            Assert.Equal(pass + 1, result.History.Count);  // the second pass resumes after epoch 1 and runs epoch 2 only
            Assert.InRange(result.Best!.ValAccuracy, 0.2, 1.0);  // chance is 0.1
        }
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        Assert.Equal("MnistCnn(inChannels=1, numClasses=10, height=28, width=28)", ModelInfo.Read(Path.Combine(run, "model.safetensors")).Architecture);
    }
}
