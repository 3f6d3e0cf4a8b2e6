namespace ConvSharp;

/// <summary>How a loss combines its per-element values (PyTorch's <c>reduction</c> argument).</summary>
public enum Reduction
{
    /// <summary>The mean; for class-index losses with class weights, PyTorch's weighted mean
    /// Σ loss / Σ weight[target] over the positions that are not ignored.</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one loss value per element (per sample position for class losses).</summary>
    None,
}
