using System.CommandLine;
using System.Globalization;
using ConvSharp.Data;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>`convsharp summary`: each layer's output shape, parameter count and receptive field (the table of
/// <see cref="Module.Summary"/>).</summary>
internal static class SummaryCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A preset name or a model.safetensors.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Input shape CxHxW (default: 1x28x28, or the file's)." };
        var classes = new Option<int>("--classes") { Description = "Output classes of a preset.", DefaultValueFactory = _ => 10 };
        var command = new Command("summary", "A table of layers: output shape, parameters, receptive field.") { model, input, classes };
        command.SetAction(p =>
        {
            string m = p.GetValue(model)!;
            ImageShape shape = p.GetValue(input) is string text ? ParseShape(text) : new ImageShape(1, 28, 28);
            Module net;
            if (File.Exists(m))
            {
                var (info, loaded) = ModelFile.Load(m);
                net = loaded;
                if (p.GetValue(input) is null) shape = info.Input;  // one line naming what is missing when the file has no input shape
            }
            else
            {
                net = Presets.Build(m, shape, p.GetValue(classes), new Generator(0));
            }
            using (net)
            {
                net.Eval();  // one zero image: BatchNorm (ResNet-18 at 32x32 reaches 1x1) must use its running statistics
                output.WriteLine(net.Summary(shape.Channels, shape.Height, shape.Width).ToString());
            }
            return 0;
        });
        return command;
    }

    internal static ImageShape ParseShape(string text)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 3 || parts.Any(s => !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 1))
            throw new CliException($"--input '{text}' is not CxHxW (e.g. 1x28x28).");
        return new ImageShape(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
