namespace ConvSharp;

public static partial class Autograd
{
    /// <summary>Checks the gradients <paramref name="f"/>'s backward computes against central finite differences
    /// (PyTorch's <c>torch.autograd.gradcheck</c>): the full Jacobian of the output with respect to every input that
    /// requires grad, analytical (one backward per output element) against numerical ((f(x + h) − f(x − h)) / 2h per
    /// input element, the difference taken in double with the step the float32 input actually moved). An element
    /// passes when |analytical − numerical| ≤ atol + rtol·|numerical|. Returns true when all pass; otherwise throws
    /// <see cref="InvalidOperationException"/> naming the worst element (or returns false without
    /// <paramref name="raiseException"/>).
    /// The defaults are PyTorch's gradcheck tolerances moved to float32: PyTorch's eps = 1e-6, atol = 1e-5,
    /// rtol = 1e-3 assume float64 inputs, and ConvSharp's tensors are float32 (about 7 digits), so a step of 1e-6
    /// would measure only rounding; eps = 1e-3 with atol = 1e-3 and rtol = 1e-2 keep the same margins.</summary>
    public static bool GradCheck(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-3, double atol = 1e-3, double rtol = 1e-2,
        bool raiseException = true)
    {
        Guard.NotNull(f);
        Guard.NotNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "GradCheck: eps must be positive.");
        if (!(atol >= 0) || !(rtol >= 0)) throw new ArgumentOutOfRangeException(nameof(atol), $"GradCheck: atol ({atol}) and rtol ({rtol}) must not be negative.");
        int[] checkedInputs = Enumerable.Range(0, inputs.Length).Where(i => Guard.NotNullTensor(inputs[i], nameof(inputs)).RequiresGrad).ToArray();
        if (checkedInputs.Length == 0)
            throw new ArgumentException("GradCheck: no input requires grad; set RequiresGrad = true on the inputs to check.", nameof(inputs));

        // Analytical: row k of the Jacobian is the gradient of output element k.
        var analytical = new double[inputs.Length][][];
        int outCount;
        int[] outShape;
        using (var scope = Tensor.Scope())
        {
            Tensor y = f(inputs);
            outShape = y.Shape;
            outCount = checked((int)y.Numel);
            if (!y.RequiresGrad)
                throw new ArgumentException("GradCheck: the function's output does not require grad; it must be computed from the inputs.", nameof(f));
            foreach (int i in checkedInputs) analytical[i] = new double[outCount][];
            var seed = new float[outCount];
            for (int k = 0; k < outCount; k++)
            {
                Array.Clear(seed);
                seed[k] = 1f;
                using Tensor gradOut = Tensor.FromArray(seed, outShape).To(y.Device);
                Tensor?[] grads = Grad([y], checkedInputs.Select(i => inputs[i]).ToArray(), [gradOut], retainGraph: true, allowUnused: true);
                for (int c = 0; c < checkedInputs.Length; c++)
                {
                    int i = checkedInputs[c];
                    analytical[i][k] = grads[c] is { } g ? Array.ConvertAll(g.ToArray(), v => (double)v) : new double[inputs[i].Numel];
                    grads[c]?.Dispose();
                }
            }
        }

        double worstExcess = 0;
        string? worst = null;
        foreach (int i in checkedInputs)
        {
            Tensor input = inputs[i];
            float[] values = input.ToArray();
            int[] shape = input.Shape;
            for (int j = 0; j < values.Length; j++)
            {
                float saved = values[j];
                float plus = (float)(saved + eps), minus = (float)(saved - eps);
                double[] yPlus = Evaluate(f, inputs, i, values, j, plus, shape), yMinus = Evaluate(f, inputs, i, values, j, minus, shape);
                double step = (double)plus - minus;
                for (int k = 0; k < outCount; k++)
                {
                    double numerical = (yPlus[k] - yMinus[k]) / step, a = analytical[i][k][j];
                    double err = Math.Abs(a - numerical), bound = atol + rtol * Math.Abs(numerical);
                    double excess = double.IsNaN(err) ? double.PositiveInfinity : err - bound;
                    if (excess > 0 && excess >= worstExcess)
                    {
                        worstExcess = excess;
                        worst = $"input {i} element {Guard.Format(Unravel(j, shape))}, output element {Guard.Format(Unravel(k, outShape))}: " +
                                $"analytical {a:G6}, numerical {numerical:G6} (error {err:E2} > atol {atol:G3} + rtol {rtol:G3}·|numerical|)";
                    }
                }
            }
        }
        if (worst is null) return true;
        if (raiseException) throw new InvalidOperationException($"GradCheck failed: the worst element is {worst}.");
        return false;
    }

    /// <summary><see cref="GradCheck(Func{Tensor[], Tensor}, Tensor[], double, double, double, bool)"/> with the default tolerances.</summary>
    public static bool GradCheck(Func<Tensor[], Tensor> f, params Tensor[] inputs) => GradCheck(f, inputs, 1e-3);

    /// <summary>f's output in double with element <paramref name="j"/> of input <paramref name="which"/> set to <paramref name="value"/>.</summary>
    private static double[] Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, int which, float[] values, int j, float value, int[] shape)
    {
        using var scope = Tensor.Scope();
        using var noGrad = NoGrad();
        float original = values[j];
        values[j] = value;
        Tensor perturbed = Tensor.FromArray(values, shape).To(inputs[which].Device);
        values[j] = original;
        Tensor[] args = inputs.ToArray();
        args[which] = perturbed;
        return Array.ConvertAll(f(args).ToArray(), v => (double)v);
    }

    private static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
