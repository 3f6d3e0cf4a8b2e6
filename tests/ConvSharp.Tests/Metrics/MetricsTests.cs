using ConvSharp.Metrics;

namespace ConvSharp.Tests.Metrics;

/// <summary>ConvSharp.Metrics against references written here: top-k by sorting each row, per-class counts by
/// hand, PSNR from a double-precision loop.</summary>
public class MetricsTests
{
    [Fact]
    public void Top_k_accuracy_matches_sorting_each_row()
    {
        var rng = new Random(11);
        int n = 40, c = 6;
        float[] scores = Enumerable.Range(0, n * c).Select(_ => (float)Math.Round(rng.NextDouble() * 4, 1)).ToArray();  // rounded: ties happen
        float[] labels = Enumerable.Range(0, n).Select(_ => (float)rng.Next(c)).ToArray();
        using var logits = Tensor.FromArray(scores, n, c);
        using var y = Tensor.FromArray(labels, n);
        for (int k = 1; k <= c; k++)
        {
            int hits = 0;
            for (int i = 0; i < n; i++)
            {
                // Descending score, ties to the lower index (torch.topk's order on ties is unspecified; argmax takes the first).
                int[] order = Enumerable.Range(0, c).OrderByDescending(j => scores[i * c + j]).ThenBy(j => j).ToArray();
                if (order.Take(k).Contains((int)labels[i])) hits++;
            }
            Assert.Equal((double)hits / n, Metric.Accuracy(logits, y, topK: k));
        }
        Assert.Equal(1.0, Metric.Accuracy(logits, y, topK: c));
        Assert.Equal("topK must be in 1..6, but is 7. (Parameter 'topK')", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.Accuracy(logits, y, 7)).Message);
        using var bad = Tensor.FromArray([0f, 2.5f], 2);
        using var two = Tensor.FromArray(new float[12], 2, 6);
        Assert.StartsWith("Accuracy: label 2.5 of row 1 is not a class index in 0..5.", Assert.Throws<ArgumentException>(() => Metric.Accuracy(two, bad)).Message);
    }

    [Fact]
    public void Precision_recall_f1_and_iou_follow_the_counts()
    {
        // actual \ predicted: class 0: 5 right, 1 as class 1; class 1: 2 as class 0, 3 right; class 2: 4 right; nothing predicted as 3, no 3s.
        var m = new ConfusionMatrix(["a", "b", "c", "d"]);
        foreach (var (a, p, times) in new[] { (0, 0, 5), (0, 1, 1), (1, 0, 2), (1, 1, 3), (2, 2, 4) })
            for (int i = 0; i < times; i++) m.Add(a, p);
        Assert.Equal(15, m.Total);
        Assert.Equal(12.0 / 15, m.Accuracy);
        Assert.Equal(5.0 / 7, m.Precision(0));
        Assert.Equal(5.0 / 6, m.Recall(0));
        Assert.Equal(2 * 5.0 / (2 * 5 + 2 + 1), m.F1(0), 12);
        Assert.Equal(3.0 / 4, m.Precision(1));
        Assert.Equal(2 * 3.0 / (2 * 3 + 1 + 2), m.F1(1), 12);
        Assert.Equal(1.0, m.F1(2));
        Assert.Equal(0.0, m.F1(3));
        Assert.Equal(5.0 / 8, m.IoU(0), 12);
        Assert.Equal(3.0 / 6, m.IoU(1), 12);
        Assert.True(double.IsNaN(m.IoU(3)));
        Assert.Equal((5.0 / 8 + 3.0 / 6 + 1.0) / 3, m.MeanIoU, 12);  // class 3 never occurs: left out
        Assert.Equal((m.F1(0) + m.F1(1) + 1.0 + 0.0) / 4, m.MacroF1, 12);
        Assert.Equal("actual\\predicted,a,b,c,d\na,5,1,0,0\nb,2,3,0,0\nc,0,0,4,0\nd,0,0,0,0\n", m.ToCsv());
        Assert.StartsWith("Class (4, 0) is outside 0..3.", Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(4, 0)).Message);
    }

    [Fact]
    public void Mean_iou_of_a_segmentation_counts_every_pixel()
    {
        // Two classes on a 1×2×2×2 score map: argmax gives [[0, 1], [1, 1]]; the labels are [[0, 0], [1, 1]].
        using var scores = Tensor.FromArray([2f, 0f, 0f, 0f, /* class 1 */ 1f, 3f, 1f, 1f], 1, 2, 2, 2);
        using var labels = Tensor.FromArray([0f, 0f, 1f, 1f], 1, 2, 2);
        // class 0: TP 1, FN 1, FP 0 → 1/2; class 1: TP 2, FP 1 → 2/3.
        Assert.Equal((0.5 + 2.0 / 3) / 2, Metric.MeanIoU(scores, labels), 12);
        using var wrong = Tensor.FromArray(new float[4], 1, 4);
        Assert.StartsWith("MeanIoU needs scores [N, C, H, W] and labels [N, H, W], but got [1, 2, 2, 2] and [1, 4].",
            Assert.Throws<ArgumentException>(() => Metric.MeanIoU(scores, wrong)).Message);
    }

    [Fact]
    public void Psnr_matches_a_double_precision_loop()
    {
        var rng = new Random(4);
        float[] a = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] b = a.Select(v => v + (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
        double mse = 0;
        for (int i = 0; i < a.Length; i++) mse += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        mse /= a.Length;
        using var x = Tensor.FromArray(a, 3, 10, 10);
        using var y = Tensor.FromArray(b, 3, 10, 10);
        Assert.Equal(10 * Math.Log10(1 / mse), Metric.Psnr(x, y), 10);
        Assert.Equal(10 * Math.Log10(255.0 * 255 / mse), Metric.Psnr(x, y, 255), 10);
        Assert.True(double.IsPositiveInfinity(Metric.Psnr(x, x)));
        Assert.StartsWith("dataRange must be positive, but is 0.", Assert.Throws<ArgumentOutOfRangeException>(() => Metric.Psnr(x, y, 0)).Message);
    }
}
