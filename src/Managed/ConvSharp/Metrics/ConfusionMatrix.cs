using System.Globalization;
using System.Text;

namespace ConvSharp.Metrics;

/// <summary>Counts of (actual class, predicted class) pairs, and what they give: accuracy, per-class precision,
/// recall, F1 and intersection over union, and their means (torchmetrics' <c>ConfusionMatrix</c> and friends).</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>An empty matrix over <paramref name="classNames"/> (the class count is their number).</summary>
    public ConfusionMatrix(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count < 1) throw new ArgumentException("A confusion matrix needs at least one class, but got none.", nameof(classNames));
        ClassNames = classNames;
        _counts = new long[classNames.Count, classNames.Count];
    }

    /// <summary>An empty matrix over classes named "0" to "<paramref name="numClasses"/> − 1".</summary>
    public ConfusionMatrix(int numClasses)
        : this(numClasses >= 1 ? Enumerable.Range(0, numClasses).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : throw new ArgumentOutOfRangeException(nameof(numClasses), $"A confusion matrix needs at least one class, but numClasses is {numClasses}."))
    {
    }

    /// <summary>The class names, in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of classes.</summary>
    public int Classes => ClassNames.Count;

    /// <summary>The number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>A copy of the counts, [actual, predicted].</summary>
    public long[,] Counts() => (long[,])_counts.Clone();

    /// <summary>Counts one sample.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class index is outside 0..Classes − 1.</exception>
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
        if (logits.Length != labels.Length * Classes)
            throw new ArgumentException($"AddBatch: {labels.Length} labels need {labels.Length * Classes} logits ({Classes} classes), but got {logits.Length}.", nameof(logits));
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * Classes, Classes);
            int best = 0;
            for (int c = 1; c < Classes; c++) if (row[c] > row[best]) best = c;
            Add(Label(labels[i]), best);
        }
    }

    /// <summary>Adds predicted and actual class indices, element by element (a segmentation map counts every pixel).</summary>
    public void AddClasses(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"AddClasses: {predicted.Length} predictions but {actual.Length} labels.", nameof(predicted));
        for (int i = 0; i < actual.Length; i++) Add(Label(actual[i]), Label(predicted[i]));
    }

    private int Label(float value)
    {
        if (!(value >= 0 && value < Classes) || value != MathF.Floor(value))
            throw new ArgumentOutOfRangeException(nameof(value), $"Class index {value.ToString(CultureInfo.InvariantCulture)} is not an integer in 0..{Classes - 1}.");
        return (int)value;
    }

    /// <summary>The fraction of samples on the diagonal (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += _counts[c, c];
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    private long Predicted(int c)
    {
        long n = 0;
        for (int a = 0; a < Classes; a++) n += _counts[a, c];
        return n;
    }

    private long Actual(int c)
    {
        long n = 0;
        for (int p = 0; p < Classes; p++) n += _counts[c, p];
        return n;
    }

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/> (0 when none were).</summary>
    public double Precision(int c)
    {
        long predicted = Predicted(c);
        return predicted == 0 ? 0 : (double)_counts[c, c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/> (0 when there were none).</summary>
    public double Recall(int c)
    {
        long actual = Actual(c);
        return actual == 0 ? 0 : (double)_counts[c, c] / actual;
    }

    /// <summary>The harmonic mean of precision and recall of class <paramref name="c"/>: 2·TP / (2·TP + FP + FN) (0 when both are 0).</summary>
    public double F1(int c)
    {
        long tp = _counts[c, c], denominator = Predicted(c) + Actual(c);
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    /// <summary>Intersection over union of class <paramref name="c"/>: TP / (TP + FP + FN); NaN when the class neither
    /// occurs nor is predicted (it is then left out of <see cref="MeanIoU"/>, as torchmetrics does).</summary>
    public double IoU(int c)
    {
        long tp = _counts[c, c], union = Predicted(c) + Actual(c) - tp;
        return union == 0 ? double.NaN : (double)tp / union;
    }

    /// <summary>The mean of <see cref="IoU"/> over the classes that occur or are predicted.</summary>
    public double MeanIoU
    {
        get
        {
            double sum = 0;
            int n = 0;
            for (int c = 0; c < Classes; c++)
                if (IoU(c) is var v && !double.IsNaN(v)) { sum += v; n++; }
            return n == 0 ? double.NaN : sum / n;
        }
    }

    /// <summary>The unweighted mean of <see cref="F1"/> over all classes (macro F1).</summary>
    public double MacroF1 => Enumerable.Range(0, Classes).Average(F1);

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
