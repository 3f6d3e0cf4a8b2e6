using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ConvSharp.IO;

/// <summary>Named float32 CPU tensors in file order, with the file's string metadata: what
/// <see cref="SafeTensors.Load"/> returns (a PyTorch state_dict plus <c>__metadata__</c>). It owns the
/// tensors: they belong to no <see cref="Tensor.Scope"/>, and <see cref="Dispose"/> disposes them all,
/// so copy out what must outlive it (<see cref="Tensor.CopyFrom"/> into your own tensor).</summary>
public sealed class TensorDictionary : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _items;
    private readonly Dictionary<string, Tensor> _byName;

    internal TensorDictionary(List<(string Name, Tensor Tensor)> items, IReadOnlyDictionary<string, string> metadata)
    {
        _items = items;
        _byName = items.ToDictionary(i => i.Name, i => i.Tensor, StringComparer.Ordinal);
        Metadata = metadata;
    }

    /// <summary>The file's free-form string metadata (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="key"/>; <see cref="KeyNotFoundException"/> names it when absent.</summary>
    public Tensor this[string key] =>
        _byName.TryGetValue(key, out Tensor? t) ? t : throw new KeyNotFoundException($"There is no tensor named '{key}'.");

    /// <summary>The names, in file order.</summary>
    public IEnumerable<string> Keys => _items.Select(i => i.Name);

    /// <summary>The tensors, in file order.</summary>
    public IEnumerable<Tensor> Values => _items.Select(i => i.Tensor);

    /// <summary>The number of tensors.</summary>
    public int Count => _items.Count;

    /// <summary>Whether a tensor is named <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    /// <summary>The tensor named <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _byName.TryGetValue(key, out value);

    /// <summary>Name–tensor pairs in file order.</summary>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _items.Select(i => new KeyValuePair<string, Tensor>(i.Name, i.Tensor)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor. Safe to call twice.</summary>
    public void Dispose()
    {
        foreach (var (_, tensor) in _items) tensor.Dispose();
    }
}
