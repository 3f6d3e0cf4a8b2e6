namespace ConvSharp;

public static partial class Autograd
{
    /// <summary>The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> (PyTorch's
    /// <c>torch.autograd.grad</c>), returned as new tensors; no <see cref="Tensor.Grad"/> changes. Each output without a
    /// gradient in <paramref name="gradOutputs"/> must be a scalar (its gradient is 1). The graph is freed afterwards
    /// unless <paramref name="retainGraph"/>. An input the outputs do not depend on throws, or gives null with
    /// <paramref name="allowUnused"/>. <paramref name="createGraph"/> (higher-order gradients) is not supported: the
    /// backward formulas run without recording.</summary>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null, bool retainGraph = false,
        bool createGraph = false, bool allowUnused = false)
    {
        Guard.NotNull(outputs);
        Guard.NotNull(inputs);
        if (createGraph)
            throw new NotSupportedException("Autograd.Grad: createGraph: true (gradients of gradients) is not supported; ConvSharp's backward formulas run without recording.");
        if (outputs.Length == 0) throw new ArgumentException("Autograd.Grad needs at least one output.", nameof(outputs));
        gradOutputs ??= new Tensor?[outputs.Length];
        if (gradOutputs.Length != outputs.Length)
            throw new ArgumentException($"Autograd.Grad got {gradOutputs.Length} gradOutputs for {outputs.Length} outputs.", nameof(gradOutputs));
        for (int i = 0; i < outputs.Length; i++) Guard.NotNullTensor(outputs[i], nameof(outputs));
        for (int i = 0; i < inputs.Length; i++) Guard.NotNullTensor(inputs[i], nameof(inputs));
        return BackwardEngine.Grad(outputs, inputs, gradOutputs, retainGraph, allowUnused);
    }

    /// <summary><see cref="Grad(Tensor[], Tensor[], Tensor?[], bool, bool, bool)"/> for one output and one input.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool retainGraph = false) =>
        Grad([output], [input], [gradOutput], retainGraph)[0]!;
}
