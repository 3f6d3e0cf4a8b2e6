using ScottPlot;

namespace ConvSharp.Imaging;

/// <summary>One named line of a <see cref="Plots.Lines"/> chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values (e.g. epochs).</param>
/// <param name="Y">Y values, as many as <paramref name="X"/>.</param>
public sealed record PlotSeries(string Name, double[] X, double[] Y);

/// <summary>PNG charts for training runs: curves (loss, accuracy per epoch) and confusion-matrix heatmaps.</summary>
public static class Plots
{
    /// <summary>Writes a line chart with markers to <paramref name="path"/> (PNG). The legend sits outside the data, to
    /// the right; integral x values (epochs) get integer ticks only; <paramref name="markX"/>, when given, is marked
    /// with a dashed vertical line labelled "kept" (the epoch whose weights were kept).</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, int width = 800, int height = 500,
        int? markX = null)
    {
        using Plot plot = LinesPlot(title, xLabel, yLabel, series, markX);
        plot.SavePng(path, width, height);
    }

    /// <summary>The chart <see cref="Lines"/> saves (tests read its layout to check pixels).</summary>
    internal static Plot LinesPlot(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, int? markX)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        foreach (PlotSeries s in series)
        {
            if (s.X.Length != s.Y.Length)
                throw new ArgumentException($"Series '{s.Name}' has {s.X.Length} x values but {s.Y.Length} y values.", nameof(series));
            var scatter = plot.Add.Scatter(s.X, s.Y);
            scatter.LegendText = s.Name;
            scatter.MarkerSize = 6;
            scatter.LineWidth = 2;
        }
        double[] xs = series.SelectMany(s => s.X).Where(double.IsFinite).ToArray();
        if (xs.Length > 0 && xs.All(x => x == Math.Round(x)))
        {
            // Epochs are whole numbers: ticks at integers only, thinned to about ten.
            int lo = (int)xs.Min(), hi = (int)xs.Max();
            int step = Math.Max(1, (int)Math.Ceiling((hi - lo + 1) / 10.0));
            double[] ticks = Enumerable.Range(0, (hi - lo) / step + 1).Select(i => (double)(lo + i * step)).ToArray();
            plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(lo - 0.5, hi + 0.5);
        }
        if (markX is int mark)
        {
            var line = plot.Add.VerticalLine(mark);
            line.LinePattern = LinePattern.Dashed;
            line.LineColor = Colors.Gray;
            line.LegendText = $"kept (epoch {mark})";
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Writes a confusion-matrix heatmap (rows: actual class, columns: predicted class) with each
    /// cell's count printed on it.</summary>
    public static void Confusion(string path, long[,] counts, IReadOnlyList<string> classNames, string title = "Confusion matrix")
    {
        using Plot plot = ConfusionPlot(counts, classNames, title);
        plot.SavePng(path, 900, 800);
    }

    /// <summary>The heatmap <see cref="Confusion"/> saves.</summary>
    internal static Plot ConfusionPlot(long[,] counts, IReadOnlyList<string> classNames, string title)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        int n = classNames.Count;
        if (counts.GetLength(0) != n || counts.GetLength(1) != n)
            throw new ArgumentException($"A {counts.GetLength(0)}x{counts.GetLength(1)} matrix does not match {n} class names.", nameof(counts));
        var values = new double[n, n];
        long max = 1;
        for (int a = 0; a < n; a++) for (int p = 0; p < n; p++) { values[a, p] = counts[a, p]; max = Math.Max(max, counts[a, p]); }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        // Viridis (perceptually uniform, what matplotlib and seaborn users expect), reversed so the large counts of a good
        // classifier's diagonal are dark.
        heatmap.Colormap = new Reversed(new ScottPlot.Colormaps.Viridis());
        // Heatmap cell (row r, column c) is centred at x = c, y = n − 1 − r.
        for (int a = 0; a < n; a++)
            for (int p = 0; p < n; p++)
            {
                var text = plot.Add.Text(counts[a, p].ToString(System.Globalization.CultureInfo.InvariantCulture), p, n - 1 - a);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = counts[a, p] > max / 2 ? Colors.White : Colors.Black;  // dark cells get white counts
                text.LabelFontSize = 11;
            }
        double[] ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, classNames.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;  // room for the rotated class names
        plot.Axes.Left.SetTicks(ticks, classNames.Reverse().ToArray());
        plot.Add.ColorBar(heatmap);
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("actual");
        return plot;
    }

    /// <summary>A colormap read from its other end.</summary>
    private sealed class Reversed(IColormap inner) : IColormap
    {
        public string Name => inner.Name + " (reversed)";

        public Color GetColor(double normalizedIntensity) => inner.GetColor(1 - normalizedIntensity);
    }
}
