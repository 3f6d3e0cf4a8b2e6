namespace ConvSharp.Data;

/// <summary>Runs a transform (a <see cref="Compose"/> step by step) from a source image held in scratch
/// slot 0 of a <see cref="SampleContext"/> into a destination, ping-ponging between the context's two
/// scratch images; point-wise steps run in place and the last step writes the destination directly.</summary>
internal static class TransformPipeline
{
    internal static void Run(Transform transform, ImageBuffer source, ImageBuffer destination, SampleContext context)
    {
        ReadOnlySpan<Transform> steps = transform is Compose compose ? compose.StepSpan : new ReadOnlySpan<Transform>(in transform);
        if (steps.Length == 0)
        {
            CheckDestination(source.Shape, destination);
            Transform.CopyImage(source, destination);
            return;
        }

        ImageBuffer current = source;
        int slot = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            Transform step = steps[i];
            ImageShape shape = step.OutputShape(current.Shape);
            float maxValue = step.OutputMaxValue(current.MaxValue);
            if (i == steps.Length - 1)
            {
                CheckDestination(shape, destination);
                step.Apply(current, destination.WithMaxValue(maxValue), context.Generator);
                return;
            }
            if (step.CanRunInPlace && shape == current.Shape)
            {
                current = current.WithMaxValue(maxValue);
                step.Apply(current, current, context.Generator);
                continue;
            }
            slot = 1 - slot;
            ImageBuffer next = context.Scratch(slot, shape, maxValue);
            step.Apply(current, next, context.Generator);
            current = next;
        }
    }

    private static void CheckDestination(ImageShape shape, ImageBuffer destination)
    {
        if (shape != destination.Shape || destination.Data.Length != shape.Length)
            throw new InvalidOperationException($"The transform pipeline produces {shape}, but its destination is {destination.Shape}.");
    }
}
