using System.Globalization;

namespace ConvSharp.Metrics;

/// <summary>Metrics over whole batches of tensors (torchmetrics' functional forms), computed on the host in double precision.</summary>
public static class Metric
{
    /// <summary>The fraction of rows of <paramref name="logits"/> [N, C] whose <paramref name="topK"/> largest scores
    /// include the class in <paramref name="labels"/> [N] (ties go to the lower index, as argmax does).</summary>
    /// <exception cref="ArgumentException">The shapes do not fit, <paramref name="topK"/> is outside 1..C, or a label is not a class index.</exception>
    public static double Accuracy(Tensor logits, Tensor labels, int topK = 1)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Dim != 2 || labels.Numel != logits.Size(0))
            throw new ArgumentException($"Accuracy needs logits [N, C] and labels [N], but got {Shape(logits)} and {Shape(labels)}.", nameof(logits));
        int n = logits.Size(0), c = logits.Size(1);
        if (topK < 1 || topK > c) throw new ArgumentOutOfRangeException(nameof(topK), $"topK must be in 1..{c}, but is {topK}.");
        float[] scores = logits.ToArray(), y = labels.ToArray();
        long hits = 0;
        for (int i = 0; i < n; i++)
        {
            float label = y[i];
            if (!(label >= 0 && label < c) || label != MathF.Floor(label))
                throw new ArgumentException($"Accuracy: label {label.ToString(CultureInfo.InvariantCulture)} of row {i} is not a class index in 0..{c - 1}.", nameof(labels));
            int target = (int)label;
            float s = scores[i * c + target];
            // The target is in the top k when fewer than k classes beat it (a class ranks above on a higher score, or an equal one at a lower index).
            int above = 0;
            for (int j = 0; j < c; j++)
            {
                float v = scores[i * c + j];
                if (v > s || (v == s && j < target)) above++;
            }
            if (above < topK) hits++;
        }
        return n == 0 ? 0 : (double)hits / n;
    }

    /// <summary>The confusion matrix of the argmax of <paramref name="logits"/> [N, C] against <paramref name="labels"/> [N].</summary>
    public static ConfusionMatrix ConfusionMatrix(Tensor logits, Tensor labels, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Dim != 2) throw new ArgumentException($"ConfusionMatrix needs logits [N, C], but got {Shape(logits)}.", nameof(logits));
        var m = classNames is null ? new ConfusionMatrix(logits.Size(1)) : new ConfusionMatrix(classNames);
        m.AddBatch(logits.ToArray(), labels.ToArray());
        return m;
    }

    /// <summary>Mean intersection over union for segmentation: <paramref name="predicted"/> holds class scores
    /// [N, C, H, W] (the argmax over C is taken) and <paramref name="target"/> class indices [N, H, W]; classes that
    /// neither occur nor are predicted are left out of the mean.</summary>
    public static double MeanIoU(Tensor predicted, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (predicted.Dim != 4 || target.Dim != 3 || target.Size(0) != predicted.Size(0) || target.Size(1) != predicted.Size(2) || target.Size(2) != predicted.Size(3))
            throw new ArgumentException($"MeanIoU needs scores [N, C, H, W] and labels [N, H, W], but got {Shape(predicted)} and {Shape(target)}.", nameof(predicted));
        int n = predicted.Size(0), c = predicted.Size(1), plane = predicted.Size(2) * predicted.Size(3);
        float[] s = predicted.ToArray();
        var classes = new float[n * plane];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < plane; p++)
            {
                int best = 0;
                for (int k = 1; k < c; k++) if (s[(i * c + k) * plane + p] > s[(i * c + best) * plane + p]) best = k;
                classes[i * plane + p] = best;
            }
        var m = new ConfusionMatrix(c);
        m.AddClasses(classes, target.ToArray());
        return m.MeanIoU;
    }

    /// <summary>Peak signal-to-noise ratio in dB: 10·log10(<paramref name="dataRange"/>² / MSE) over all elements
    /// (infinite when the two are equal).</summary>
    /// <exception cref="ArgumentException">The shapes differ, or <paramref name="dataRange"/> is not positive.</exception>
    public static double Psnr(Tensor prediction, Tensor target, double dataRange = 1.0)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.ShapeSpan.SequenceEqual(target.ShapeSpan))
            throw new ArgumentException($"Psnr needs two tensors of one shape, but got {Shape(prediction)} and {Shape(target)}.", nameof(prediction));
        if (!(dataRange > 0)) throw new ArgumentOutOfRangeException(nameof(dataRange), $"dataRange must be positive, but is {dataRange.ToString(CultureInfo.InvariantCulture)}.");
        float[] a = prediction.ToArray(), b = target.ToArray();
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        double mse = sum / Math.Max(1, a.Length);
        return 10 * Math.Log10(dataRange * dataRange / mse);
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.Shape) + "]";
}
