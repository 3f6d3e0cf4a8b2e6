namespace ConvSharp.Data;

/// <summary>The per-item shapes of every tensor one sample contributes to a batch (the batch dimension excluded):
/// [C, H, W] and [] for an image and its label. Equal when every field's shape is equal, so the
/// <see cref="DataLoader"/> can bucket samples by it.</summary>
internal sealed class SampleShape : IEquatable<SampleShape>
{
    private readonly int[][] _fields;

    public SampleShape(int[][] fields) => _fields = fields;

    public static SampleShape ImageAndLabel(ImageShape image) => new([[image.Channels, image.Height, image.Width], []]);

    public int Count => _fields.Length;

    public int[] this[int field] => _fields[field];

    /// <summary>Floats one sample writes into field <paramref name="field"/>.</summary>
    public long Length(int field)
    {
        long n = 1;
        foreach (int d in _fields[field]) n *= d;
        return n;
    }

    /// <summary>The field as a C×H×W image: [C, H, W], or [H, W] as one channel.</summary>
    public ImageShape Image(int field)
    {
        int[] s = _fields[field];
        return s.Length switch
        {
            3 => new ImageShape(s[0], s[1], s[2]),
            2 => new ImageShape(1, s[0], s[1]),
            _ => throw new InvalidOperationException($"Items of shape {Guard.Format(s)} are not images ([C, H, W] or [H, W])."),
        };
    }

    public bool Equals(SampleShape? other)
    {
        if (other is null || other._fields.Length != _fields.Length) return false;
        for (int i = 0; i < _fields.Length; i++)
            if (!_fields[i].AsSpan().SequenceEqual(other._fields[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as SampleShape);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int[] f in _fields)
        {
            hash.Add(f.Length);
            foreach (int d in f) hash.Add(d);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _fields.Select(f => Guard.Format(f)));
}
