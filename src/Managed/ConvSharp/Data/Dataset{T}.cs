namespace ConvSharp.Data;

/// <summary>A finite, indexable set of items of any type (PyTorch's map-style <c>torch.utils.data.Dataset</c>:
/// <c>__len__</c> is <see cref="Count"/>, <c>__getitem__</c> is <see cref="Get"/> and the indexer).
/// <para>A <see cref="DataLoader"/> batches a dataset whose items are tensors — <c>Dataset&lt;Tensor&gt;</c>,
/// <c>Dataset&lt;Tensor[]&gt;</c>, <c>Dataset&lt;(Tensor, Tensor)&gt;</c> or <c>Dataset&lt;(Tensor, Tensor, Tensor)&gt;</c> — by
/// stacking each position of the items along a new first dimension (PyTorch's default collate). The image/label
/// datasets (<see cref="Dataset"/>: MNIST, CIFAR, <see cref="TensorDataset"/>, image folders) are
/// <c>Dataset&lt;(Tensor Image, float Label)&gt;</c> that write samples straight into batch storage.</para></summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class Dataset<T>
{
    /// <summary>The number of items.</summary>
    public abstract int Count { get; }

    /// <summary>Item <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>). Tensors an item holds belong to the
    /// caller (or the enclosing <see cref="Tensor.Scope"/>); a DataLoader disposes those it made once they are copied
    /// into the batch.</summary>
    public abstract T Get(int index);

    /// <summary>Item <paramref name="index"/>, as <see cref="Get"/> returns it.</summary>
    public T this[int index] => Get(index);
}
