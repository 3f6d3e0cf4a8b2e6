namespace ConvSharp;

/// <summary>Shape arithmetic shared by the ops: strides, broadcasting, axis lists.</summary>
internal static class Shapes
{
    public static long[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /// <summary>NumPy/PyTorch broadcasting: align trailing dimensions; each pair must be equal or one of them 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {Guard.Format(a)} and {Guard.Format(b)} cannot be broadcast together " +
                    $"(dimension {i} of the result: {da} against {db}; each pair must be equal or one of them 1).");
            result[i] = Math.Max(da, db);
        }
        return result;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/> as if it had <paramref name="target"/>'s
    /// shape (trailing alignment; 0 where the tensor has size 1 or lacks the dimension).</summary>
    public static long[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        long[] own = ContiguousStrides(shape);
        var strides = new long[target.Length];
        int lead = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            int j = i - lead;
            strides[i] = j < 0 || shape[j] == 1 ? 0 : own[j];
        }
        return strides;
    }

    /// <summary>The shape with every reduced dimension set to 1.</summary>
    public static int[] KeepDims(ReadOnlySpan<int> shape, bool[] reduced)
    {
        var result = shape.ToArray();
        for (int d = 0; d < result.Length; d++) if (reduced[d]) result[d] = 1;
        return result;
    }

    /// <summary>Normalizes a list of dimensions (negatives count from the end) into a mask; empty = all.</summary>
    public static bool[] DimMask(ReadOnlySpan<int> shape, ReadOnlySpan<int> dims, string op)
    {
        var mask = new bool[shape.Length];
        if (dims.Length == 0) { Array.Fill(mask, true); return mask; }
        foreach (int dim in dims)
        {
            int d = dim < 0 ? dim + shape.Length : dim;
            if (d < 0 || d >= shape.Length)
                throw new ArgumentOutOfRangeException(nameof(dims), dim, $"{op}: dimension {dim} is out of range for shape {Guard.Format(shape)}.");
            if (mask[d]) throw new ArgumentException($"{op}: dimension {dim} appears twice.", nameof(dims));
            mask[d] = true;
        }
        return mask;
    }

    public static int[] WithoutMasked(ReadOnlySpan<int> shape, bool[] mask)
    {
        var result = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++) if (!mask[d]) result.Add(shape[d]);
        return result.ToArray();
    }
}
