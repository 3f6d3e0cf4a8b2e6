namespace ConvSharp.Tests;

public class BadInputTests
{
    [Fact]
    public void FromArray_with_the_wrong_data_length_names_the_shape_and_both_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[24], 2, 3, 5));
        Assert.Equal("data", e.ParamName);
        Assert.Equal("data has 24 values, but shape [2, 3, 5] needs 30. (Parameter 'data')", e.Message);
    }

    [Theory]
    [InlineData(new[] { 2, -1, 3 }, 1, -1)]
    [InlineData(new[] { 0, 4 }, 0, 0)]
    [InlineData(new[] { 5, 5, 0 }, 2, 0)]
    public void Negative_or_zero_dimensions_are_refused_with_the_shape(int[] shape, int dim, int value)
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(shape));
        Assert.StartsWith($"Shape {"[" + string.Join(", ", shape) + "]"} has dimension {dim} = {value}; every dimension must be at least 1.", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[4], shape));
        Assert.StartsWith("Shape [", e2.Message);
    }

    [Fact]
    public void Null_data_or_shape_is_refused()
    {
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => Tensor.FromArray(null!, 1)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Tensor.Zeros(null!)).ParamName);
    }

    [Fact]
    public void Reshape_to_a_different_element_count_names_both_shapes()
    {
        using var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.StartsWith("Cannot reshape a tensor of shape [2, 3] (6 elements) to [4, 2] (8 elements).", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => t.Reshape(4, -1));
        Assert.StartsWith("Cannot reshape a tensor of shape [2, 3] (6 elements) to [4, -1].", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => t.Reshape(-1, -1));
        Assert.StartsWith("Reshape to [-1, -1]: only one dimension can be -1.", e3.Message);
    }

    [Fact]
    public void CopyFrom_with_the_wrong_length_names_the_shape()
    {
        using var t = Tensor.Zeros(3, 3);
        var e = Assert.Throws<ArgumentException>(() => t.CopyFrom(new float[8]));
        Assert.StartsWith("CopyFrom got 8 values, but this tensor of shape [3, 3] holds 9.", e.Message);
    }

    [Fact]
    public void Item_on_a_tensor_of_many_elements_names_its_shape()
    {
        using var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<InvalidOperationException>(() => t.Item());
        Assert.Equal("Item() needs a tensor with one element, but this one has shape [2, 3] (6 elements).", e.Message);
    }

    [Fact]
    public void A_disposed_tensor_throws_on_every_use()
    {
        var t = Tensor.Ones(2, 2);
        using var other = Tensor.Ones(2, 2);
        t.Dispose();
        t.Dispose();  // twice is fine
        Assert.True(t.IsDisposed);
        string message = "This tensor of shape [2, 2] was disposed.";
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.ToArray()).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.AsSpan()).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.Item()).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.Reshape(4)).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.CopyFrom(new float[4])).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => t.MatMul(other)).Message);
        Assert.Contains(message, Assert.Throws<ObjectDisposedException>(() => other.MatMul(t)).Message);
        Assert.Equal("Tensor[2, 2] (disposed)", t.ToString());
    }

    [Fact]
    public void Blas_thread_count_must_be_positive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Blas.NumThreads = 0);
        Assert.StartsWith("value must be at least 1, but is 0.", e.Message);
    }
}
