using ConvSharp.NN;
using ConvSharp.Tests.Ops;

namespace ConvSharp.Tests.NN;

/// <summary>The whole 29,066-parameter network of DESIGN.md: its gradient (conv, ReLU, max pool, flatten,
/// linear, cross-entropy, through the tape) against central differences of a double-precision
/// re-implementation written here with plain loops.</summary>
public class NetworkGradientTests
{
    private static Sequential Network() => new(
        new Conv2d(1, 16, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
        new Conv2d(16, 32, 3, padding: 1, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, generator: new Generator(3)), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 3 * 3, 10, generator: new Generator(4)));

    private static double[] ReluPool(double[] x, int n, int c, int h, int w)
    {
        int oh = h / 2, ow = w / 2;
        var y = new double[n * c * oh * ow];
        for (int i = 0; i < n * c; i++)
            for (int a = 0; a < oh; a++)
                for (int b = 0; b < ow; b++)
                {
                    double m = double.NegativeInfinity;
                    for (int r = 0; r < 2; r++) for (int s = 0; s < 2; s++) m = Math.Max(m, x[(i * h + 2 * a + r) * w + 2 * b + s]);
                    y[(i * oh + a) * ow + b] = Math.Max(m, 0);  // relu then max = max then relu
                }
        return y;
    }

    /// <summary>Mean cross-entropy of the network in double; p holds the 8 parameter tensors in state_dict order.</summary>
    private static double Loss(double[][] p, double[] x, int[] labels)
    {
        int n = labels.Length;
        double[] a = ConvTests.Reference(x, p[0], p[1], n, 1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, out _, out _);
        a = ReluPool(a, n, 16, 28, 28);
        a = ConvTests.Reference(a, p[2], p[3], n, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, out _, out _);
        a = ReluPool(a, n, 32, 14, 14);
        a = ConvTests.Reference(a, p[4], p[5], n, 32, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, out _, out _);
        a = ReluPool(a, n, 64, 7, 7);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var logits = new double[10];
            for (int o = 0; o < 10; o++)
            {
                double s = p[7][o];
                for (int f = 0; f < 576; f++) s += p[6][o * 576 + f] * a[i * 576 + f];
                logits[o] = s;
            }
            double max = logits.Max(), lse = max + Math.Log(logits.Sum(v => Math.Exp(v - max)));
            total += lse - logits[labels[i]];
        }
        return total / n;
    }

    [Fact]
    public void Gradients_of_the_whole_network_match_finite_differences()
    {
        using var model = Network();
        Assert.Equal(29066, model.ParameterCount());
        float[] xv = OpCheck.Random(7, 2 * 28 * 28, 0f, 1f);
        int[] labels = [3, 8];
        using var x = Tensor.FromArray(xv, 2, 1, 28, 28);
        using var target = Tensor.FromArray(labels.Select(l => (float)l).ToArray(), 2);
        using (var scope = Tensor.Scope())
            new CrossEntropyLoss().Forward(model.Forward(x), target).Backward();

        Parameter[] parameters = model.Parameters().ToArray();
        double[][] p = parameters.Select(t => t.ToArray().Select(v => (double)v).ToArray()).ToArray();
        double[] xd = xv.Select(v => (double)v).ToArray();
        double loss = Loss(p, xd, labels);
        using (var scope = Tensor.Scope())
            Assert.Equal(loss, new CrossEntropyLoss().Forward(model.Forward(x), target).Item(), 4);

        // Eight elements of every parameter tensor, chosen at random, by central differences.
        var rng = new Random(11);
        for (int t = 0; t < p.Length; t++)
        {
            float[] analytic = parameters[t].Grad!.ToArray();
            double scale = analytic.Max(v => Math.Abs((double)v));
            for (int trial = 0; trial < 8; trial++)
            {
                int j = rng.Next(p[t].Length);
                double saved = p[t][j];
                const double h = 1e-6;
                p[t][j] = saved + h;
                double plus = Loss(p, xd, labels);
                p[t][j] = saved - h;
                double minus = Loss(p, xd, labels);
                p[t][j] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(analytic[j] - numeric) <= 1e-3 * (Math.Abs(numeric) + 0.01 * scale) + 1e-7,
                    $"{model.NamedParameters().ElementAt(t).Name}[{j}]: analytic {analytic[j]}, numeric {numeric}");
            }
        }
    }
}
