using ConvSharp.Backends;
namespace ConvSharp.Data;

/// <summary>Runs transforms one after another (torchvision's <c>Compose</c>); nested Composes are flattened.</summary>
public sealed class Compose : Transform
{
    private readonly Transform[] _steps;

    /// <summary>A pipeline of <paramref name="transforms"/>, applied in order.</summary>
    public Compose(params Transform[] transforms)
    {
        Guard.NotNull(transforms);
        var steps = new List<Transform>();
        foreach (Transform t in transforms)
        {
            if (t is null) throw new ArgumentException("Compose was given a null transform.", nameof(transforms));
            if (t is Compose inner) steps.AddRange(inner._steps);
            else steps.Add(t);
        }
        _steps = [.. steps];
    }

    /// <summary>The steps, flattened, in order.</summary>
    public IReadOnlyList<Transform> Steps => _steps;

    internal ReadOnlySpan<Transform> StepSpan => _steps;

    /// <inheritdoc />
    public override ImageShape OutputShape(ImageShape input)
    {
        foreach (Transform t in _steps) input = t.OutputShape(input);
        return input;
    }

    /// <inheritdoc />
    public override float OutputMaxValue(float inputMaxValue)
    {
        foreach (Transform t in _steps) inputMaxValue = t.OutputMaxValue(inputMaxValue);
        return inputMaxValue;
    }

    /// <summary>Runs the steps with scratch buffers of its own (datasets and loaders run them through a
    /// reusable context instead; this direct call allocates scratch per call).</summary>
    public override void Apply(ImageBuffer source, ImageBuffer destination, Generator generator)
    {
        Guard.NotNull(generator);
        var context = new SampleContext(generator);
        try
        {
            ImageBuffer start = context.Scratch(0, source.Shape, source.MaxValue);
            Kernels.Copy(source.Data, start.Data);
            TransformPipeline.Run(this, start, destination, context);
        }
        finally
        {
            context.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Compose({string.Join(", ", _steps.Select(s => s.ToString()))})";
}
