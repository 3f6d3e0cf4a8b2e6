using System.CommandLine;
using System.Globalization;
using ConvSharp.Data;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>`convsharp summary`: each layer's output shape, parameter count and receptive field.</summary>
internal static class SummaryCommand
{
    /// <summary>One row: the layer, its output shape, its parameters, and the receptive field of one output
    /// position on the input ((height, width) in pixels; null once a layer sees the whole input).</summary>
    internal sealed record Row(string Name, string Layer, int[] OutputShape, long Parameters, (int Height, int Width)? ReceptiveField);

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
                var rows = Rows(net, shape);
                int nameWidth = Math.Max(6, rows.Max(r => r.Name.Length)), layerWidth = Math.Max(6, rows.Max(r => r.Layer.Length));
                output.WriteLine($"{"#".PadRight(nameWidth)}  {"layer".PadRight(layerWidth)}  {"output shape",-18} {"parameters",12}  receptive field");
                foreach (var r in rows)
                    output.WriteLine($"{r.Name.PadRight(nameWidth)}  {r.Layer.PadRight(layerWidth)}  {"[" + string.Join(", ", r.OutputShape) + "]",-18} {r.Parameters,12:N0}  " +
                        (r.ReceptiveField is { } rf ? $"{rf.Height}x{rf.Width}" : net is Sequential ? "whole input" : "-"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total parameters: {net.ParameterCount():N0}; input {shape.Channels}x{shape.Height}x{shape.Width}"));
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

    /// <summary>Runs a zero image through the network, recording each top-level layer's output, and follows the
    /// receptive field r and the jump j (input pixels between neighbouring outputs): a window of size k with
    /// stride s and dilation d gives r ← r + d·(k − 1)·j and j ← j·s.</summary>
    internal static List<Row> Rows(Module net, ImageShape shape)
    {
        if (net is not Sequential) return HookedRows(net, shape);
        var rows = new List<Row>();
        (int H, int W) r = (1, 1), j = (1, 1);
        bool whole = false;
        using var scope = Tensor.Scope();
        var x = Tensor.Zeros(1, shape.Channels, shape.Height, shape.Width);
        using (Autograd.NoGrad())
            foreach (var (name, layer) in net.NamedChildren())
            {
                x = layer.Forward(x);
                (Pair k, Pair s, Pair d)? window = layer switch
                {
                    Conv2d c => (c.KernelSize, c.Stride, c.Dilation),
                    MaxPool2d m => (m.KernelSize, m.Stride, m.Dilation),
                    AvgPool2d a => (a.KernelSize, a.Stride, new Pair(1)),
                    _ => null,
                };
                if (window is var (k, s, d))
                {
                    r = (r.H + d.Height * (k.Height - 1) * j.H, r.W + d.Width * (k.Width - 1) * j.W);
                    j = (j.H * s.Height, j.W * s.Width);
                }
                else if (layer is not (ReLU or Tanh or Sigmoid or GELU or ELU or LeakyReLU or Identity or Dropout or BatchNorm2d))
                {
                    whole = true;  // global pooling, flatten, linear: every output sees the whole input
                }
                rows.Add(new Row(name, Describe(layer), x.Shape, layer.ParameterCount(),
                    whole ? null : (r.H, r.W)));
            }
        return rows;
    }

    /// <summary>A network with its own forward (ResNet, MobileNetV2): each top-level child's output as the forward
    /// meets it, caught with forward hooks. No receptive field: the paths branch and merge.</summary>
    private static List<Row> HookedRows(Module net, ImageShape shape)
    {
        var rows = new List<Row>();
        var hooks = net.NamedChildren().Select(c => c.Module.RegisterForwardHook((m, _, y) =>
            rows.Add(new Row(c.Name, Describe(m), y.Shape, m.ParameterCount(), null)))).ToList();
        try
        {
            net.Eval();
            using var scope = Tensor.Scope();
            using (Autograd.NoGrad()) net.Forward(Tensor.Zeros(1, shape.Channels, shape.Height, shape.Width));
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
        return rows;
    }

    // A container's repr spans many lines: the table shows its type and size instead.
    private static string Describe(Module m) => m.ToString() is { } text && !text.Contains('\n') ? text : $"{m.GetType().Name} ({m.Children().Count()} modules)";
}
