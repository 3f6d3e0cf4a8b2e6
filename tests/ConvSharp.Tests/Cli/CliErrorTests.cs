using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using ConvSharp.Cli;
using ConvSharp.IO;

namespace ConvSharp.Tests.Cli;

/// <summary>The CLI's promise, case by case: bad input, damaged files and a hostile environment are one line on
/// stderr starting "convsharp: ", exit code 2, never a stack trace; a bug is one line pointing at --verbose, exit 1.
/// One trained run folder and model file are shared by every case (the fixture); each case damages a copy.</summary>
[Collection(CliCollection.Name)]
public sealed class CliErrorTests : IClassFixture<CliErrorTests.TrainedRun>
{
    /// <summary>A tiny IDX dataset, a finished run (its model.safetensors) and an interrupted one (resume files).</summary>
    public sealed class TrainedRun : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("convsharp-cli-errors").FullName;
        public string Data => Path.Combine(Root, "data");
        public string Model => Path.Combine(Root, "done", "model.safetensors");
        public string Interrupted => Path.Combine(Root, "interrupted");
        public string Image => Path.Combine(Root, "image.png");

        public TrainedRun()
        {
            Directory.CreateDirectory(Data);
            var rng = new Random(3);
            byte[] Header(int magic, params int[] dims) =>
                [.. new byte[] { 0, 0, 8, (byte)magic }, .. dims.SelectMany(d => new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d })];
            File.WriteAllBytes(Path.Combine(Data, "train-images-idx3-ubyte"), [.. Header(3, 60, 28, 28), .. Enumerable.Range(0, 60 * 784).Select(_ => (byte)rng.Next(256))]);
            File.WriteAllBytes(Path.Combine(Data, "train-labels-idx1-ubyte"), [.. Header(1, 60), .. Enumerable.Range(0, 60).Select(i => (byte)(i % 10))]);
            var sink = new StringWriter();
            Assert.Equal(0, Program.Run(["train", "--data", Data, "--epochs", "1", "--out", Path.Combine(Root, "done")], sink, sink));
            TrainRun.StopAfterBatchesForTests = 6;  // 50 training images in batches of 16: 4 per epoch, so this stops in epoch 2
            try
            {
                Assert.Equal(Program.Interrupted, Program.Run(["train", "--data", Data, "--epochs", "3", "--out", Interrupted], sink, sink));
            }
            finally
            {
                TrainRun.StopAfterBatchesForTests = null;
            }
            using var bitmap = new SkiaSharp.SKBitmap(28, 28, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque);
            using (var f = File.Create(Image)) bitmap.Encode(f, SkiaSharp.SKEncodedImageFormat.Png, 100);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private readonly TrainedRun _run;

    public CliErrorTests(TrainedRun run) => _run = run;

    private static (int Code, string Error) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, error);
        return (code, error.ToString());
    }

    private static void AssertOneLine(int expectedCode, string fragment, (int Code, string Error) result, string what)
    {
        Assert.True(result.Code == expectedCode, $"{what}: exit code {result.Code}, expected {expectedCode}: {result.Error}");
        string[] lines = result.Error.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"{what}: {lines.Length} lines on stderr:\n{result.Error}");
        Assert.StartsWith("convsharp: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.True(lines[0].Contains(fragment, StringComparison.Ordinal), $"{what}: '{lines[0]}' does not contain '{fragment}'");
    }

    /// <summary>A copy of the model file with one metadata value replaced.</summary>
    private string WithMetadata(string key, string value)
    {
        string path = Path.Combine(_run.Root, $"meta-{Guid.NewGuid():N}.safetensors");
        using var tensors = SafeTensors.Load(_run.Model);
        var meta = tensors.Metadata.ToDictionary();
        meta[key] = value;
        SafeTensors.Save(path, tensors.Select(kv => (kv.Key, kv.Value)), meta);
        return path;
    }

    /// <summary>A copy of the interrupted run folder with one file's text replaced.</summary>
    private string InterruptedWith(string file, string text)
    {
        string copy = Path.Combine(_run.Root, $"resume-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.GetFiles(_run.Interrupted)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(copy, file), text);
        return copy;
    }

    public static TheoryData<string> RunFileCases() =>
    [
        "run.json|", "run.json|null", "run.json|{}", "run.json|{\"command\": \"convsharp tr", "run.json|{\"arguments\": 5}",
        "resume.json|", "resume.json|null", "resume.json|{}", "resume.json|{\"epoch\": 2, \"batches_do", "resume.json|[1, 2]",
        "resume.json|{\"epoch\": 2, \"batches_done\": 2, \"best_val_accuracy\": 0.5, \"running_loss\": -1, \"images\": 32, \"correct\": 40}",
        "metrics.csv|", "metrics.csv|epoch,train_loss", "metrics.csv|epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n1,0.5,0.",
        "metrics.csv|epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n2,1,1,1,1,1,1",
    ];

    [Theory]
    [MemberData(nameof(RunFileCases))]
    public void A_damaged_run_file_is_one_line_naming_it(string @case)
    {
        string file = @case[..@case.IndexOf('|')], text = @case[(@case.IndexOf('|') + 1)..];
        string folder = InterruptedWith(file, text);
        AssertOneLine(2, $"{file}' is damaged", Run("train", "--resume", folder), $"{file} = '{text}'");
    }

    public static TheoryData<string, string, string> MetadataCases() => new()
    {
        { "convsharp.input", "abc", "convsharp.input = 'abc'" },
        { "convsharp.input", "1x28", "convsharp.input = '1x28'" },
        { "convsharp.input", "99999999999x28x28", "convsharp.input = '99999999999x28x28'" },
        { "convsharp.input", "0x28x28", "convsharp.input = '0x28x28'" },
        { "convsharp.input", "-1x28x28", "convsharp.input" },
        { "convsharp.input", "4096x16384x16384", "convsharp.input" },
        { "convsharp.mean", "abc", "convsharp.mean = 'abc'" },
        { "convsharp.mean", "NaN", "convsharp.mean" },
        { "convsharp.mean", "0.1,0.2", "has 2 values for 1 channels" },
        { "convsharp.std", "0", "a std of 0 would divide by zero" },
        { "convsharp.std", "-0.5", "convsharp.std" },
        { "convsharp.architecture", "resnet", "Unknown architecture 'resnet'" },
        { "convsharp.classes", "", "convsharp.classes" },
    };

    [Theory]
    [MemberData(nameof(MetadataCases))]
    public void Garbage_model_metadata_is_one_line_for_every_command(string key, string value, string fragment)
    {
        string model = WithMetadata(key, value);
        AssertOneLine(2, fragment, Run("predict", "--model", model, _run.Image), $"predict with {key} = {value}");
        AssertOneLine(2, fragment, Run("summary", "--model", model), $"summary with {key} = {value}");
        AssertOneLine(2, fragment, Run("eval", "--model", model, "--data", _run.Data), $"eval with {key} = {value}");
    }

    [Fact]
    public void A_checkpoint_of_another_preset_names_the_first_mismatching_tensor_in_one_line_and_all_with_verbose()
    {
        string other = WithMetadata("convsharp.architecture", "GapCnn(inChannels=1, numClasses=10)");
        AssertOneLine(2, "the first mismatching tensor is 9.weight [10, 64], which the file lacks (the file has 10.weight [10, 576] instead)",
            Run("eval", "--model", other, "--data", _run.Data), "another preset");
        var verbose = Run("eval", "--model", other, "--data", _run.Data, "--verbose");
        Assert.Equal(2, verbose.Code);
        Assert.True(verbose.Error.Split('\n').Length > 3, verbose.Error);
    }

    public static TheoryData<string, string> ArgumentCases() => new()
    {
        { "train|--batch-size|2147483647", "batchSize 2147483647" },
        { "train|--resize|60000x60000", "too large" },
        { "train|--resize|2147483647x2147483647", "too large" },
        { "train|--lr|NaN", "NaN" },
        { "train|--lr|-1", "-1" },
        { "train|--optimizer|sgd|--momentum|NaN", "NaN" },
        { "train|--epochs|99999999999", "99999999999" },
        { "train|--val-split|2147483647", "--val-split" },
        { "summary|--model|mnist-cnn|--input|1x60000x60000", "too large" },
        { "summary|--model|gap-cnn|--input|1x2147483647x2147483647", "too large" },
        { "summary|--model|gap-cnn|--input|64x4000x4000", "too large" },
        { "summary|--model|mnist-cnn|--classes|0", "0" },
    };

    [Theory]
    [MemberData(nameof(ArgumentCases))]
    public void Arguments_that_overflow_or_make_no_sense_are_one_line(string args, string fragment)
    {
        string[] list = args.Split('|');
        if (list[0] == "train") list = [.. list, "--data", _run.Data, "--out", Path.Combine(_run.Root, $"run-{Guid.NewGuid():N}")];
        AssertOneLine(2, fragment, Run(list), args);
    }

    [Fact]
    public void Activations_with_a_huge_zoom_or_an_unknown_colormap_or_scale_is_one_line()
    {
        AssertOneLine(2, "zoom", Run("activations", "--model", _run.Model, "--image", _run.Image, "--zoom", "3000",
            "--out", Path.Combine(_run.Root, "act")), "--zoom 3000");
        AssertOneLine(2, "'jet'", Run("activations", "--model", _run.Model, "--image", _run.Image, "--colormap", "jet",
            "--out", Path.Combine(_run.Root, "act")), "--colormap jet");
        AssertOneLine(2, "'global'", Run("activations", "--model", _run.Model, "--image", _run.Image, "--scale", "global",
            "--out", Path.Combine(_run.Root, "act")), "--scale global");
    }

    [Fact]
    public void An_out_folder_that_is_a_file_is_one_line_and_a_folder_given_as_a_model_too()
    {
        string file = Path.Combine(_run.Root, "a-file");
        File.WriteAllText(file, "x");
        AssertOneLine(2, file, Run("train", "--data", _run.Data, "--out", file), "--out is a file");
        AssertOneLine(2, "is a directory, not a regular file", Run("predict", "--model", _run.Data, _run.Image), "--model is a folder");
        AssertOneLine(2, "is a directory, not a regular file", Run("predict", "--model", _run.Model, _run.Data), "image is a folder");
        // A checkpoint of the right network for other inputs: the first tensor whose shape differs.
        string wide = WithMetadata("convsharp.architecture", "MnistCnn(inChannels=1, numClasses=10, height=36, width=36)");
        AssertOneLine(2, "the first mismatching tensor is 10.weight: the file has [10, 576], the preset has [10, 1024]",
            Run("summary", "--model", wide), "another input size");
    }

    [Fact]
    public async Task A_fifo_or_a_device_as_model_or_image_is_refused_before_it_is_opened()
    {
        string fifo = Path.Combine(_run.Root, "model.fifo");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        string zero = Path.Combine(_run.Root, "zero.png");
        File.CreateSymbolicLink(zero, "/dev/zero");
        // A FIFO open would block forever: run the case on a task with a deadline, so a regression fails instead of hanging.
        var predictFifo = Task.Run(() => Run("predict", "--model", fifo, _run.Image));
        Assert.True(await Task.WhenAny(predictFifo, Task.Delay(TimeSpan.FromSeconds(60))) == predictFifo, "predict of a FIFO model hangs");
        AssertOneLine(2, "is a FIFO (named pipe), not a regular file", await predictFifo, "FIFO model");
        AssertOneLine(2, "is a character device, not a regular file", Run("predict", "--model", _run.Model, zero), "/dev/zero image");
        AssertOneLine(2, "is a character device, not a regular file", Run("activations", "--model", _run.Model, "--image", zero,
            "--out", Path.Combine(_run.Root, "act2")), "/dev/zero image");
    }

    [Fact]
    public void A_file_that_is_not_an_image_by_its_signature_is_refused()
    {
        // An IDX file: SkiaSharp would take it for a WBMP.
        string idx = Path.Combine(_run.Data, "train-images-idx3-ubyte");
        AssertOneLine(2, "is not a PNG, JPEG, BMP, GIF or WebP image", Run("predict", "--model", _run.Model, idx), "IDX as image");
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_with_exit_code_1_and_the_trace_only_with_verbose()
    {
        Exception bug;
        try
        {
            throw new InvalidOperationException("a bug\nwith a second line");
        }
        catch (InvalidOperationException e)
        {
            bug = e;
        }
        var error = new StringWriter();
        Assert.Equal(1, Failures.Report(bug, error, verbose: false));
        Assert.Equal("convsharp: unexpected error (InvalidOperationException): a bug; with a second line (run with --verbose for details)", error.ToString().TrimEnd());
        error = new StringWriter();
        Assert.Equal(1, Failures.Report(new AggregateException(bug), error, verbose: true));
        Assert.Contains("   at ", error.ToString());

        // ArgumentOutOfRangeException's two extra lines (" (Parameter 'lr')", "Actual value was NaN.") are dropped.
        error = new StringWriter();
        Assert.Equal(2, Failures.Report(new ArgumentOutOfRangeException("lr", float.NaN, "lr must be a finite number, but is NaN."), error, verbose: false));
        Assert.Equal("convsharp: lr must be a finite number, but is NaN.", error.ToString().TrimEnd());
    }
}
