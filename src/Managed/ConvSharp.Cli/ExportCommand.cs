using System.CommandLine;
using ConvSharp.Onnx;

namespace ConvSharp.Cli;

/// <summary>`convsharp export`: a trained model as an ONNX file (opset 17, dynamic batch) that ONNX Runtime, ML.NET or a
/// browser runtime can run; `predict`, `eval`, `summary` and `activations` read it back.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model.safetensors written by convsharp train.", Required = true };
        var onnx = new Option<string>("--onnx", "-o") { Description = "The ONNX file to write.", Required = true };
        var opset = new Option<int>("--opset") { Description = "ONNX opset, 13 to 17.", DefaultValueFactory = _ => 17 };
        var command = new Command("export", "Export a trained model to ONNX (input 'input' [batch, C, H, W], output 'output' logits).") { model, onnx, opset };
        command.SetAction(p =>
        {
            string from = p.GetValue(model)!, to = p.GetValue(onnx)!;
            if (from.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"'{from}' is already an ONNX file; export reads a model.safetensors written by convsharp train.");
            var (info, net) = ModelFile.Load(from);
            using (net)
            {
                var options = new OnnxExportOptions { Opset = p.GetValue(opset), Metadata = info.ToMetadata(), DocString = $"convsharp export of {Path.GetFileName(from)}" };
                Onnx.Onnx.Export(net, to, [1, info.Input.Channels, info.Input.Height, info.Input.Width], options);
                output.WriteLine($"{to}: {info.Preset}, {net.ParameterCount():N0} parameters, input [batch, {info.Input.Channels}, {info.Input.Height}, {info.Input.Width}], " +
                                 $"{info.Classes.Count} classes, opset {options.Opset} ({new FileInfo(to).Length:N0} bytes)");
            }
            return 0;
        });
        return command;
    }
}
