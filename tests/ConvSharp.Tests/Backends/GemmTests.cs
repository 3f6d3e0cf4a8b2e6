using ConvSharp.Backends;

namespace ConvSharp.Tests.Backends;

public class GemmTests
{
    // float32 GEMM error bound: |fl(C) − C| ≤ γ·(Σ|alpha·a·b| + |beta·c|) with γ ≈ (k + 2)·u, u = 2⁻²⁴.
    // Twice that leaves room for OpenBLAS's blocked summation order; a wrong element misses by far more.
    private static double Tolerance(int k) => 2.0 * (k + 2) * Math.Pow(2, -24);

    public static TheoryData<int, int, int, bool, bool, float, float> Cases()
    {
        var data = new TheoryData<int, int, int, bool, bool, float, float>();
        (int m, int n, int k)[] shapes = [(37, 37, 37), (1, 53, 29), (64, 1, 17), (200, 7, 33), (5, 190, 61), (1, 1, 1), (96, 80, 257)];
        foreach (var (m, n, k) in shapes)
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
            data.Add(m, n, k, ta, tb, ta == tb ? 1f : -0.75f, tb ? 0.5f : 0f);
        data.Add(23, 31, 19, true, false, 2.5f, 1f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_matches_a_double_precision_triple_loop(int m, int n, int k, bool ta, bool tb, float alpha, float beta)
    {
        var rng = new Random(m * 1000 + n * 10 + k + (ta ? 7 : 0) + (tb ? 3 : 0));
        // Leading dimensions larger than the matrix, so strided access is exercised too.
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
        float[] a = Reference.RandomFloats(rng, (ta ? k : m) * lda);
        float[] b = Reference.RandomFloats(rng, (tb ? n : k) * ldb);
        float[] c = Reference.RandomFloats(rng, m * ldc);
        var (expected, scale) = Reference.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

        using var ta_ = Tensor.FromArray(a, a.Length);
        using var tb_ = Tensor.FromArray(b, b.Length);
        using var tc = Tensor.FromArray(c, c.Length);
        Device.Cpu.Kernels.Gemm(ta, tb, m, n, k, alpha, ta_.Data, lda, tb_.Data, ldb, beta, tc.Data, ldc);
        float[] actual = tc.ToArray();

        double tol = Tolerance(k);
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double err = Math.Abs(actual[i * ldc + j] - expected[i * n + j]);
            Assert.True(err <= tol * scale[i * n + j] + 1e-30,
                $"C[{i},{j}] = {actual[i * ldc + j]}, expected {expected[i * n + j]} (error {err}, bound {tol * scale[i * n + j]})");
        }
        // The padding column of each C row is outside the matrix and must be untouched.
        for (int i = 0; i < m; i++) Assert.Equal(c[i * ldc + n], actual[i * ldc + n]);
    }

    [Fact]
    public void MatMul_of_two_tensors_matches_the_reference()
    {
        var rng = new Random(5);
        float[] a = Reference.RandomFloats(rng, 13 * 41), b = Reference.RandomFloats(rng, 41 * 9);
        using var ta = Tensor.FromArray(a, 13, 41);
        using var tb = Tensor.FromArray(b, 41, 9);
        using var tc = Tensor.MatMul(ta, tb);
        Assert.Equal([13, 9], tc.Shape);
        var (expected, scale) = Reference.Gemm(false, false, 13, 9, 41, 1, a, 41, b, 9, 0, new float[13 * 9], 9);
        float[] actual = tc.ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= Tolerance(41) * scale[i], $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void MatMul_with_mismatched_inner_dimensions_names_both_shapes()
    {
        using var a = Tensor.Ones(2, 3);
        using var b = Tensor.Ones(4, 5);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Equal("b", e.ParamName);
        Assert.StartsWith("MatMul: inner dimensions differ: [2, 3] × [4, 5] (3 columns against 4 rows).", e.Message);
    }

    [Fact]
    public void MatMul_of_a_vector_names_the_shapes()
    {
        using var a = Tensor.Ones(4);
        using var b = Tensor.Ones(4, 5);
        var e = Assert.Throws<ArgumentException>(() => Tensor.MatMul(a, b));
        Assert.StartsWith("MatMul needs tensors with at least 2 dimensions, but got shapes [4] and [4, 5].", e.Message);
    }

    [Fact]
    public void Gemm_refuses_a_buffer_too_small_for_its_matrix_before_any_native_call()
    {
        using var a = Tensor.Ones(10);
        using var b = Tensor.Ones(12);
        using var c = Tensor.Ones(12);
        var e = Assert.Throws<ArgumentException>(() =>
            Device.Cpu.Kernels.Gemm(false, false, 3, 4, 4, 1f, a.Data, 4, b.Data, 4, 0f, c.Data, 4));
        Assert.Equal("a is a 3x4 matrix with leading dimension 4 and needs 12 floats, but holds 10. (Parameter 'a')", e.Message);
    }
}
