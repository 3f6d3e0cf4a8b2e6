using System.Globalization;
using System.Text;

namespace ConvSharp;

/// <summary>How <see cref="Tensor.ToString()"/> prints values (PyTorch's <c>torch.set_printoptions</c>); process-wide.</summary>
public static class PrintOptions
{
    /// <summary>Digits after the decimal point (default 4).</summary>
    public static int Precision { get; set; } = 4;

    /// <summary>Tensors with more elements than this are summarised with "..." (default 1000).</summary>
    public static int Threshold { get; set; } = 1000;

    /// <summary>Items shown at each end of a summarised dimension (default 3).</summary>
    public static int EdgeItems { get; set; } = 3;

    /// <summary>Scientific notation: null picks it like PyTorch (values ≥ 1e8, non-zero values &lt; 1e-4, or a ratio of
    /// more than 1000 between the largest and smallest non-zero magnitude); true or false forces it.</summary>
    public static bool? SciMode { get; set; }

    /// <summary>Sets several options at once; null leaves one unchanged.</summary>
    public static void Set(int? precision = null, int? threshold = null, int? edgeItems = null, bool? sciMode = null)
    {
        if (precision is < 0) throw new ArgumentOutOfRangeException(nameof(precision), precision, "precision must not be negative.");
        if (threshold is < 0) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must not be negative.");
        if (edgeItems is < 1) throw new ArgumentOutOfRangeException(nameof(edgeItems), edgeItems, "edgeItems must be at least 1.");
        Precision = precision ?? Precision;
        Threshold = threshold ?? Threshold;
        EdgeItems = edgeItems ?? EdgeItems;
        SciMode = sciMode ?? SciMode;
    }

    /// <summary>Back to PyTorch's defaults (precision 4, threshold 1000, 3 edge items, automatic scientific mode).</summary>
    public static void Reset()
    {
        Precision = 4;
        Threshold = 1000;
        EdgeItems = 3;
        SciMode = null;
    }
}

public partial class Tensor
{
    /// <summary>The values like PyTorch prints them, then shape, device and autograd state:
    /// <c>tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], device=cpu, requires_grad=True)</c>.
    /// More than <see cref="PrintOptions.Threshold"/> elements are summarised with "..."
    /// (<see cref="PrintOptions.EdgeItems"/> at each end).</summary>
    public override string ToString() => ToString(null);

    /// <summary>As <see cref="ToString()"/> with a .NET numeric format for the values ("F2", "E3", "G6"); null or
    /// empty uses <see cref="PrintOptions"/>.</summary>
    public string ToString(string? format)
    {
        if (IsDisposed) return $"Tensor{Guard.Format(_shape)} (disposed)";
        float[] values = ToArray();
        var formatter = new ValueFormatter(values, format);
        bool summarise = values.Length > PrintOptions.Threshold;
        var text = new StringBuilder("tensor(");
        if (Dim == 0) text.Append(formatter.Format(values[0]));
        else AppendDim(text, values, 0, 0, formatter, summarise, indent: "tensor(".Length);
        text.Append(", shape=").Append(Guard.Format(_shape)).Append(", device=").Append(Device.Name);
        if (GradFn is { } fn) text.Append(", grad_fn=<").Append(fn.Name).Append('>');
        else if (RequiresGrad) text.Append(", requires_grad=True");
        return text.Append(')').ToString();
    }

    /// <summary>Writes <see cref="ToString(string)"/> and a newline to the console.</summary>
    public void Print(string? format = null) => Console.WriteLine(ToString(format));

    private void AppendDim(StringBuilder text, float[] values, int dim, long offset, ValueFormatter f, bool summarise, int indent)
    {
        int size = _shape[dim];
        long stride = Strides[dim];
        int edge = PrintOptions.EdgeItems;
        bool cut = summarise && size > 2 * edge;
        text.Append('[');
        bool last = dim == Dim - 1;
        for (int i = 0; i < size; i++)
        {
            if (cut && i == edge)
            {
                text.Append(last ? "..., " : "...," + new string('\n', Dim - dim - 1) + new string(' ', indent + dim + 1));
                i = size - edge - 1;
                continue;
            }
            if (last) text.Append(f.Format(values[offset + i * stride]));
            else AppendDim(text, values, dim + 1, offset + i * stride, f, summarise, indent);
            if (i < size - 1)
                text.Append(last ? ", " : "," + new string('\n', Dim - dim - 1) + new string(' ', indent + dim + 1));
        }
        text.Append(']');
    }

    /// <summary>One width and one notation for every value of a tensor, chosen like PyTorch's _Formatter (always the
    /// set precision, so 1 prints as 1.0000, as the example shows, where PyTorch would print "1.").</summary>
    private sealed class ValueFormatter
    {
        private readonly string _format;
        private readonly int _width;

        public ValueFormatter(float[] values, string? format)
        {
            double maxAbs = 0, minAbs = double.PositiveInfinity;
            bool integers = true;
            foreach (float v in values)
            {
                if (float.IsFinite(v) && v != MathF.Round(v)) integers = false;
                if (!float.IsFinite(v) || v == 0) continue;
                double a = Math.Abs(v);
                maxAbs = Math.Max(maxAbs, a);
                minAbs = Math.Min(minAbs, a);
            }
            // Whole numbers switch to scientific notation only past 1e8, as in PyTorch's integer mode.
            bool sci = PrintOptions.SciMode ?? (maxAbs > 0 && (maxAbs >= 1e8 || (!integers && (minAbs < 1e-4 || maxAbs / minAbs > 1000))));
            _format = !string.IsNullOrEmpty(format) ? format
                : sci ? "0." + new string('0', PrintOptions.Precision) + "e+00"
                : "F" + PrintOptions.Precision.ToString(CultureInfo.InvariantCulture);
            int width = 0;
            foreach (float v in values) width = Math.Max(width, Raw(v).Length);
            _width = width;
        }

        private string Raw(float v)
        {
            if (float.IsNaN(v)) return "nan";
            if (float.IsPositiveInfinity(v)) return "inf";
            if (float.IsNegativeInfinity(v)) return "-inf";
            return v.ToString(_format, CultureInfo.InvariantCulture);
        }

        public string Format(float v) => Raw(v).PadLeft(_width);
    }
}
