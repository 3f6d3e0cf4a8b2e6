namespace ConvSharp;

// Matrix products. Letters: A is [..., M, K], B is [..., K, N] (or [..., N, K] when transposed), the
// result [..., M, N]; leading "batch" dimensions broadcast. Backward: dA += g·Bᵀ, dB += Aᵀ·g, both as
// sgemm with beta = 1, so gradients accumulate where they land (a broadcast B sums over the batch).
public partial class Tensor
{
    /// <summary>The matrix product (PyTorch's <c>matmul</c>) of tensors with at least 2 dimensions:
    /// [..., M, K] × [..., K, N] → [..., M, N], batch dimensions broadcast.</summary>
    public Tensor MatMul(Tensor other)
    {
        Tensor result = MatMulCore(this, Guard.NotNullTensor(other), transposeB: false, "MatMul");
        Onnx.OnnxTrace.Current?.MatMul(result, this, other);
        return result;
    }

    /// <summary>The matrix product of two tensors (PyTorch's <c>torch.matmul</c>).</summary>
    public static Tensor MatMul(Tensor a, Tensor b) => Guard.NotNullTensor(a).MatMul(b);

    /// <summary>x·Wᵀ + b (PyTorch's <c>nn.functional.linear</c>): x [..., in], weight [out, in], bias [out].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        Guard.NotNull(input);
        Guard.NotNull(weight);
        Tensor y = MatMulCore(input, weight, transposeB: true, "Linear");
        Tensor result = bias is null ? y : y + bias;
        if (bias is not null && !WillRecord(input, weight)) y.Dispose();
        Onnx.OnnxTrace.Current?.Linear(result, input, weight, bias);
        return result;
    }

    private static Tensor MatMulCore(Tensor a, Tensor b, bool transposeB, string op)
    {
        if (a.Dim < 2 || b.Dim < 2)
            throw new ArgumentException(
                $"{op} needs tensors with at least 2 dimensions, but got shapes {Guard.Format(a._shape)} and {Guard.Format(b._shape)}.", nameof(b));
        a.CheckSameDevice(b, op);
        int m = a._shape[^2], k = a._shape[^1];
        int bk = transposeB ? b._shape[^1] : b._shape[^2], n = transposeB ? b._shape[^2] : b._shape[^1];
        if (bk != k)
            throw new ArgumentException(op == "Linear"
                ? $"Linear: the input has {k} features (shape {Guard.Format(a._shape)}), but the weight {Guard.Format(b._shape)} expects {bk}."
                : $"MatMul: inner dimensions differ: {Guard.Format(a._shape)} × {Guard.Format(b._shape)} ({k} columns against {bk} rows).", nameof(b));

        int[] batch;
        bool foldBatch = b.Dim == 2;  // [B..., M, K] × [K, N]: one sgemm with B·M rows
        if (foldBatch) batch = a._shape[..^2];
        else batch = Shapes.Broadcast(a._shape[..^2], b._shape[..^2], op);
        int[] shape = [.. batch, m, n];
        var result = Allocate(a.Device, shape, zero: false);

        int count = 1;
        foreach (int d in batch) count *= d;
        long[] aStrides = Shapes.BroadcastStrides(a._shape[..^2], batch), bStrides = Shapes.BroadcastStrides(b._shape[..^2], batch);
        long aMat = (long)m * k, bMat = (long)k * n, cMat = (long)m * n;
        int ldb = transposeB ? k : n;

        void ForEachBatch(Action<long, long, long> gemm)
        {
            if (foldBatch) { gemm(0, 0, 0); return; }
            var index = new int[batch.Length];
            for (int i = 0; i < count; i++)
            {
                long ao = 0, bo = 0;
                for (int d = 0; d < batch.Length; d++) { ao += index[d] * aStrides[d]; bo += index[d] * bStrides[d]; }
                gemm(ao * aMat, bo * bMat, i * cMat);
                for (int d = batch.Length - 1; d >= 0 && ++index[d] == batch[d]; d--) index[d] = 0;
            }
        }

        int rows = foldBatch ? count * m : m;
        var kernels = a.Kernels;
        ForEachBatch((ao, bo, co) => kernels.Gemm(false, transposeB, rows, n, k, 1f,
            a.Data.Slice(ao, (long)rows * k), k, b.Data.Slice(bo, bMat), ldb, 0f, result.Data.Slice(co, (long)rows * n), n));

        return Record(result, op, [a, b], (g, sink) =>
        {
            Tensor? da = sink[0], db = sink[1];
            ForEachBatch((ao, bo, co) =>
            {
                var gs = g.Data.Slice(co, (long)rows * n);
                // dA[rows×K] += g[rows×N] · op(B)ᵀ
                if (da is not null)
                    kernels.Gemm(false, !transposeB, rows, k, n, 1f, gs, n, b.Data.Slice(bo, bMat), ldb, 1f, da.Data.Slice(ao, (long)rows * k), k);
                // dB += A[rows×K]ᵀ · g  (or gᵀ · A when B was used transposed)
                if (db is not null)
                {
                    if (transposeB)
                        kernels.Gemm(true, false, n, k, rows, 1f, gs, n, a.Data.Slice(ao, (long)rows * k), k, 1f, db.Data.Slice(bo, bMat), k);
                    else
                        kernels.Gemm(true, false, k, n, rows, 1f, a.Data.Slice(ao, (long)rows * k), k, gs, n, 1f, db.Data.Slice(bo, bMat), n);
                }
            });
        });
    }

    private void CheckSameDevice(Tensor other, string op)
    {
        if (!ReferenceEquals(Device, other.Device))
            throw new InvalidOperationException($"{op}: the tensors are on different devices ({Device} and {other.Device}); move one with To(device).");
    }
}
