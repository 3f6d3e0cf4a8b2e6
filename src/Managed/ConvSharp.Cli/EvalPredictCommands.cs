using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.Reporting;
using ConvSharp.Training;
using ConvSharp.Data;
using ConvSharp.Imaging;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>`convsharp eval` and `convsharp predict`: use a model written by `convsharp train`.</summary>
internal static class EvalPredictCommands
{
    public static Command Eval(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model.safetensors written by convsharp train.", Required = true };
        var data = new Option<string?>("--data", "-d") { Description = "Dataset folder (default: as for train)." };
        var command = new Command("eval", "Accuracy, per-class precision/recall and the confusion matrix of a trained model on a test set.") { model, data };
        command.SetAction(p =>
        {
            var (info, net) = ModelInfoLoad(p.GetValue(model)!);
            using (net)
            {
                DataSource source = DataSources.Open(p.GetValue(data), (info.Input.Height, info.Input.Width));
                source = source with { Mean = info.Mean, Std = info.Std };
                ImageDataset set = source.Test ?? source.Train;
                output.WriteLine($"Data: {source.Description}; evaluating on its {(source.Test is null ? "training" : "test")} images");
                if (source.SampleShape != info.Input)
                    throw new CliException($"the model expects {info.Input.Channels}x{info.Input.Height}x{info.Input.Width} images, but the data gives {source.SampleShape.Channels}x{source.SampleShape.Height}x{source.SampleShape.Width}.");
                using var loader = new DataLoader(set.WithTransform(source.Pipeline([])), 256);
                var (loss, evaluated) = Trainer.Evaluate(net, new CrossEntropyLoss(), loader, info.Classes.Count > 0 ? info.Classes : null);
                var matrix = evaluated ?? throw new CliException($"'{info.Path}' is not a classifier (its output is not [N, classes]); eval reports classification accuracy.");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {matrix.Accuracy:P2} (loss {loss:F4}) on {matrix.Total:N0} images"));
                Report.PerClass(output, matrix);
            }
            return 0;
        });
        return command;
    }

    public static Command Predict(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model.safetensors written by convsharp train.", Required = true };
        var top = new Option<int>("--top", "-k") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 3 };
        var images = new Argument<string[]>("images") { Description = "PNG or JPEG files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Top-k classes with probabilities for image files.") { model, top, images };
        command.SetAction(p =>
        {
            var (info, net) = ModelInfoLoad(p.GetValue(model)!);
            using (net)
            {
                net.Eval();
                int k = Math.Max(1, p.GetValue(top));
                foreach (string path in p.GetValue(images)!)
                {
                    using var scope = Tensor.Scope();
                    Tensor x = LoadImage(path, info);
                    Tensor probabilities;
                    using (Autograd.NoGrad()) probabilities = net.Forward(x).Softmax(1);
                    float[] pr = probabilities.ToArray();
                    IReadOnlyList<string> names = info.Classes.Count == pr.Length ? info.Classes : Enumerable.Range(0, pr.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                    var best = Enumerable.Range(0, pr.Length).OrderByDescending(i => pr[i]).Take(Math.Min(k, pr.Length));
                    output.WriteLine($"{path}: " + string.Join(", ", best.Select(i => string.Create(CultureInfo.InvariantCulture, $"{names[i]} {pr[i]:P1}"))));
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>An image file as a normalised [1, C, H, W] tensor in the model's input shape.</summary>
    internal static Tensor LoadImage(string path, ModelFileInfo info)
    {
        ConvSharp.IO.RegularFile.Check(path, "image");
        var color = info.Input.Channels == 1 ? ColorMode.Grayscale : ColorMode.Rgb;
        (float[] chw, int h, int w) = ImageFile.Read(path, color, (info.Input.Height, info.Input.Width));
        var x = Tensor.FromArray(chw, 1, info.Input.Channels, h, w);
        using var mean = Tensor.FromArray(info.Mean, 1, info.Mean.Length, 1, 1);
        using var std = Tensor.FromArray(info.Std, 1, info.Std.Length, 1, 1);
        return (x - mean) / std;
    }

    private static (ModelFileInfo, Module) ModelInfoLoad(string path)
    {
        try
        {
            return ModelFile.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }
    }
}
