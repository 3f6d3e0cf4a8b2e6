using System.Globalization;

using ConvSharp.Metrics;

namespace ConvSharp.Cli.Reporting;

internal static class Report
{
    /// <summary>Per-class precision and recall, then the confusion matrix, as aligned text.</summary>
    public static void PerClass(TextWriter output, ConfusionMatrix m)
    {
        int width = Math.Max(12, m.ClassNames.Max(n => n.Length) + 1);
        output.WriteLine($"{"class".PadRight(width)} precision  recall      F1");
        for (int c = 0; c < m.Classes; c++)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.ClassNames[c].PadRight(width)} {m.Precision(c),9:P1} {m.Recall(c),7:P1} {m.F1(c),7:P1}"));
        output.WriteLine("confusion matrix (rows: actual, columns: predicted, in class order):");
        for (int a = 0; a < m.Classes; a++)
            output.WriteLine(m.ClassNames[a].PadRight(width) + string.Concat(Enumerable.Range(0, m.Classes).Select(p => m[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(6))));
    }
}
