namespace ConvSharp.Tests;

public class TensorTests
{
    [Fact]
    public void FromArray_keeps_values_and_shape()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        using var t = Tensor.FromArray(data, 2, 3);
        data[0] = 100;  // the tensor holds a copy
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(6, t.Numel);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToArray());
    }

    [Fact]
    public void Shape_is_a_copy()
    {
        using var t = Tensor.Zeros(2, 3);
        t.Shape[0] = 7;
        Assert.Equal([2, 3], t.Shape);
    }

    [Fact]
    public void Zeros_ones_full_fill_every_element()
    {
        using var z = Tensor.Zeros(3, 5, 7);
        using var o = Tensor.Ones(4, 9);
        using var f = Tensor.Full([2, 2, 2], -2.5f);
        Assert.All(z.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(o.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(f.ToArray(), v => Assert.Equal(-2.5f, v));
        Assert.Equal(105, z.Numel);
    }

    [Fact]
    public void Rand_is_reproducible_from_its_seed_and_uniform_in_0_1()
    {
        using var a = Tensor.Rand([100_000], seed: 42);
        using var b = Tensor.Rand([100_000], seed: 42);
        using var c = Tensor.Rand([100_000], seed: 43);
        float[] va = a.ToArray();
        Assert.Equal(va, b.ToArray());
        Assert.NotEqual(va, c.ToArray());
        Assert.All(va, v => Assert.InRange(v, 0f, 0.99999995f));
        double mean = va.Average(v => (double)v);
        double variance = va.Average(v => (v - mean) * (v - mean));
        // U(0,1): mean 1/2, variance 1/12; with 1e5 samples the standard errors are ~1e-3 and ~3e-4.
        Assert.InRange(mean, 0.495, 0.505);
        Assert.InRange(variance, 1 / 12.0 - 0.002, 1 / 12.0 + 0.002);
    }

    [Fact]
    public void Randn_is_reproducible_and_standard_normal()
    {
        using var a = Tensor.Randn([100_000], seed: 7);
        using var b = Tensor.Randn([100_000], new Generator(7));
        float[] va = a.ToArray();
        Assert.Equal(va, b.ToArray());
        double mean = va.Average(v => (double)v);
        double variance = va.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.InRange(va.Count(v => Math.Abs(v) > 1.959964) / 1e5, 0.045, 0.055);  // two-sided 5% tail
    }

    [Fact]
    public void Reshape_is_a_view_over_the_same_storage()
    {
        using var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        using var v = t.Reshape(3, -1);
        Assert.Equal([3, 2], v.Shape);
        v.AsSpan()[4] = 50;
        Assert.Equal(50, t.ToArray()[4]);
    }

    [Fact]
    public void A_view_keeps_the_storage_alive_after_its_base_is_disposed()
    {
        var t = Tensor.FromArray([1, 2, 3, 4], 4);
        using var v = t.Reshape(2, 2);
        t.Dispose();
        Assert.Equal([1f, 2, 3, 4], v.ToArray());
    }

    [Fact]
    public void AsSpan_writes_reach_the_tensor_without_a_copy()
    {
        using var t = Tensor.Zeros(4);
        t.AsSpan()[2] = 3;
        Assert.Equal([0f, 0, 3, 0], t.ToArray());
    }

    [Fact]
    public void CopyFrom_and_Item()
    {
        using var t = Tensor.Zeros(1, 1, 3, 3);
        t.CopyFrom(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        Assert.Equal(5f, t.ToArray()[4]);
        using var s = Tensor.Full([1], 4.25f);
        Assert.Equal(4.25f, s.Item());
    }

    [Fact]
    public void Scope_disposes_what_was_made_inside_except_what_moved_out()
    {
        Tensor inner, kept, outside;
        outside = Tensor.Zeros(3);
        using (Tensor.Scope())
        {
            inner = Tensor.Zeros(3);
            kept = Tensor.Ones(3).MoveToOuterScope();
        }
        Assert.True(inner.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.False(outside.IsDisposed);
        Assert.Equal([1f, 1, 1], kept.ToArray());
        kept.Dispose();
        outside.Dispose();
    }

    [Fact]
    public void Nested_scopes_hand_moved_tensors_to_the_enclosing_scope()
    {
        Tensor moved;
        var outer = Tensor.Scope();
        using (Tensor.Scope())
        {
            moved = Tensor.Zeros(2).MoveToOuterScope();
        }
        Assert.False(moved.IsDisposed);
        Assert.Equal(1, outer.Count);
        outer.Dispose();
        Assert.True(moved.IsDisposed);
    }
}
