using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Optim;

public class SchedulerAndClipTests
{
    private static (Parameter, Sgd) Setup(float lr = 1f)
    {
        var p = new Parameter(1);
        return (p, new Sgd([p], lr: lr));
    }

    private static float[] Run(LrScheduler s, int epochs)
    {
        var lrs = new List<float> { s.GetLastLr()[0] };
        for (int e = 1; e < epochs; e++) { s.Step(); lrs.Add(s.GetLastLr()[0]); }
        return lrs.ToArray();
    }

    private static void Close(double[] expected, float[] actual) => OpCheck.AssertClose(expected, actual, 1e-6, "lr");

    [Fact]
    public void Closed_form_schedules()
    {
        var (p, opt) = Setup(0.5f);
        using (p) using (opt)
        {
            Close(Enumerable.Range(0, 10).Select(e => 0.5 * Math.Pow(0.1, e / 3)).ToArray(), Run(new StepLR(opt, 3), 10));
            opt.ParamGroups[0].Lr = 0.5f;
            Close(Enumerable.Range(0, 10).Select(e => 0.5 * Math.Pow(0.5, (e >= 2 ? 1 : 0) + (e >= 5 ? 1 : 0))).ToArray(), Run(new MultiStepLR(opt, [5, 2], 0.5f), 10));
            Close(Enumerable.Range(0, 10).Select(e => 0.5 * Math.Pow(0.9, e)).ToArray(), Run(new ExponentialLR(opt, 0.9f), 10));
            Close(Enumerable.Range(0, 11).Select(e => 0.01 + (0.5 - 0.01) * (1 + Math.Cos(Math.PI * e / 10)) / 2).ToArray(), Run(new CosineAnnealingLR(opt, 10, 0.01f), 11));
            Close(Enumerable.Range(0, 8).Select(e => 0.5 * (0.25 + 0.75 * Math.Min(e, 4) / 4.0)).ToArray(), Run(new LinearLR(opt, 0.25f, 1f, 4), 8));
        }
    }

    [Fact]
    public void Warm_up_then_cosine()
    {
        var (p, opt) = Setup(1f);
        using (p) using (opt)
        {
            var warm = new LinearLR(opt, 0.1f, 1f, 3);
            var cosine = new CosineAnnealingLR(opt, 5);
            var seq = new SequentialLR(opt, [warm, cosine], [3]);
            double[] expected = [0.1, 0.4, 0.7, 1.0, (1 + Math.Cos(Math.PI / 5)) / 2, (1 + Math.Cos(2 * Math.PI / 5)) / 2];
            Close(expected, Run(seq, 6));
        }
    }

    [Fact]
    public void Reduce_on_plateau_follows_patience_threshold_and_cooldown()
    {
        var (p, opt) = Setup(1f);
        using (p) using (opt)
        {
            var s = new ReduceLROnPlateau(opt, patience: 1, factor: 0.5f, cooldown: 1, minLr: 0.2f);
            double[] metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
            var lrs = metrics.Select(m => { s.Step(m); return s.GetLastLr()[0]; }).ToArray();
            // Bad epochs: 0,0,1,2→reduce(0.5), cooldown, 1, 2→reduce(0.25), cooldown, 1
            Close([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25], lrs);
        }
    }

    [Fact]
    public void Clip_grad_norm_and_value_match_the_reference()
    {
        using var a = Parameter.From(Tensor.FromArray([3f, -4f], 2));
        using var b = Parameter.From(Tensor.FromArray([12f], 1));
        using (Tensor.Scope()) ((a * a).Sum() * 0.5f + (b * b).Sum() * 0.5f).Backward();  // grads = values: norm 13
        float total = ClipGrad.Norm([a, b], 6.5f);
        Assert.Equal(13f, total, 5);
        double c = 6.5 / (13 + 1e-6);
        OpCheck.AssertClose([3 * c, -4 * c], a.Grad!.ToArray(), 1e-6, "a");
        Assert.Equal(6f, ClipGrad.Norm([a, b], 100f, float.PositiveInfinity), 4);
        ClipGrad.Value([a, b], 2f);
        Assert.Equal([1.5f, -2f], a.Grad!.ToArray().Select(v => MathF.Round(v, 4)));
        Assert.Equal([2f], b.Grad!.ToArray());
    }
}
