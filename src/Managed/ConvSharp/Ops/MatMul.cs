namespace ConvSharp;

// Matrix product. Letters: A is M×K, B is K×N, the result M×N.
public sealed partial class Tensor
{
    /// <summary>The matrix product of two 2-D tensors, [M, K] × [K, N] → [M, N], as one sgemm.</summary>
    public Tensor MatMul(Tensor other)
    {
        Guard.NotNull(other);
        if (Dim != 2 || other.Dim != 2)
            throw new ArgumentException(
                $"MatMul needs two 2-D tensors, but got shapes {Guard.Format(_shape)} and {Guard.Format(other._shape)}.", nameof(other));
        int m = _shape[0], k = _shape[1], n = other._shape[1];
        if (other._shape[0] != k)
            throw new ArgumentException(
                $"MatMul: inner dimensions differ: {Guard.Format(_shape)} × {Guard.Format(other._shape)} ({k} columns against {other._shape[0]} rows).", nameof(other));
        CheckSameDevice(other, "MatMul");
        var result = Allocate(Device, [m, n], zero: false);
        Kernels.Gemm(false, false, m, n, k, 1f, Data, k, other.Data, n, 0f, result.Data, n);
        return result;
    }

    /// <summary>The matrix product of two 2-D tensors (PyTorch's <c>torch.matmul</c>).</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        Guard.NotNull(a);
        return a.MatMul(b);
    }

    private void CheckSameDevice(Tensor other, string op)
    {
        if (!ReferenceEquals(Device, other.Device))
            throw new InvalidOperationException($"{op}: the tensors are on different devices ({Device} and {other.Device}); move one with To(device).");
    }
}
