using ConvSharp.Onnx;

namespace ConvSharp.Tests.Cli;

// `convsharp export` and the commands that read a .onnx model.
public sealed partial class CliTests
{
    [Fact]
    public void Export_writes_onnx_that_predict_eval_summary_and_activations_read_like_the_checkpoint()
    {
        string data = WriteDataset(60, 20), run = Path.Combine(_root, "run");
        Assert.Equal(0, Run("train", "--data", data, "--epochs", "1", "--out", run).Code);
        string model = Path.Combine(run, "model.safetensors"), onnx = Path.Combine(_root, "model.onnx");

        var (code, text) = Run("export", "--model", model, "--onnx", onnx);
        Assert.True(code == 0, text);
        Assert.Matches(@"model\.onnx: mnist-cnn, [\d,]+ parameters, input \[batch, 1, 28, 28\], \d+ classes, opset 17", text);
        using (OnnxModel loaded = Onnx.Onnx.Load(onnx))
        {
            Assert.Equal("mnist-cnn", loaded.Metadata["convsharp.preset"]);
            using var checkpoint = ConvSharp.IO.SafeTensors.Load(model);
            Assert.Equal(checkpoint.Values.Sum(t => t.Numel), loaded.ParameterCount());
        }

        string image = Path.Combine(_root, "digit.png");
        Assert.Equal(0, Run("activations", "--model", model, "--image", Path.Combine(run, "loss.png"), "--out", Path.Combine(_root, "a1")).Code);
        File.Copy(Path.Combine(_root, "a1", "input.png"), image);
        var fromCheckpoint = Run("predict", "--model", model, image);
        var fromOnnx = Run("predict", "--model", onnx, image);
        Assert.Equal(0, fromOnnx.Code);
        Assert.Equal(fromCheckpoint.Output, fromOnnx.Output);

        var evalCheckpoint = Run("eval", "--model", model, "--data", data);
        var evalOnnx = Run("eval", "--model", onnx, "--data", data);
        Assert.Equal(0, evalOnnx.Code);
        Assert.Equal(evalCheckpoint.Output, evalOnnx.Output);

        (code, text) = Run("summary", "--model", onnx);
        Assert.Equal(0, code);
        Assert.Contains("; input 1x28x28", text);
        Assert.Contains("Linear(in_features=576", text);

        (code, text) = Run("activations", "--model", onnx, "--image", image, "--out", Path.Combine(_root, "a2"));
        Assert.Equal(0, code);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_root, "a2"), "layer*.png").Length);
    }

    [Fact]
    public void A_truncated_onnx_model_is_one_line_and_exit_2()
    {
        string data = WriteDataset(60, 20), run = Path.Combine(_root, "run");
        Assert.Equal(0, Run("train", "--data", data, "--epochs", "1", "--out", run).Code);
        string onnx = Path.Combine(_root, "model.onnx");
        Assert.Equal(0, Run("export", "--model", Path.Combine(run, "model.safetensors"), "--onnx", onnx).Code);
        byte[] bytes = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, bytes[..(bytes.Length / 3)]);
        var (code, text) = Run("eval", "--model", onnx, "--data", data);
        Assert.Equal(2, code);
        Assert.StartsWith($"convsharp: '{onnx}' is not an ONNX model", text);
        Assert.Single(text.TrimEnd().Split('\n'));

        (code, text) = Run("export", "--model", onnx, "--onnx", Path.Combine(_root, "again.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("is already an ONNX file", text);
    }
}
