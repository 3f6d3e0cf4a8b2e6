namespace ConvSharp;

/// <summary>The global pooling at the end of <see cref="Models.GapCnn"/>.</summary>
public enum Global
{
    /// <summary>The maximum of each channel (GlobalMaxPool2d).</summary>
    Max,

    /// <summary>The mean of each channel (GlobalAvgPool2d).</summary>
    Mean,
}
