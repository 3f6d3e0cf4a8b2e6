using ConvSharp.NN;
using Microsoft.ML.OnnxRuntime;

namespace ConvSharp.Onnx.Tests;

/// <summary>A module around a function of its input, with optional parameters of its own: the shape of a custom
/// Forward a user writes (residual adds, concatenation, functional ops).</summary>
internal sealed class Lambda : Module
{
    private readonly Func<Lambda, Tensor, Tensor> _forward;

    internal Lambda(Func<Lambda, Tensor, Tensor> forward, params (string Name, Module Module)[] children)
    {
        _forward = forward;
        foreach (var (name, module) in children) RegisterModule(name, module);
    }

    internal Parameter Param(string name, int[] shape, long seed, float scale = 1f)
    {
        var p = new Parameter(shape);
        using (var values = Tensor.Randn(shape, seed)) p.CopyFrom(values.ToArray().Select(v => v * scale).ToArray());
        RegisterParameter(name, p);
        return p;
    }

    internal Module Child(string name) => NamedChildren().First(c => c.Name == name).Module;

    protected override Tensor ForwardCore(Tensor input) => _forward(this, input);
}

internal static class OnnxKit
{
    /// <summary>ONNX Runtime's output for one input (CPU execution provider, one thread: reproducible).</summary>
    internal static (float[] Values, long[] Shape) RunOrt(string path, float[] data, int[] shape, string inputName = "input")
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(path, options);
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [input], session.OutputNames);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    /// <summary>max |a − b| / max |b|: the error relative to the reference's scale.</summary>
    internal static double RelativeError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]) || float.IsNaN(expected[i]), $"NaN at {i}");
            diff = Math.Max(diff, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return diff / Math.Max(scale, 1e-30);
    }

    internal static float[] EvalForward(Module model, Tensor x)
    {
        model.Eval();
        using var scope = Tensor.Scope();
        using var noGrad = Autograd.NoGrad();
        return model.Forward(x).ToArray();
    }

    internal static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "convsharp-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
