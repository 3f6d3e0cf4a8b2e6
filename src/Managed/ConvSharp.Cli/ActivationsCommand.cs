using System.CommandLine;
using System.Globalization;
using ConvSharp.Imaging;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>`convsharp activations`: every convolution's output after its activation, one PNG per layer (ConvSharp.Imaging's
/// ActivationGrid: title, tiles with gaps, a colormap, a colour bar), captured with forward hooks.</summary>
internal static class ActivationsCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model.safetensors written by convsharp train.", Required = true };
        var image = new Option<string>("--image", "-i") { Description = "A PNG or JPEG image.", Required = true };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the PNG grids.", DefaultValueFactory = _ => "activations" };
        var colormap = new Option<string>("--colormap") { Description = "viridis (default) or grey.", DefaultValueFactory = _ => "viridis" };
        var scale = new Option<string>("--scale")
        {
            Description = "shared (default: one colour scale over all layers, so layers compare) or layer (each layer its own range).",
            DefaultValueFactory = _ => "shared",
        };
        var zoom = new Option<int>("--zoom") { Description = "Pixels per activation value, each side.", DefaultValueFactory = _ => 4 };
        var command = new Command("activations", "Write each convolution's activations for one image as PNG grids.") { model, image, outDir, colormap, scale, zoom };
        command.SetAction(p =>
        {
            Colormap map = p.GetValue(colormap) switch
            {
                "viridis" => Colormap.Viridis,
                "grey" or "gray" => Colormap.Grey,
                var other => throw new CliException($"unknown colormap '{other}'; use viridis or grey."),
            };
            ActivationScale range = p.GetValue(scale) switch
            {
                "shared" => ActivationScale.Shared,
                "layer" => ActivationScale.Layer,
                var other => throw new CliException($"unknown --scale '{other}'; use shared (one scale for all layers) or layer (one per layer)."),
            };
            int px = p.GetValue(zoom);
            if (px < 1) throw new CliException($"--zoom must be at least 1, but is {px}.");
            var (info, net) = ModelFile.Load(p.GetValue(model)!);
            string dir = p.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            using (net)
            using (var scope = Tensor.Scope())
            {
                net.Eval();
                Tensor x = EvalPredictCommands.LoadImage(p.GetValue(image)!, info);
                var captured = new List<(string Name, Tensor Activation)>();
                var hooks = new List<IDisposable>();
                // The activation after a convolution is the module that follows it (its own output when none does).
                var layers = net is Sequential ? net.NamedChildren().ToList() : [];
                for (int i = 0; i < layers.Count; i++)
                {
                    if (layers[i].Module is not Conv2d) continue;
                    var (name, target) = i + 1 < layers.Count && layers[i + 1].Module is IActivation ? (layers[i].Name, layers[i + 1].Module) : layers[i];
                    hooks.Add(target.RegisterForwardHook((_, _, y) => captured.Add((name, y.Detach()))));
                }
                // A network that is not one Sequential of layers (ResNet, MobileNetV2): every convolution's own output, named by its path.
                if (net is not Sequential)
                    foreach (var (name, module) in net.NamedModules())
                        if (module is Conv2d)
                        {
                            string label = name.Replace('.', '-');
                            hooks.Add(module.RegisterForwardHook((_, _, y) => captured.Add((label, y.Detach()))));
                        }
                using (Autograd.NoGrad()) net.Forward(x);
                foreach (var h in hooks) h.Dispose();
                if (captured.Count == 0) throw new CliException($"'{p.GetValue(model)}' has no convolution layers to show.");

                var (sharedMin, sharedMax) = ActivationGrid.Range(captured.Select(c => c.Activation));
                foreach (var (name, a) in captured)
                {
                    int[] s = a.Shape;
                    var (min, max) = range == ActivationScale.Shared ? (sharedMin, sharedMax) : ActivationGrid.Range(a);
                    string file = Path.Combine(dir, $"layer{name}-conv{s[1]}.png");
                    string title = $"layer {name}: {s[1]} channels of {s[2]}x{s[3]}, {(range == ActivationScale.Shared ? "shared" : "own")} scale";
                    ActivationGrid.Write(file, a, title, min, max, map, columns: 8, zoom: px);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{file}: {s[1]} channels of {s[2]}x{s[3]} ({(s[1] + 7) / 8} rows of 8), colours {min:G4} to {max:G4}"));
                }
                using var input = (x * Tensor.FromArray(info.Std, 1, info.Std.Length, 1, 1)) + Tensor.FromArray(info.Mean, 1, info.Mean.Length, 1, 1);
                PngWriter.WriteGrid(Path.Combine(dir, "input.png"), input.ToArray(), 1, info.Input.Channels, info.Input.Height, info.Input.Width, columns: 1, scale: px);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(range == ActivationScale.Shared ? $"shared colour scale {sharedMin:G4} to {sharedMax:G4}" : "one colour scale per layer")} ({map.ToString().ToLowerInvariant()}); input image: {Path.Combine(dir, "input.png")}"));
            }
            return 0;
        });
        return command;
    }
}
