using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.Tests.Optim;

/// <summary>Each optimizer against a double-precision transcription of PyTorch's published update rule
/// (torch.optim docs), for 20 steps, on a fixed quadratic and on a small network.</summary>
public class OptimizerTests
{
    /// <summary>One reference update of p (in place) from g, with named state vectors and the step t (1-based).</summary>
    private delegate void Rule(double[] p, double[] g, Func<string, double[]> state, int t);

    private sealed record Case(string Name, Func<IEnumerable<Parameter>, Optimizer> Make, Rule Rule);

    private static double[] Zeros(int n) => new double[n];

    private static IEnumerable<Case> Cases()
    {
        // SGD: g ← g + wd·p; b ← g (t = 1) or μ·b + (1 − τ)·g; g ← g + μ·b (Nesterov) or b; p ← p − lr·g.
        Rule Sgd(double lr, double mu, double tau, double wd, bool nesterov, bool maximize) => (p, g, s, t) =>
        {
            var b = s("b");
            for (int i = 0; i < p.Length; i++)
            {
                double gi = (maximize ? -g[i] : g[i]) + wd * p[i];
                if (mu != 0)
                {
                    b[i] = t == 1 ? gi : mu * b[i] + (1 - tau) * gi;
                    gi = nesterov ? gi + mu * b[i] : b[i];
                }
                p[i] -= lr * gi;
            }
        };
        yield return new("sgd", ps => new Sgd(ps, lr: 0.1f), Sgd(0.1, 0, 0, 0, false, false));
        yield return new("sgd momentum dampening wd", ps => new Sgd(ps, lr: 0.05f, momentum: 0.9f, dampening: 0.2f, weightDecay: 0.01f), Sgd(0.05, 0.9, 0.2, 0.01, false, false));
        yield return new("sgd nesterov maximize", ps => new Sgd(ps, lr: 0.05f, momentum: 0.8f, nesterov: true, maximize: true), Sgd(0.05, 0.8, 0, 0, true, true));

        // Adam: g ← g + wd·p (AdamW: p ← p·(1 − lr·wd)); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
        // v̂ ← max(v̂, v) with amsgrad; p ← p − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps).
        Rule Adam(double lr, double b1, double b2, double eps, double wd, bool amsgrad, bool decoupled) => (p, g, s, t) =>
        {
            var m = s("m"); var v = s("v"); var vmax = s("vmax");
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i];
                if (decoupled) p[i] *= 1 - lr * wd; else gi += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double vv = v[i];
                if (amsgrad) { vmax[i] = Math.Max(vmax[i], v[i]); vv = vmax[i]; }
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                p[i] -= lr / bc1 * m[i] / (Math.Sqrt(vv) / Math.Sqrt(bc2) + eps);
            }
        };
        yield return new("adam", ps => new Adam(ps, lr: 0.01f), Adam(0.01, 0.9, 0.999, 1e-8, 0, false, false));
        yield return new("adam wd amsgrad betas", ps => new Adam(ps, lr: 0.02f, betas: (0.8f, 0.99f), eps: 1e-6f, weightDecay: 0.05f, amsgrad: true), Adam(0.02, 0.8, 0.99, 1e-6, 0.05, true, false));
        yield return new("adamw", ps => new AdamW(ps, lr: 0.01f, weightDecay: 0.1f), Adam(0.01, 0.9, 0.999, 1e-8, 0.1, false, true));

        // Adamax: g ← g + wd·p; m ← β1·m + (1 − β1)·g; u ← max(β2·u, |g| + eps); p ← p − lr/(1 − β1ᵗ) · m/u.
        yield return new("adamax", ps => new Adamax(ps, lr: 0.02f, weightDecay: 0.01f), (p, g, s, t) =>
        {
            var m = s("m"); var u = s("u");
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + 0.01 * p[i];
                m[i] = 0.9 * m[i] + 0.1 * gi;
                u[i] = Math.Max(0.999 * u[i], Math.Abs(gi) + 1e-8);
                p[i] -= 0.02 / (1 - Math.Pow(0.9, t)) * m[i] / u[i];
            }
        });

        // RMSprop: g ← g + wd·p; v ← α·v + (1 − α)·g²; centered: ḡ ← α·ḡ + (1 − α)·g, d = √(v − ḡ²) + eps, else √v + eps;
        // momentum: b ← μ·b + g/d, p ← p − lr·b; else p ← p − lr·g/d.
        Rule Rms(double lr, double alpha, double wd, double mu, bool centered) => (p, g, s, t) =>
        {
            var v = s("v"); var ga = s("ga"); var b = s("b");
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + wd * p[i];
                v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
                double d;
                if (centered) { ga[i] = alpha * ga[i] + (1 - alpha) * gi; d = Math.Sqrt(v[i] - ga[i] * ga[i]) + 1e-8; }
                else d = Math.Sqrt(v[i]) + 1e-8;
                if (mu != 0) { b[i] = mu * b[i] + gi / d; p[i] -= lr * b[i]; }
                else p[i] -= lr * gi / d;
            }
        };
        yield return new("rmsprop", ps => new RmsProp(ps, lr: 0.01f), Rms(0.01, 0.99, 0, 0, false));
        yield return new("rmsprop centered momentum wd", ps => new RmsProp(ps, lr: 0.005f, alpha: 0.9f, weightDecay: 0.01f, momentum: 0.5f, centered: true), Rms(0.005, 0.9, 0.01, 0.5, true));
    }

    public static TheoryData<string> Names() => new(Cases().Select(c => c.Name));

    /// <summary>Checks the optimizer step by step: before each step, the reference takes the library's own
    /// parameters and gradients (float values, in double), applies the rule with its own double state, and
    /// must land where the library's fused update lands.</summary>
    private static void Follow(Case c, Parameter[] parameters, Action computeGradients, int steps = 20)
    {
        using var optimizer = c.Make(parameters);
        var states = parameters.Select(_ => new Dictionary<string, double[]>()).ToArray();
        var expectedAfter = new double[parameters.Length][];
        for (int t = 1; t <= steps; t++)
        {
            optimizer.ZeroGrad();
            computeGradients();
            for (int k = 0; k < parameters.Length; k++)
            {
                double[] p = parameters[k].ToArray().Select(v => (double)v).ToArray();
                double[] g = parameters[k].Grad!.ToArray().Select(v => (double)v).ToArray();
                var state = states[k];
                c.Rule(p, g, name => state.TryGetValue(name, out var s) ? s : state[name] = Zeros(p.Length), t);
                expectedAfter[k] = p;
            }
            optimizer.Step();
            for (int k = 0; k < parameters.Length; k++)
                OpCheck.AssertClose(expectedAfter[k], parameters[k].ToArray(), 1e-4, $"{c.Name}, step {t}, parameter {k}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Trajectory_on_a_quadratic_matches_the_published_rule(string name)
    {
        Case c = Cases().Single(x => x.Name == name);
        using var x = Parameter.From(Tensor.FromArray([1.5f, -2f, 0.3f, 4f, -0.7f], 5));
        using var a = Tensor.FromArray([1f, 2f, 0.5f, 3f, 1.5f], 5);
        using var b = Tensor.FromArray([0.2f, -0.1f, 1f, 0.5f, -2f], 5);
        // f(x) = ½ Σ a·(x − b)², its gradient by autograd.
        Follow(c, [x], () =>
        {
            using var scope = Tensor.Scope();
            var d = x - b;
            ((d * d * a).Sum() * 0.5f).Backward();
        });
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Trajectory_on_a_small_network_matches_the_published_rule(string name)
    {
        Case c = Cases().Single(x => x.Name == name);
        using var model = new Sequential(new Linear(4, 3, generator: new Generator(1)), new Tanh(), new Linear(3, 2, generator: new Generator(2)));
        using var input = Tensor.Randn([6, 4], seed: 3);
        using var target = Tensor.Randn([6, 2], seed: 4);
        Parameter[] ps = model.Parameters().ToArray();
        Follow(c, ps, () =>
        {
            using var scope = Tensor.Scope();
            var d = model.Forward(input) - target;
            (d * d).Mean().Backward();
        });
    }

    [Fact]
    public void Parameter_groups_use_their_own_learning_rates()
    {
        using var a = Parameter.From(Tensor.FromArray([1f], 1));
        using var b = Parameter.From(Tensor.FromArray([1f], 1));
        using var opt = new Sgd([new ParameterGroup([a]), new ParameterGroup([b], lr: 0.5f)], lr: 0.1f);
        using (Tensor.Scope()) (a * 2f + b * 2f).Sum().Backward();
        opt.Step();
        Assert.Equal(1f - 0.1f * 2, a.ToArray()[0], 6);
        Assert.Equal(1f - 0.5f * 2, b.ToArray()[0], 6);
        Assert.Equal([0.1f, 0.5f], opt.ParamGroups.Select(g => g.Lr));
    }

    [Fact]
    public void Parameters_without_a_gradient_are_skipped()
    {
        using var a = Parameter.From(Tensor.FromArray([1f], 1));
        using var opt = new Adam([a], lr: 0.1f);
        opt.Step();
        Assert.Equal([1f], a.ToArray());
    }

    [Fact]
    public void Saved_state_continues_the_identical_trajectory()
    {
        string dir = Directory.CreateTempSubdirectory("convsharp-optim").FullName;
        try
        {
            float[] Run(bool interrupt)
            {
                using var x = Parameter.From(Tensor.FromArray([1.5f, -2f, 0.3f], 3));
                var opt = new Adam([x], lr: 0.05f, amsgrad: true);
                for (int t = 0; t < 10; t++)
                {
                    if (interrupt && t == 5)
                    {
                        opt.Save(Path.Combine(dir, "opt.safetensors"));
                        opt.Dispose();
                        opt = new Adam([x], lr: 0.05f, amsgrad: true);
                        opt.Load(Path.Combine(dir, "opt.safetensors"));
                    }
                    opt.ZeroGrad();
                    using (Tensor.Scope()) (x * x * x).Sum().Backward();
                    opt.Step();
                }
                opt.Dispose();
                return x.ToArray();
            }
            Assert.Equal(Run(false), Run(true));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Bad_hyper_parameters_name_the_parameter_and_value()
    {
        using var p = new Parameter(2);
        Assert.StartsWith("Invalid learning rate: -0.1 (lr must be a finite number ≥ 0).", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], lr: -0.1f)).Message);
        Assert.StartsWith("Invalid learning rate: NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], lr: float.NaN)).Message);
        Assert.StartsWith("Invalid beta2: 1 (it must be in [0, 1)).", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], betas: (0.9f, 1f))).Message);
        Assert.StartsWith("Invalid momentum: -1", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], momentum: -1f)).Message);
        Assert.StartsWith("Nesterov momentum needs momentum > 0 and dampening = 0, but momentum = 0 and dampening = 0.",
            Assert.Throws<ArgumentException>(() => new Sgd([p], nesterov: true)).Message);
        Assert.StartsWith("The optimizer got an empty parameter list.", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Parameter>())).Message);
    }
}
