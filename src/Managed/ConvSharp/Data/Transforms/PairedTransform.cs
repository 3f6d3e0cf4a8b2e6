namespace ConvSharp.Data;

/// <summary>Transforms applied to an input and its target together, with the same random draws (torchvision v2's joint
/// transforms, the <c>transforms</c> argument of its datasets): a <see cref="RandomCrop"/> crops both at one position,
/// a <see cref="RandomHorizontalFlip"/> flips both or neither. For image-to-image tasks (denoising, segmentation
/// masks as float images, super-resolution at equal size); input and target must have the same height and width.
/// Every step runs on both, colour steps included: keep input-only steps in the dataset's <c>transform</c>.</summary>
public sealed class PairedTransform
{
    /// <summary>The steps, applied in order to the input and to the target.</summary>
    public PairedTransform(params Transform[] transforms) => Pipeline = new Compose(transforms);

    /// <summary>The steps as one pipeline.</summary>
    public Compose Pipeline { get; }

    /// <inheritdoc />
    public override string ToString() => $"PairedTransform({string.Join(", ", Pipeline.Steps.Select(s => s.ToString()))})";
}
