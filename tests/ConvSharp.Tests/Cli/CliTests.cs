using System.Globalization;
using System.IO.Compression;
using ConvSharp.Cli;
using ConvSharp.IO;
using SkiaSharp;

namespace ConvSharp.Tests.Cli;

/// <summary>The CLI tests share TrainRun.StopAfterBatchesForTests (a static test seam), so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection
{
    public const string Name = "convsharp tool";
}

/// <summary>The `convsharp` tool end to end, on a tiny generated IDX dataset (class c = a bright bar at a
/// position that depends on c, plus noise), through Program.Run as the executable calls it.</summary>
[Collection(CliCollection.Name)]
public sealed partial class CliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("convsharp-cli").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, output);
        return (code, output.ToString());
    }

    /// <summary>Writes train/t10k IDX files (gzipped) with <paramref name="count"/> 28×28 images of 4 classes.</summary>
    private string WriteDataset(int count, int testCount)
    {
        string dir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dir);
        void Write(string prefix, int n, int seed)
        {
            var rng = new Random(seed);
            var labels = new byte[n];
            var pixels = new byte[n * 784];
            for (int i = 0; i < n; i++)
            {
                int c = i % 4;
                labels[i] = (byte)c;
                for (int p = 0; p < 784; p++) pixels[i * 784 + p] = (byte)rng.Next(0, 60);
                for (int r = 4 + c * 6; r < 8 + c * 6; r++) for (int col = 2; col < 26; col++) pixels[i * 784 + r * 28 + col] = (byte)rng.Next(180, 256);
            }
            using (var f = new GZipStream(File.Create(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz")), CompressionLevel.Fastest))
            {
                f.Write([0, 0, 8, 3]);
                foreach (int v in new[] { n, 28, 28 }) f.Write([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
                f.Write(pixels);
            }
            using (var f = new GZipStream(File.Create(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz")), CompressionLevel.Fastest))
            {
                f.Write([0, 0, 8, 1, (byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
                f.Write(labels);
            }
        }
        Write("train", count, 1);
        Write("t10k", testCount, 2);
        return dir;
    }

    private static void AssertPngNotBlank(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} does not decode");
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap!.Height; y += 2) for (int x = 0; x < bitmap.Width; x += 2) colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 3, $"{path} looks blank ({colours.Count} colours)");
    }

    [Fact]
    public void Train_writes_every_file_then_eval_predict_summary_and_activations_use_them()
    {
        string data = WriteDataset(360, 80), run = Path.Combine(_root, "run");
        var (code, text) = Run("train", "--data", data, "--epochs", "2", "--batch-size", "16", "--out", run, "--augment", "rotate:5", "--scheduler", "cosine");
        Assert.True(code == 0, text);
        Assert.Contains("epoch 2/2", text);
        Assert.Contains("test accuracy", text);
        foreach (string f in new[] { "model.safetensors", "metrics.csv", "loss.png", "accuracy.png", "confusion.png", "run.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} is missing");
        foreach (string png in new[] { "loss.png", "accuracy.png", "confusion.png" }) AssertPngNotBlank(Path.Combine(run, png));
        string[] metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds", metrics[0]);
        Assert.Equal(3, metrics.Length);
        double[] last = metrics[2].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, last[0]);
        Assert.InRange(last[4], 0.9, 1.0);  // the bars are easy: validation accuracy after two epochs
        Assert.Contains("\"arguments\"", File.ReadAllText(Path.Combine(run, "run.json")));

        string model = Path.Combine(run, "model.safetensors");
        var eval = Run("eval", "--model", model, "--data", data);
        Assert.True(eval.Code == 0, eval.Output);
        Assert.Contains("accuracy", eval.Output);
        Assert.Contains("on 80 images", eval.Output);

        string image = Path.Combine(_root, "bar.png");
        using (var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque))
        {
            for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) bitmap.SetPixel(x, y, y >= 16 && y < 20 && x >= 2 && x < 26 ? SKColors.White : SKColors.Black);
            using var f = File.Create(image);
            bitmap.Encode(f, SKEncodedImageFormat.Png, 100);
        }
        var predict = Run("predict", "--model", model, image);
        Assert.True(predict.Code == 0, predict.Output);
        Assert.StartsWith($"{image}: 2 ", predict.Output);  // rows 16–19 are class 2's bar

        var summary = Run("summary", "--model", model);
        Assert.True(summary.Code == 0, summary.Output);
        Assert.Contains("total parameters: 29,066", summary.Output);  // MNIST-format IDX data declares the 10 digit classes

        string activations = Path.Combine(_root, "act");
        var act = Run("activations", "--model", model, "--image", image, "--out", activations);
        Assert.True(act.Code == 0, act.Output);
        foreach (string f in new[] { "layer0-conv16.png", "layer3-conv32.png", "layer6-conv64.png", "input.png" })
            Assert.True(File.Exists(Path.Combine(activations, f)), $"{f} is missing: {act.Output}");
        using var grid = SKBitmap.Decode(Path.Combine(activations, "layer6-conv64.png"));
        // 64 channels form an 8x8 grid of tiles separated by background gaps, with the colour bar to the right of the tiles.
        int Runs(IEnumerable<SKColor> line) => line.Select(c => c != ConvSharp.Imaging.ActivationGrid.Background).Aggregate((Runs: 0, Last: false),
            (acc, on) => (acc.Runs + (on && !acc.Last ? 1 : 0), on)).Runs;
        int row = ConvSharp.Imaging.ActivationGrid.TitleHeight + 2, column = ConvSharp.Imaging.ActivationGrid.Margin + 2;
        Assert.Equal(8 + 1, Runs(Enumerable.Range(0, grid.Width - ConvSharp.Imaging.ActivationGrid.LabelWidth).Select(i => grid.GetPixel(i, row))));
        Assert.Equal(8, Runs(Enumerable.Range(row, grid.Height - row).Select(j => grid.GetPixel(column, j))));
    }

    [Theory]
    [InlineData("mnist-cnn", "1x28x28", 29066, "22x22")]
    [InlineData("lenet5", "1x32x32", 61706, "32x32")]
    [InlineData("cifar-cnn", "3x32x32", 106538, "16x16")]
    public void Summary_counts_parameters_and_receptive_fields_as_computed_by_hand(string preset, string input, int parameters, string lastField)
    {
        // mnist-cnn: r = 3, 4, 8, 10, 18, 22 through conv/pool; lenet5: 5, 6, 14, 16, 32; cifar-cnn: 3, 5, 6, 10, 14, 16.
        var (code, text) = Run("summary", "--model", preset, "--input", input);
        Assert.True(code == 0, text);
        Assert.Contains($"total parameters: {parameters.ToString("N0", CultureInfo.InvariantCulture)}", text);
        var fields = text.Split('\n').Where(l => l.TrimEnd().EndsWith(lastField, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(fields);
    }

    [ConvSharp.Tests.Backends.OpenCL.OpenCLFact]
    public void Train_on_OpenCL_runs_and_devices_lists_the_OpenCL_device()
    {
        var devices = Run("devices");
        Assert.Equal(0, devices.Code);
        Assert.Contains($"opencl:{Device.OpenCLDevices()[0]}", devices.Output);

        string data = WriteDataset(160, 40), run = Path.Combine(_root, "run-opencl");
        var (code, text) = Run("train", "--data", data, "--epochs", "2", "--batch-size", "16", "--out", run, "--device", "opencl");
        Assert.True(code == 0, text);
        Assert.Contains($"OpenCL {Device.OpenCL().OpenCLInfo!.Name}", text);
        double[] last = File.ReadAllLines(Path.Combine(run, "metrics.csv"))[2].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(last[4], 0.9, 1.0);  // the bars are as easy on OpenCL as on the CPU
        Assert.True(File.Exists(Path.Combine(run, "model.safetensors")));
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_code_2()
    {
        string data = WriteDataset(60, 20);
        string empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        (string[] Args, string Message)[] cases =
        [
            (["train", "--model", "resnet"], "convsharp: unknown model preset 'resnet'; the presets are mnist-cnn, gap-cnn, lenet5, cifar-cnn, resnet18, vgg11-bn, mobilenet-v2."),
            (["train", "--optimizer", "lbfgs"], "convsharp: unknown optimizer 'lbfgs'; use sgd, adam, adamw, adamax or rmsprop."),
            (["train", "--data", empty], $"convsharp: --data folder '{empty}' holds no recognised dataset: looked for IDX files"),
            (["train", "--data", data, "--device", "cuda"], "convsharp: unknown device 'cuda'; use cpu or opencl."),
            (["predict", "--model", Path.Combine(_root, "missing.safetensors"), "x.png"], $"convsharp: model file '{Path.Combine(_root, "missing.safetensors")}' does not exist."),
        ];
        foreach (var (args, message) in cases)
        {
            var (code, text) = Run(args);
            Assert.Equal(2, code);
            Assert.StartsWith(message, text);
            Assert.Single(text.TrimEnd().Split('\n'));
            Assert.DoesNotContain("   at ", text);
        }
    }

    [Fact]
    public void An_undecodable_image_and_a_checkpoint_of_another_architecture_are_named()
    {
        string data = WriteDataset(60, 20), run = Path.Combine(_root, "run");
        Assert.Equal(0, Run("train", "--data", data, "--epochs", "1", "--out", run).Code);
        string model = Path.Combine(run, "model.safetensors");
        string bad = Path.Combine(_root, "bad.png");
        File.WriteAllText(bad, "not a picture");
        var (code, text) = Run("predict", "--model", model, bad);
        Assert.Equal(2, code);
        Assert.Contains(bad, text);

        // The same weights labelled as another preset.
        string other = Path.Combine(_root, "other.safetensors");
        using (var tensors = SafeTensors.Load(model))
        {
            var meta = tensors.Metadata.ToDictionary();
            meta["convsharp.architecture"] = "GapCnn(inChannels=1, numClasses=10)";
            SafeTensors.Save(other, tensors.Select(kv => (kv.Key, kv.Value)), meta);
        }
        (code, text) = Run("eval", "--model", other, "--data", data);
        Assert.Equal(2, code);
        Assert.StartsWith($"convsharp: '{other}' does not fit GapCnn(inChannels=1, numClasses=10):", text);
        Assert.Contains("10.weight", text);
    }
}

[Collection(CliCollection.Name)]
public sealed class CliResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("convsharp-resume").FullName;

    public void Dispose()
    {
        TrainRun.StopAfterBatchesForTests = null;
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void An_interrupted_run_resumed_with_the_same_seed_reaches_the_same_weights()
    {
        string data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var rng = new Random(5);
        byte[] Header(int magic, params int[] dims) => [.. new byte[] { 0, 0, 8, (byte)magic }, .. dims.SelectMany(d => new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d })];
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), [.. Header(3, 120, 28, 28), .. Enumerable.Range(0, 120 * 784).Select(_ => (byte)rng.Next(256))]);
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), [.. Header(1, 120), .. Enumerable.Range(0, 120).Select(i => (byte)(i % 10))]);

        string[] Args(string run) => ["train", "--data", data, "--epochs", "2", "--batch-size", "8", "--out", run, "--seed", "3", "--augment", "rotate:10"];
        var sink = new StringWriter();
        string whole = Path.Combine(_root, "whole"), split = Path.Combine(_root, "split");
        Assert.Equal(0, Program.Run(Args(whole), sink, sink));

        TrainRun.StopAfterBatchesForTests = 17;  // epoch 1 has 13 batches: stop inside epoch 2
        Assert.Equal(Program.Interrupted, Program.Run(Args(split), sink, sink));
        TrainRun.StopAfterBatchesForTests = null;
        Assert.True(File.Exists(Path.Combine(split, "checkpoint.safetensors")));
        var resumed = new StringWriter();
        Assert.Equal(0, Program.Run(["train", "--resume", split], resumed, resumed));
        Assert.Contains("Resuming", resumed.ToString());

        using var a = SafeTensors.Load(Path.Combine(whole, "model.safetensors"));
        using var b = SafeTensors.Load(Path.Combine(split, "model.safetensors"));
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys) Assert.Equal(a[key].ToArray(), b[key].ToArray());
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, "metrics.csv")).Select(l => string.Join(',', l.Split(',')[..^1])),
            File.ReadAllLines(Path.Combine(split, "metrics.csv")).Select(l => string.Join(',', l.Split(',')[..^1])));
    }
}

[Collection(CliCollection.Name)]
public sealed class CliDivergenceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("convsharp-nan").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_diverging_run_stops_with_the_op_that_made_nan_and_writes_no_checkpoint()
    {
        string data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var rng = new Random(5);
        byte[] Header(int magic, params int[] dims) => [.. new byte[] { 0, 0, 8, (byte)magic }, .. dims.SelectMany(d => new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d })];
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), [.. Header(3, 120, 28, 28), .. Enumerable.Range(0, 120 * 784).Select(_ => (byte)rng.Next(256))]);
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), [.. Header(1, 120), .. Enumerable.Range(0, 120).Select(i => (byte)(i % 10))]);
        string run = Path.Combine(_root, "run");
        var output = new StringWriter();
        int code = Program.Run(["train", "--data", data, "--epochs", "1", "--optimizer", "sgd", "--lr", "1e38", "--out", run], output, output);
        string text = output.ToString();
        Assert.Equal(2, code);
        Assert.Contains("convsharp: training stopped at epoch 1, batch ", text);
        Assert.Contains("Autograd anomaly: the forward of ", text);
        Assert.False(File.Exists(Path.Combine(run, "model.safetensors")));
    }
}

/// <summary>Issue 20, item 2: a model saved from C# with Models works in every command that reads a model file.</summary>
[Collection(CliCollection.Name)]
public sealed class CliLibraryModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("convsharp-libmodel").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, output);
        return (code, output.ToString());
    }

    [Fact]
    public void Summary_predict_and_activations_read_a_model_saved_from_csharp()
    {
        string path = Path.Combine(_root, "resnet.safetensors");
        using (var model = ConvSharp.Models.ResNet18(numClasses: 4, inChannels: 1))
            model.Save(path, new ConvSharp.NN.ModelInfo { Input = [1, 32, 32], Classes = ["w", "x", "y", "z"] });
        var summary = Run("summary", "--model", path);
        Assert.True(summary.Code == 0, summary.Output);
        Assert.Contains("layer4", summary.Output);
        Assert.Contains("[1, 4]", summary.Output);
        Assert.Contains("total parameters: 11,172,292 (11,172,292 trainable); input 1x32x32", summary.Output);

        string image = Path.Combine(_root, "i.png");
        using (var bitmap = new SKBitmap(32, 32, SKColorType.Gray8, SKAlphaType.Opaque))
        {
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) bitmap.SetPixel(x, y, (x + y) % 3 == 0 ? SKColors.White : SKColors.Black);
            using var f = File.Create(image);
            bitmap.Encode(f, SKEncodedImageFormat.Png, 100);
        }
        var predict = Run("predict", "--model", path, "--top", "2", image);
        Assert.True(predict.Code == 0, predict.Output);
        Assert.Matches(@"^.*i\.png: [wxyz] \d+\.\d ?%, [wxyz] \d+\.\d ?%", predict.Output);

        var act = Run("activations", "--model", path, "--image", image, "--out", Path.Combine(_root, "act"));
        Assert.True(act.Code == 0, act.Output);
        Assert.True(File.Exists(Path.Combine(_root, "act", "layerlayer4-1-conv2-conv512.png")), act.Output);

        // A hand-built network (no architecture) and a Models network saved without its input shape.
        string bare = Path.Combine(_root, "bare.safetensors");
        using (var hand = new ConvSharp.NN.Sequential(new ConvSharp.NN.Linear(2, 2))) hand.Save(bare);
        var (code, text) = Run("summary", "--model", bare);
        Assert.Equal(2, code);
        Assert.Single(text.TrimEnd().Split('\n'));
        Assert.StartsWith($"convsharp: '{bare}' does not say which network it holds (its metadata has no convsharp.architecture): save a network built by ConvSharp.Models", text);
        string noInput = Path.Combine(_root, "noinput.safetensors");
        using (var m = ConvSharp.Models.GapCnn()) m.Save(noInput);
        (code, text) = Run("predict", "--model", noInput, image);
        Assert.Equal(2, code);
        Assert.Equal($"convsharp: '{noInput}' does not record its input shape (no convsharp.input in its metadata): save it with model.Save(path, new ModelInfo {{ Input = [3, 224, 224] }}), or pass --input to summary.", text.TrimEnd());
        Assert.Equal(0, Run("summary", "--model", noInput, "--input", "1x12x12").Code);
    }
}
