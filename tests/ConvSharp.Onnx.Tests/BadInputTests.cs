using ConvSharp.NN;
using ConvSharp.Onnx.Protobuf;
using Google.Protobuf;

namespace ConvSharp.Onnx.Tests;

/// <summary>Files that are not models, ops outside the set, shapes that do not fit, and exports that must refuse:
/// each one exception of a stated type whose message names the offending thing.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = OnnxKit.TempFolder();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Exported()
    {
        string path = Path.Combine(_dir, "good.onnx");
        using var model = Models.MnistCnn();
        Onnx.Export(model, path, 1, 1, 28, 28);
        return path;
    }

    [Fact]
    public void A_truncated_file_is_one_InvalidDataException()
    {
        byte[] bytes = File.ReadAllBytes(Exported());
        foreach (int length in new[] { 1, 7, bytes.Length / 2, bytes.Length - 3 })
        {
            string path = Path.Combine(_dir, $"cut{length}.onnx");
            File.WriteAllBytes(path, bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => Onnx.Load(path));
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void Garbage_and_empty_files_are_one_InvalidDataException()
    {
        string text = Path.Combine(_dir, "notes.onnx");
        File.WriteAllText(text, "this is a text file, not a model\n");
        var e = Assert.Throws<InvalidDataException>(() => Onnx.Load(text));
        Assert.Contains("not an ONNX model", e.Message);

        string random = Path.Combine(_dir, "random.onnx");
        File.WriteAllBytes(random, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        Assert.Throws<InvalidDataException>(() => Onnx.Load(random));

        string empty = Path.Combine(_dir, "empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() => Onnx.Load(empty)).Message);

        Assert.Throws<FileNotFoundException>(() => Onnx.Load(Path.Combine(_dir, "missing.onnx")));
    }

    [Fact]
    public void Unknown_ops_are_listed_in_one_NotSupportedException()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Exported()));
        model.Graph.Node[0].OpType = "FancyConv";
        model.Graph.Node[1].OpType = "HardSwish";
        model.Graph.Node[4].OpType = "HardSwish";
        string path = Path.Combine(_dir, "unknown.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Load(path));
        Assert.Contains("2 op types", e.Message);
        Assert.Contains("FancyConv", e.Message);
        Assert.Contains("HardSwish (nodes", e.Message);
    }

    [Fact]
    public void A_weight_of_the_wrong_shape_is_an_InvalidDataException_naming_the_node()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Exported()));
        // The second convolution's bias: 32 values declared as 31.
        TensorProto bias = model.Graph.Initializer.Single(t => t.Name == "3.bias");
        bias.Dims[0] = 31;
        bias.RawData = ByteString.CopyFrom(bias.RawData.Span[..(31 * 4)]);
        string path = Path.Combine(_dir, "bias.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<InvalidDataException>(() => Onnx.Load(path));
        Assert.Contains("bias '3.bias' has shape [31]", e.Message);

        // Data that does not fill the declared shape.
        model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Exported()));
        TensorProto w = model.Graph.Initializer.Single(t => t.Name == "10.weight");
        w.RawData = ByteString.CopyFrom(w.RawData.Span[..100]);
        File.WriteAllBytes(path, model.ToByteArray());
        e = Assert.Throws<InvalidDataException>(() => Onnx.Load(path));
        Assert.Contains("initializer '10.weight' declares shape [10, 576] (5760 values) but holds 100 bytes", e.Message);
    }

    [Fact]
    public void A_weight_that_does_not_fit_the_input_fails_at_load()
    {
        // A Conv weight expecting 4 input channels where the graph input has 3 (written by onnx.helper).
        using var models = new ImportTests.PythonModels();
        var e = Assert.Throws<InvalidDataException>(() => Onnx.Load(models["shape_mismatch"]));
        Assert.Contains("does not fit its input [1, 3, 8, 8]", e.Message);
        Assert.Contains("Conv", e.Message);
        Assert.Contains("expects 4 input channels", e.Message);

        var unknown = Assert.Throws<NotSupportedException>(() => Onnx.Load(models["unknown_ops"]));
        Assert.Contains("HardSwish (nodes", unknown.Message);
    }

    private sealed class UsesLpPool : Module
    {
        public UsesLpPool() => RegisterModule("features", new Sequential(new Conv2d(1, 2, 3, generator: new Generator(1)), new LPPool2d(2f, 2)));

        protected override Tensor ForwardCore(Tensor input) => Children().First().Forward(input).Relu();
    }

    [Fact]
    public void Export_refuses_an_op_without_mapping_naming_it_and_the_module_path_and_leaves_the_old_file()
    {
        string path = Exported();
        byte[] before = File.ReadAllBytes(path);
        using var model = new UsesLpPool();
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Export(model, path, 1, 1, 8, 8));
        Assert.Equal("Onnx.Export: the op LPPool2d in module 'features.1' (LPPool2d) has no ONNX mapping.", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
        Assert.True(model.IsTraining);  // the export's Eval() is undone
    }

    [Fact]
    public void Export_refuses_inexact_adaptive_pools_and_training_batch_norm_with_the_reason()
    {
        using var adaptive = new Sequential(new AdaptiveAvgPool2d(3));
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Export(adaptive, Path.Combine(_dir, "a.onnx"), 1, 2, 7, 7));
        Assert.Contains("AdaptiveAvgPool2d in module '0' (AdaptiveAvgPool2d) cannot be exported: an adaptive pool from 7x7 to 3x3", e.Message);

        using var functional = new Lambda((_, x) => Tensor.BatchNorm(x, null, null, training: true));
        e = Assert.Throws<NotSupportedException>(() => Onnx.Export(functional, Path.Combine(_dir, "b.onnx"), 2, 2, 3, 3));
        Assert.Contains("BatchNorm in module '<root>' (Lambda) cannot be exported: batch statistics", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Export_checks_its_arguments()
    {
        using var model = Models.MnistCnn();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Onnx.Export(model, Path.Combine(_dir, "x.onnx"), [1, 1, 28, 28], new OnnxExportOptions { Opset = 11 }));
        Assert.Contains("opset 11 is not supported", e.Message);
        Assert.Throws<ArgumentException>(() => Onnx.Export(model, Path.Combine(_dir, "x.onnx"), [1, 1, 28, 28], new OnnxExportOptions { InputName = "same", OutputName = "same" }));
        Assert.Contains("4-D input", Assert.Throws<ArgumentException>(() => Onnx.Export(model, Path.Combine(_dir, "x.onnx"), 1, 28, 28)).Message);
    }
}
