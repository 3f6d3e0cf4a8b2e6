using System.Globalization;
using System.Text;

namespace ConvSharp.NN;

/// <summary>One row of <see cref="Module.Summary"/>: a layer (a module without children, in call order), its
/// output shape, its parameter count, and the receptive field of one output position on the input as
/// (height, width) in pixels — null once a layer sees the whole input (global pooling, flatten, linear).</summary>
public sealed record SummaryRow(string Name, string Layer, int[] OutputShape, long Parameters, (int Height, int Width)? ReceptiveField);

/// <summary>What <see cref="Module.Summary"/> returns: the rows, the totals, and the table as text (<see cref="ToString"/>).</summary>
public sealed class ModelSummary
{
    internal ModelSummary(IReadOnlyList<SummaryRow> rows, long totalParameters, long trainableParameters, int[] inputShape)
    {
        Rows = rows;
        TotalParameters = totalParameters;
        TrainableParameters = trainableParameters;
        InputShape = inputShape;
    }

    /// <summary>One row per layer run, in call order.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>Every parameter of the module.</summary>
    public long TotalParameters { get; }

    /// <summary>The parameters that require grad.</summary>
    public long TrainableParameters { get; }

    /// <summary>The shape of one input, without the batch dimension.</summary>
    public int[] InputShape { get; }

    /// <summary>The table: name, layer, output shape, parameters, receptive field; then the totals.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        int nameWidth = Math.Max(6, Rows.Count == 0 ? 0 : Rows.Max(r => r.Name.Length));
        int layerWidth = Math.Max(6, Rows.Count == 0 ? 0 : Rows.Max(r => r.Layer.Length));
        text.Append(CultureInfo.InvariantCulture, $"{"#".PadRight(nameWidth)}  {"layer".PadRight(layerWidth)}  {"output shape",-18} {"parameters",12}  receptive field\n");
        foreach (SummaryRow r in Rows)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name.PadRight(nameWidth)}  {r.Layer.PadRight(layerWidth)}  {Guard.Format(r.OutputShape),-18} {r.Parameters,12:N0}  ")).
                Append(r.ReceptiveField is { } rf ? $"{rf.Height}x{rf.Width}" : "whole input").Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"total parameters: {TotalParameters:N0} ({TrainableParameters:N0} trainable); input {string.Join("x", InputShape)}");
        return text.ToString();
    }
}

public abstract partial class Module
{
    /// <summary>A table of every layer's output shape, parameters and receptive field, and the totals (Keras'
    /// <c>model.summary()</c>, torchsummary's <c>summary(model, input_size)</c>): runs a zero input of
    /// <paramref name="inputShape"/> (one sample, without the batch dimension: <c>Summary(1, 28, 28)</c>) through
    /// <see cref="Forward"/> with hooks on every module that has no children, so custom modules work too. The
    /// receptive field follows the layers in call order: a window of size k, stride s and dilation d gives
    /// r ← r + d·(k − 1)·j and j ← j·s (j the input pixels between neighbouring outputs).</summary>
    public ModelSummary Summary(params int[] inputShape)
    {
        Guard.NotNull(inputShape);
        if (inputShape.Length == 0) throw new ArgumentException("Summary needs the shape of one input, e.g. Summary(1, 28, 28).", nameof(inputShape));
        foreach (int s in inputShape)
            if (s < 1) throw new ArgumentException($"Summary: every size of the input shape {Guard.Format(inputShape)} must be positive.", nameof(inputShape));
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, m) in NamedModules())
            if (!m.Children().Any() && m is not Loss) names.TryAdd(m, name.Length == 0 ? GetType().Name : name);

        var rows = new List<SummaryRow>();
        (int H, int W) r = (1, 1), j = (1, 1);
        bool whole = false;
        var hooks = new List<IDisposable>();
        try
        {
            foreach (var (layer, name) in names)
                hooks.Add(layer.RegisterForwardHook((m, _, output) =>
                {
                    (Pair k, Pair s, Pair d)? window = m switch
                    {
                        Conv2d c => (c.KernelSize, c.Stride, c.Dilation),
                        ConvTranspose2d => null,
                        MaxPool2d p => (p.KernelSize, p.Stride, p.Dilation),
                        AvgPool2d a => (a.KernelSize, a.Stride, new Pair(1)),
                        _ => ((Pair, Pair, Pair)?)null,
                    };
                    if (window is var (k, s, d))
                    {
                        r = (r.H + d.Height * (k.Height - 1) * j.H, r.W + d.Width * (k.Width - 1) * j.W);
                        j = (j.H * s.Height, j.W * s.Width);
                    }
                    else if (m is not (IActivation or Identity or Dropout or Dropout2d or BatchNorm2d or BatchNorm1d))
                    {
                        whole = true;  // global pooling, flatten, linear, anything unknown: assume it mixes every position
                    }
                    rows.Add(new SummaryRow(names[m], m.ToString(), output.Shape, m.ParameterCount(), whole ? null : (r.H, r.W)));
                }));
            using var scope = Tensor.Scope();
            Device device = Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
            Tensor x = Tensor.Zeros([1, .. inputShape]).To(device);
            using (Autograd.NoGrad()) Forward(x);
        }
        finally
        {
            foreach (IDisposable h in hooks) h.Dispose();
        }
        long trainable = Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        return new ModelSummary(rows, ParameterCount(), trainable, inputShape.ToArray());
    }
}
