using System.Diagnostics;
using ConvSharp.NN;
using ConvSharp.Optim;
using Xunit.Abstractions;

namespace ConvSharp.Onnx.Tests;

/// <summary>Onnx.Load: ConvSharp's own files (round trip, fine-tuning) and files written by an independent writer
/// (onnx.helper from Debian's python3-onnx) in the forms PyTorch's exporter emits, each run against ONNX Runtime.</summary>
public sealed class ImportTests : IClassFixture<ImportTests.PythonModels>
{
    /// <summary>The models write_models.py writes, once per test run.</summary>
    public sealed class PythonModels : IDisposable
    {
        public PythonModels()
        {
            Folder = OnnxKit.TempFolder();
            string script = Path.Combine(AppContext.BaseDirectory, "write_models.py");
            // Debian's python3-onnx installs for the system interpreter, not for a python3 that may come first on PATH.
            var start = new ProcessStartInfo("/usr/bin/python3", [script, Folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"write_models.py failed (needs Debian's python3-onnx, which build.sh installs): {stderr}");
        }

        public string Folder { get; }

        public string this[string name] => Path.Combine(Folder, name + ".onnx");

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private readonly ITestOutputHelper output;
    private readonly PythonModels _models;

    public ImportTests(ITestOutputHelper output, PythonModels models)
    {
        this.output = output;
        _models = models;
    }

    [Theory]
    [InlineData("conv_bn_relu_gemm", new[] { 2, 3, 8, 8 })]
    [InlineData("reshape_constant", new[] { 2, 2, 5, 5 })]
    [InlineData("opset13_view_softmax", new[] { 3, 2, 5, 5 })]
    [InlineData("decoder", new[] { 2, 3, 4, 4 })]
    public void Model_written_by_onnx_helper_runs_like_onnx_runtime(string name, int[] shape)
    {
        string path = _models[name];
        using OnnxModel model = Onnx.Load(path);
        using var x = Tensor.Randn(shape, 11);
        float[] data = x.ToArray();
        var (expected, expectedShape) = OnnxKit.RunOrt(path, data, shape, "x");
        float[] actual = OnnxKit.EvalForward(model, x);
        double error = OnnxKit.RelativeError(actual, expected);
        output.WriteLine($"{name} (opset {model.Opset}, {string.Join(" ", model.OpTypes)}): relative error {error:E2}");
        Assert.True(error <= 1e-5, $"relative error {error:E2}");
        using (var again = Tensor.Scope()) Assert.Equal(expectedShape.Select(d => (int)d).ToArray(), model.Forward(x).Shape);
    }

    [Fact]
    public void Initializers_become_parameters_and_buffers_under_their_names()
    {
        using OnnxModel model = Onnx.Load(_models["conv_bn_relu_gemm"]);
        Assert.Equal(
            new[] { "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "classifier.weight", "classifier.bias" },
            model.NamedParameters().Select(p => p.Name).ToArray());
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(new[] { "features.1.running_mean", "features.1.running_var" }, model.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.Equal(8 * 3 * 9 + 8 + 8 + 8 + 10 * 128 + 10, model.ParameterCount());
        Assert.Equal(new[] { -1, 3, 8, 8 }, model.InputShape);
    }

    [Theory]
    [MemberData(nameof(ExportParityTests.NetworkNames), MemberType = typeof(ExportParityTests))]
    public void Round_trip_forward_equals_the_original(string name)
    {
        var (original, shape) = ExportParityTests.Network(name);
        string dir = OnnxKit.TempFolder();
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            Onnx.Export(original, path, shape);
            using OnnxModel loaded = Onnx.Load(path);
            Assert.Equal(original.ParameterCount(), loaded.ParameterCount());
            Assert.Equal(original.NamedParameters().Select(p => p.Name), loaded.NamedParameters().Select(p => p.Name));
            using var x = Tensor.Randn([3, .. shape[1..]], 5);
            double error = OnnxKit.RelativeError(OnnxKit.EvalForward(loaded, x), OnnxKit.EvalForward(original, x));
            output.WriteLine($"{name}: round trip relative error {error:E2}");
            Assert.True(error <= 1e-6, $"relative error {error:E2}");
        }
        finally
        {
            original.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_op_round_trips()
    {
        string dir = OnnxKit.TempFolder();
        try
        {
            foreach (var (name, (build, shape)) in ExportParityTests.Cases)
            {
                using Module original = build();
                string path = Path.Combine(dir, "m.onnx");
                Onnx.Export(original, path, shape);
                using OnnxModel loaded = Onnx.Load(path);
                using var x = Tensor.Randn(shape, 9);
                double error = OnnxKit.RelativeError(OnnxKit.EvalForward(loaded, x), OnnxKit.EvalForward(original, x));
                Assert.True(error <= 1e-6, $"{name}: relative error {error:E2}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("mnist-cnn")]
    [InlineData("resnet-block")]
    [InlineData("onnx.helper conv_bn_relu_gemm")]
    public void A_loaded_model_fine_tunes_10_Adam_steps_and_the_loss_falls(string name)
    {
        string dir = OnnxKit.TempFolder();
        try
        {
            string path;
            int[] shape;
            if (name.StartsWith("onnx.helper"))
            {
                path = _models["conv_bn_relu_gemm"];
                shape = [16, 3, 8, 8];
            }
            else
            {
                var (original, s) = ExportParityTests.Network(name);
                using (original) Onnx.Export(original, path = Path.Combine(dir, "m.onnx"), s);
                shape = [16, .. s[1..]];
            }
            using OnnxModel model = Onnx.Load(path);
            model.Train();
            using var x = Tensor.Randn(shape, 3);
            using var labels = Tensor.FromArray(Enumerable.Range(0, shape[0]).Select(i => (float)(i % 10)).ToArray(), shape[0]);
            using var opt = new Adam(model.Parameters(), lr: 1e-3f);
            var lossFn = new CrossEntropyLoss();
            var losses = new List<float>();
            for (int step = 0; step < 10; step++)
            {
                using var scope = Tensor.Scope();
                var loss = lossFn.Forward(model.Forward(x), labels);
                losses.Add(loss.Item());
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
            }
            output.WriteLine($"{name}: loss {losses[0]:F4} -> {losses[^1]:F4}");
            Assert.True(losses[^1] < losses[0] * 0.95f, $"loss {string.Join(", ", losses)}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
