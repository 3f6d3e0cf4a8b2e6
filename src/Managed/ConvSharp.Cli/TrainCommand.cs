using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.Reporting;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Cli;

/// <summary>`convsharp train`: trains a preset on a dataset, shows progress, writes a run folder.</summary>
internal static class TrainCommand
{
    private static readonly Option<string> ModelOption = new("--model", "-m") { Description = "Preset: mnist-cnn, gap-cnn, lenet5, cifar-cnn, resnet18, vgg11-bn, mobilenet-v2.", DefaultValueFactory = _ => "mnist-cnn" };
    private static readonly Option<string?> DataOption = new("--data", "-d") { Description = "Folder with IDX files, CIFAR-10 batches or an image folder (default: full Fashion-MNIST if installed, else the embedded subset)." };
    private static readonly Option<int> EpochsOption = new("--epochs", "-e") { Description = "Epochs.", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> BatchOption = new("--batch-size", "-b") { Description = "Batch size.", DefaultValueFactory = _ => 16 };
    private static readonly Option<string> OptimizerOption = new("--optimizer") { Description = "sgd, adam, adamw, adamax or rmsprop.", DefaultValueFactory = _ => "adam" };
    private static readonly Option<float?> LrOption = new("--lr") { Description = "Learning rate (default: 1e-3; 0.01 for sgd and rmsprop, 2e-3 for adamax)." };
    private static readonly Option<float> MomentumOption = new("--momentum") { Description = "Momentum (sgd, rmsprop).", DefaultValueFactory = _ => 0.9f };
    private static readonly Option<float> WeightDecayOption = new("--weight-decay") { Description = "Weight decay.", DefaultValueFactory = _ => 0f };
    private static readonly Option<string> SchedulerOption = new("--scheduler") { Description = "none, cosine, step, or warmup-cosine.", DefaultValueFactory = _ => "none" };
    private static readonly Option<string[]> AugmentOption = new("--augment") { Description = "Augmentations: rotate:30, flip, crop:4, affine, perspective.", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> ValSplitOption = new("--val-split") { Description = "Validation images: a count or a fraction (default: 10,000 of 60,000, else 1/6)." };
    private static readonly Option<string?> ResizeOption = new("--resize") { Description = "Resize images to HxW." };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or opencl.", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<int> ThreadsOption = new("--threads") { Description = "OpenBLAS threads (default: all cores).", DefaultValueFactory = _ => 0 };
    private static readonly Option<long> SeedOption = new("--seed") { Description = "Seed for initialisation, shuffling and augmentation.", DefaultValueFactory = _ => 0 };
    private static readonly Option<string?> OutOption = new("--out", "-o") { Description = "Run folder (default: runs/<preset>-<time>)." };
    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Continue an interrupted run from its folder." };
    private static readonly Option<bool> DistributedOption = new("--distributed") { Description = "Data-parallel over the ranks of `mpirun -np N` (Open MPI): each rank trains on its shard with --batch-size, gradients are averaged, rank 0 prints and writes the run folder." };

    public static Command Create(TextWriter output)
    {
        var command = new Command("train", "Train a convolutional network and write a run folder (weights, metrics, plots).");
        foreach (Option o in new Option[] { ModelOption, DataOption, EpochsOption, BatchOption, OptimizerOption, LrOption, MomentumOption, WeightDecayOption,
                     SchedulerOption, AugmentOption, ValSplitOption, ResizeOption, DeviceOption, ThreadsOption, SeedOption, OutOption, ResumeOption, DistributedOption })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (parse.GetValue(ResumeOption) is string resume)
            {
                if (!Directory.Exists(resume)) throw new CliException($"--resume folder '{resume}' does not exist.");
                string[] original = RunFiles.ReadRun(resume).Arguments;
                var again = command.Parse(original);
                return new TrainRun(Read(again), output, resumeFrom: resume, original).Run();
            }
            return new TrainRun(Read(parse), output, resumeFrom: null,
                parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command && t.Value != "--verbose").Select(t => t.Value).ToArray()).Run();
        });
        return command;
    }

    private static TrainSettings Read(ParseResult p)
    {
        (int, int)? resize = null;
        if (p.GetValue(ResizeOption) is string r)
        {
            string[] parts = r.ToLowerInvariant().Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int h) || !int.TryParse(parts[1], out int w) || h < 1 || w < 1)
                throw new CliException($"--resize '{r}' is not HxW (e.g. 32x32).");
            resize = (h, w);
        }
        int epochs = p.GetValue(EpochsOption), batch = p.GetValue(BatchOption);
        if (epochs < 1) throw new CliException($"--epochs must be at least 1, not {epochs}.");
        if (batch < 1) throw new CliException($"--batch-size must be at least 1, not {batch}.");
        string optimizer = p.GetValue(OptimizerOption)!.ToLowerInvariant();
        if (optimizer is not ("sgd" or "adam" or "adamw" or "adamax" or "rmsprop"))
            throw new CliException($"unknown optimizer '{optimizer}'; use sgd, adam, adamw, adamax or rmsprop.");
        string scheduler = p.GetValue(SchedulerOption)!.ToLowerInvariant();
        if (scheduler is not ("none" or "cosine" or "step" or "warmup-cosine"))
            throw new CliException($"unknown scheduler '{scheduler}'; use none, cosine, step or warmup-cosine.");
        string model = p.GetValue(ModelOption)!;
        if (!Presets.Names.Contains(model)) throw new CliException($"unknown model preset '{model}'; the presets are {string.Join(", ", Presets.Names)}.");
        string device = p.GetValue(DeviceOption)!.ToLowerInvariant();
        if (device is not ("cpu" or "opencl")) throw new CliException($"unknown device '{device}'; use cpu or opencl.");
        int threads = p.GetValue(ThreadsOption);
        if (threads < 0) throw new CliException($"--threads must not be negative, not {threads}.");
        return new TrainSettings(model, p.GetValue(DataOption), epochs, batch, optimizer, p.GetValue(LrOption), p.GetValue(MomentumOption),
            p.GetValue(WeightDecayOption), scheduler, p.GetValue(AugmentOption) ?? [], p.GetValue(ValSplitOption), resize, threads,
            p.GetValue(SeedOption), p.GetValue(OutOption), device, p.GetValue(DistributedOption));
    }
}

internal sealed record TrainSettings(string Model, string? Data, int Epochs, int BatchSize, string Optimizer, float? Lr, float Momentum,
    float WeightDecay, string Scheduler, string[] Augment, string? ValSplit, (int Height, int Width)? Resize, int Threads, long Seed, string? Out, string Device = "cpu",
    bool Distributed = false)
{
    /// <summary>The device --device names: the CPU, or the OpenCL device Device.OpenCL() picks (CONVSHARP_OPENCL_DEVICE chooses one).</summary>
    public Device ResolveDevice()
    {
        if (Device != "opencl") return ConvSharp.Device.Cpu;
        try
        {
            return ConvSharp.Device.OpenCL();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            // An ArgumentException's message ends in " (Parameter ...)" lines that mean nothing on a command line.
            string message = e is ArgumentException a && a.ParamName is { } name ? a.Message[..a.Message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal)] : e.Message;
            throw new CliException($"--device opencl: {message}");
        }
    }
}
