using System.CommandLine;
using System.Globalization;
using ConvSharp.Imaging;
using ConvSharp.NN;

namespace ConvSharp.Cli;

/// <summary>`convsharp activations`: every convolution's output after its activation, one PNG grid per layer,
/// all on one shared colour scale, captured with forward hooks.</summary>
internal static class ActivationsCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model.safetensors written by convsharp train.", Required = true };
        var image = new Option<string>("--image", "-i") { Description = "A PNG or JPEG image.", Required = true };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the PNG grids.", DefaultValueFactory = _ => "activations" };
        var scale = new Option<int>("--scale") { Description = "Pixels per activation value.", DefaultValueFactory = _ => 4 };
        var command = new Command("activations", "Write each convolution's activations for one image as PNG grids.") { model, image, outDir, scale };
        command.SetAction(p =>
        {
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
                    var (name, target) = i + 1 < layers.Count && layers[i + 1].Module is ReLU or Tanh or Sigmoid or GELU or ELU or LeakyReLU
                        ? (layers[i].Name, layers[i + 1].Module) : layers[i];
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

                float min = captured.Min(c => c.Activation.ToArray().Min()), max = captured.Max(c => c.Activation.ToArray().Max());
                float range = Math.Max(max - min, 1e-12f);
                int px = Math.Max(1, p.GetValue(scale));
                foreach (var (name, a) in captured)
                {
                    int[] s = a.Shape;
                    float[] values = a.ToArray().Select(v => (v - min) / range).ToArray();
                    string file = Path.Combine(dir, $"layer{name}-conv{s[1]}.png");
                    PngWriter.WriteGrid(file, values, s[1], 1, s[2], s[3], columns: 8, scale: px);
                    output.WriteLine($"{file}: {s[1]} channels of {s[2]}x{s[3]} ({(s[1] + 7) / 8} rows of 8)");
                }
                using var input = (x * Tensor.FromArray(info.Std, 1, info.Std.Length, 1, 1)) + Tensor.FromArray(info.Mean, 1, info.Mean.Length, 1, 1);
                PngWriter.WriteGrid(Path.Combine(dir, "input.png"), input.ToArray(), 1, info.Input.Channels, info.Input.Height, info.Input.Width, columns: 1, scale: px);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"shared colour scale: black = {min:G4}, white = {max:G4}; input image: {Path.Combine(dir, "input.png")}"));
            }
            return 0;
        });
        return command;
    }
}
