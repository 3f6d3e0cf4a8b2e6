using ConvSharp.NN;

namespace ConvSharp.Onnx;

/// <summary>ONNX export and import (PyTorch's <c>torch.onnx.export</c> and, for the way back, what
/// <c>onnx2torch</c> does): <see cref="Export(Module, string, int[])"/> traces one evaluation-mode forward into an
/// opset-17 float32 model that ONNX Runtime runs; <see cref="Load"/> turns an ONNX CNN (ConvSharp's or PyTorch's)
/// into a <see cref="Module"/> whose initializers are trainable parameters.</summary>
public static class Onnx
{
    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>, tracing one forward in evaluation mode
    /// on a random input of <paramref name="inputShape"/> (e.g. 1, 1, 28, 28); the batch dimension stays dynamic.
    /// The file is replaced atomically: a refused op leaves any previous file untouched.</summary>
    /// <exception cref="NotSupportedException">An op the model ran has no ONNX mapping; the message names it and the module path.</exception>
    public static void Export(Module model, string path, params int[] inputShape)
    {
        Guard.NotNull(inputShape);
        Export(model, path, inputShape, options: null);
    }

    /// <summary>Exports with an input of <paramref name="inputShape"/> and the given <paramref name="options"/>.</summary>
    public static void Export(Module model, string path, int[] inputShape, OnnxExportOptions? options)
    {
        Guard.NotNull(model);
        Guard.NotNull(path);
        Guard.NotNull(inputShape);
        if (inputShape.Length == 0) throw new ArgumentException("Onnx.Export: the input shape is empty; give one size per dimension, e.g. 1, 1, 28, 28.", nameof(inputShape));
        using var scope = Tensor.Scope();
        Tensor sample = Tensor.Rand(inputShape, seed: 0);
        // The sample lives where the model does (a model moved to an OpenCL device traces there).
        if (model.Parameters().FirstOrDefault()?.Device is { } device && !ReferenceEquals(device, sample.Device)) sample = sample.To(device);
        Export(model, path, sample, options);
    }

    /// <summary>Exports <paramref name="model"/> traced on <paramref name="sampleInput"/> (its shape is the input's
    /// shape; its values only steer the trace), with <paramref name="options"/> (names, dynamic batch, opset).</summary>
    /// <exception cref="NotSupportedException">An op the model ran has no ONNX mapping; the message names it and the module path.</exception>
    public static void Export(Module model, string path, Tensor sampleInput, OnnxExportOptions? options = null)
    {
        Guard.NotNull(model);
        Guard.NotNull(path);
        Guard.NotNull(sampleInput);
        var proto = OnnxExporter.Trace(model, sampleInput, options ?? new OnnxExportOptions());
        IO.AtomicFile.Write(path, stream => Google.Protobuf.MessageExtensions.WriteTo(proto, stream));
    }

    /// <summary>Loads an ONNX model (opset 7 or later; the op set <see cref="Export(Module, string, int[])"/> writes, and
    /// PyTorch's exporter's forms of it: Conv, Gemm, BatchNormalization, Reshape with a shape initializer, Constant
    /// nodes, ...) as a module. Float initializers become parameters named as in the file (a dotted name becomes a
    /// path of child modules, so "0.weight" is a state_dict key again); batch-norm statistics become buffers.
    /// Shapes are checked at load by a forward on zeros when the input's sizes are known.</summary>
    /// <exception cref="InvalidDataException">The file is empty, truncated or not an ONNX model, or an initializer's
    /// shape does not fit its op.</exception>
    /// <exception cref="NotSupportedException">The graph uses ops outside the supported set; every one is listed.</exception>
    public static OnnxModel Load(string path)
    {
        Guard.NotNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Onnx.Load: no file '{path}'.", path);
        return OnnxImporter.Load(File.ReadAllBytes(path), path);
    }
}
