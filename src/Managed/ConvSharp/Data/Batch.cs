using System.Collections;

namespace ConvSharp.Data;

/// <summary>One batch from a <see cref="DataLoader"/>: one tensor per position of the dataset's items, each with the
/// batch as its first dimension (images [N, C, H, W] and labels [N] for an image/label dataset; all the tensors of a
/// <see cref="TensorDataset"/>). Deconstructs into as many variables as it holds tensors:
/// <c>foreach (var (x, y) in loader)</c>, <c>foreach (var (noisy, clean) in loader)</c>, <c>var (a, b, c) = batch</c>.</summary>
public sealed class Batch : IReadOnlyList<Tensor>, IDisposable
{
    private readonly Tensor[] _tensors;

    internal Batch(Tensor[] tensors) => _tensors = tensors;

    /// <summary>How many tensors the batch holds.</summary>
    public int Count => _tensors.Length;

    /// <summary>Tensor <paramref name="index"/> of the batch.</summary>
    public Tensor this[int index] => _tensors[index];

    /// <summary>The first tensor (the images or the input).</summary>
    public Tensor Images => _tensors[0];

    /// <summary>The second tensor (the labels or the target).</summary>
    public Tensor Labels => Second();

    /// <summary>The first tensor: what the model takes.</summary>
    public Tensor Input => _tensors[0];

    /// <summary>The second tensor: what the loss compares the output with.</summary>
    public Tensor Target => Second();

    /// <summary>A batch of two tensors.</summary>
    public void Deconstruct(out Tensor first, out Tensor second)
    {
        Expect(2);
        (first, second) = (_tensors[0], _tensors[1]);
    }

    /// <summary>A batch of three tensors.</summary>
    public void Deconstruct(out Tensor first, out Tensor second, out Tensor third)
    {
        Expect(3);
        (first, second, third) = (_tensors[0], _tensors[1], _tensors[2]);
    }

    /// <summary>A batch of four tensors.</summary>
    public void Deconstruct(out Tensor first, out Tensor second, out Tensor third, out Tensor fourth)
    {
        Expect(4);
        (first, second, third, fourth) = (_tensors[0], _tensors[1], _tensors[2], _tensors[3]);
    }

    /// <summary>Disposes every tensor of the batch (what the enclosing <see cref="Tensor.Scope"/> does otherwise).</summary>
    public void Dispose()
    {
        foreach (Tensor t in _tensors) t.Dispose();
    }

    /// <inheritdoc />
    public IEnumerator<Tensor> GetEnumerator() => ((IEnumerable<Tensor>)_tensors).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _tensors.GetEnumerator();

    internal Tensor[] Tensors => _tensors;

    private Tensor Second()
    {
        if (_tensors.Length < 2) throw new InvalidOperationException($"This batch holds {_tensors.Length} tensor; it has no second one (no labels or target).");
        return _tensors[1];
    }

    private void Expect(int n)
    {
        if (_tensors.Length != n)
            throw new InvalidOperationException(
                $"This batch holds {_tensors.Length} tensors, so it deconstructs into {_tensors.Length} variables, not {n} " +
                $"(the dataset's items have {_tensors.Length} tensors each).");
    }
}
