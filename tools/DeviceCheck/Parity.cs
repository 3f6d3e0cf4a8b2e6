using ConvSharp.NN;
using ConvSharp.Optim;

namespace ConvSharp.DeviceCheck;

/// <summary>Op parity of the OpenCL device against the CPU backend on random shapes: each op family's forward and the
/// gradients of every input for a random upstream gradient w (the backward of Σ w·f(x)), measured as the tests measure
/// it (each element against max(|cpu|, 1e-3·max|cpu|)). Limits: the project's parity bounds, 1e-4 forward, 1e-3
/// gradients (long reductions summed in another order).</summary>
internal static class Parity
{
    public const double ForwardLimit = 1e-4, GradientLimit = 1e-3;

    /// <summary>One op: its inputs' shapes, value range and which need gradients, and how to build it.</summary>
    private sealed record Case(string Name, int[][] Shapes, Func<Tensor[], Tensor> Op, float Low = -1f, float High = 1f,
        bool[]? Grad = null, Func<Random, int[], float[]>? Values = null, double ForwardLimit = ForwardLimit);

    public sealed record Result(string Name, string Shapes, double Forward, double Gradient, double Limit = ForwardLimit)
    {
        public bool Passed => Forward <= Limit && Gradient <= GradientLimit;
    }

    private static IEnumerable<Case> Cases(Random rng)
    {
        int n = 2 + rng.Next(3), c = 2 * (1 + rng.Next(4)), k = 2 * (2 + rng.Next(6)), h = 7 + rng.Next(9), w = 7 + rng.Next(9);
        yield return new("Conv2d 3×3 stride 2 pad 1", [[n, c, h, w], [k, c, 3, 3], [k]], t => Tensor.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1));
        yield return new("Conv2d 3×3 dilation 2, 2 groups", [[n, c, h, w], [k, c / 2, 3, 3], [k]],
            t => Tensor.Conv2d(t[0], t[1], t[2], padding: 2, dilation: 2, groups: 2));
        yield return new("Conv2d depthwise 3×3", [[n, c, h, w], [c, 1, 3, 3], [c]], t => Tensor.Conv2d(t[0], t[1], t[2], padding: 1, groups: c));
        // 1,000-term dot products summed in another order than the CPU's: held to the gradients' bound.
        yield return new("Conv2d 5×5 wide (40→48)", [[n, 40, h, w], [48, 40, 5, 5], [48]], t => Tensor.Conv2d(t[0], t[1], t[2], padding: 2),
            ForwardLimit: GradientLimit);
        yield return new("ConvTranspose2d 3×3 stride 2", [[n, c, h, w], [c, k, 3, 3], [k]],
            t => Tensor.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 1));
        int f = 16 + rng.Next(100), o = 5 + rng.Next(60);
        yield return new("Linear", [[n * 3, f], [o, f], [o]], t => Tensor.Linear(t[0], t[1], t[2]));
        yield return new("MatMul", [[o, f], [f, n * 7]], t => Tensor.MatMul(t[0], t[1]));
        yield return new("MaxPool2d 2×2", [[n, c, h, w]], t => t[0].MaxPool2d(2));
        yield return new("MaxPool2d 3×3 stride 2 pad 1", [[n, c, h, w]], t => t[0].MaxPool2d(3, stride: 2, padding: 1));
        yield return new("AvgPool2d 2×2", [[n, c, h, w]], t => t[0].AvgPool2d(2));
        yield return new("BatchNorm (training)", [[n, c, h, w], [c], [c]],
            t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true));
        yield return new("ReLU", [[n, c, h, w]], t => t[0].Relu());
        yield return new("Tanh", [[n, c, h, w]], t => t[0].Tanh());
        yield return new("Sigmoid", [[n, c, h, w]], t => t[0].Sigmoid());
        yield return new("GELU", [[n, c, h, w]], t => t[0].Gelu());
        yield return new("Exp, Log", [[n, c, h]], t => t[0].Exp() + t[0].Log(), 0.1f, 2f);
        yield return new("Softmax", [[n * 3, o]], t => t[0].Softmax(1), -3f, 3f);
        yield return new("LogSoftmax", [[n * 3, o]], t => t[0].LogSoftmax(1), -3f, 3f);
        yield return new("CrossEntropy", [[n * 3, o], [n * 3]], t => Tensor.CrossEntropy(t[0], t[1]), -3f, 3f, [true, false],
            (r, s) => s.Length == 1 ? Enumerable.Range(0, s[0]).Select(_ => (float)r.Next(o)).ToArray() : Uniform(r, s, -3f, 3f));
        yield return new("MSELoss", [[n, c, h], [n, c, h]], t => Tensor.MseLoss(t[0], t[1]));
        yield return new("Upsample nearest ×2", [[n, c, h, w]], t => t[0].Upsample(2.0));
        yield return new("Upsample bilinear ×2", [[n, c, h, w]], t => t[0].Upsample(2.0, "bilinear"));
        yield return new("Add, Mul, Div (broadcast)", [[n, c, h, w], [1, c, 1, w]], t => (t[0] + t[1]) * t[0] / (t[1] * t[1] + 1f));
        yield return new("Sum, Mean over dims", [[n, c, h, w]], t => t[0].Sum([0, 2]) + t[0].Mean(3).Sum(0).Sum(1).Unsqueeze(1));
    }

    public static List<Result> Run(Device gpu, int seed)
    {
        var rng = new Random(seed);
        var results = new List<Result>();
        foreach (var c in Cases(rng))
        {
            float[][] values = c.Shapes.Select(s => c.Values?.Invoke(rng, s) ?? Uniform(rng, s, c.Low, c.High)).ToArray();
            var (cpuOut, cpuGrads) = Evaluate(Device.Cpu, c, values, seed);
            var (gpuOut, gpuGrads) = Evaluate(gpu, c, values, seed);
            double fwd = Error(cpuOut, gpuOut), grad = 0;
            for (int i = 0; i < cpuGrads.Length; i++)
                if (cpuGrads[i] is { } g) grad = Math.Max(grad, Error(g, gpuGrads[i]!));
            results.Add(new(c.Name, string.Join(" · ", c.Shapes.Select(s => string.Join('×', s))), fwd, grad, c.ForwardLimit));
        }
        results.Add(AdamStep(gpu, rng));
        return results;
    }

    /// <summary>The output and input gradients of one case on one device.</summary>
    private static (float[] Output, float[]?[] Grads) Evaluate(Device device, Case c, float[][] values, int seed)
    {
        using var scope = Tensor.Scope();
        var inputs = new Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            inputs[i] = Tensor.FromArray(values[i], c.Shapes[i]).To(device);
            inputs[i].RequiresGrad = c.Grad?[i] ?? true;
        }
        Tensor y = c.Op(inputs);
        float[] output = y.ToArray();
        var upstream = Uniform(new Random(seed + output.Length), y.Shape.ToArray(), -1f, 1f);
        Tensor loss = (y * Tensor.FromArray(upstream, y.Shape.ToArray()).To(device)).Sum();
        loss.Backward();
        var grads = inputs.Select(t => t.RequiresGrad ? t.Grad?.ToArray() ?? [] : null).ToArray();
        return (output, grads);
    }

    /// <summary>One Adam step of a small network on both devices: the updated weights must agree.</summary>
    private static Result AdamStep(Device gpu, Random rng)
    {
        float[] x = Uniform(rng, [8, 20], -1f, 1f);
        float[] labels = Enumerable.Range(0, 8).Select(_ => (float)rng.Next(5)).ToArray();
        float[] Step(Device device)
        {
            using var scope = Tensor.Scope();
            using var net = new Sequential(new Linear(20, 16, generator: new Generator(5)), new Tanh(), new Linear(16, 5, generator: new Generator(6)));
            net.To(device);
            using var adam = new Adam(net.Parameters(), lr: 1e-2f);
            for (int step = 0; step < 3; step++)
            {
                using var inner = Tensor.Scope();
                var loss = new CrossEntropyLoss().Forward(net.Forward(Tensor.FromArray(x, 8, 20).To(device)), Tensor.FromArray(labels, 8).To(device));
                adam.ZeroGrad();
                loss.Backward();
                adam.Step();
            }
            return net.Parameters().SelectMany(p => p.ToArray()).ToArray();
        }
        return new("Adam, 3 steps (updated weights)", "8×20 → 16 → 5", Error(Step(Device.Cpu), Step(gpu)), 0);
    }

    /// <summary>The worst relative error of <paramref name="gpu"/> against <paramref name="cpu"/>; a NaN on one side only is infinite.</summary>
    public static double Error(float[] cpu, float[] gpu)
    {
        if (cpu.Length != gpu.Length) return double.PositiveInfinity;
        double scale = 0;
        foreach (float v in cpu) if (float.IsFinite(v)) scale = Math.Max(scale, Math.Abs(v));
        double worst = 0;
        for (int i = 0; i < cpu.Length; i++)
        {
            float c = cpu[i], g = gpu[i];
            if (!float.IsFinite(c) || !float.IsFinite(g))
            {
                if (!c.Equals(g)) return double.PositiveInfinity;
                continue;
            }
            if (c == g) continue;
            worst = Math.Max(worst, Math.Abs((double)g - c) / Math.Max(Math.Max(Math.Abs(c), 1e-3 * scale), 1e-30));
        }
        return worst;
    }

    private static float[] Uniform(Random rng, int[] shape, float low, float high)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = low + (float)rng.NextDouble() * (high - low);
        return values;
    }
}
