using System.Globalization;
using System.Text;

namespace ConvSharp.Cli.Reporting;

/// <summary>Counts of (actual class, predicted class) pairs, with accuracy and per-class precision/recall.</summary>
internal sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    public ConfusionMatrix(IReadOnlyList<string> classNames)
    {
        ClassNames = classNames;
        _counts = new long[classNames.Count, classNames.Count];
    }

    public IReadOnlyList<string> ClassNames { get; }

    public int Classes => ClassNames.Count;

    public long Total { get; private set; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>A copy of the counts.</summary>
    public long[,] Counts() => (long[,])_counts.Clone();

    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(actual), $"Class ({actual}, {predicted}) is outside 0..{Classes - 1}.");
        _counts[actual, predicted]++;
        Total++;
    }

    /// <summary>Adds a batch: predicted classes are the argmax of each row of <paramref name="logits"/> [N, classes].</summary>
    public void AddBatch(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * Classes, Classes);
            int best = 0;
            for (int c = 1; c < Classes; c++) if (row[c] > row[best]) best = c;
            Add((int)labels[i], best);
        }
    }

    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += _counts[c, c];
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/> (0 when none were).</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (int a = 0; a < Classes; a++) predicted += _counts[a, c];
        return predicted == 0 ? 0 : (double)_counts[c, c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/> (0 when there were none).</summary>
    public double Recall(int c)
    {
        long actual = 0;
        for (int p = 0; p < Classes; p++) actual += _counts[c, p];
        return actual == 0 ? 0 : (double)_counts[c, c] / actual;
    }

    /// <summary>The matrix as CSV: a header of predicted class names, one row per actual class.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("actual\\predicted," + string.Join(',', ClassNames.Select(Quote)) + "\n");
        for (int a = 0; a < Classes; a++)
        {
            sb.Append(Quote(ClassNames[a]));
            for (int p = 0; p < Classes; p++) sb.Append(',').Append(_counts[a, p].ToString(CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
