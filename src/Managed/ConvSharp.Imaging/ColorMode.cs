namespace ConvSharp.Imaging;

/// <summary>What an image is converted to when decoded; the value is the channel count.</summary>
public enum ColorMode
{
    /// <summary>Keep what the files hold: one channel when every image of the set is stored as grayscale (a gray PNG or
    /// JPEG), else three (RGB). What <see cref="ImageFolder"/> uses unless told otherwise.</summary>
    Auto = 0,

    /// <summary>One channel of luma, L = (299 R + 587 G + 114 B) / 1000 (ITU-R 601-2, as PIL's <c>convert("L")</c>).</summary>
    Grayscale = 1,

    /// <summary>Three channels, red, green, blue; alpha is dropped (as PIL's <c>convert("RGB")</c>).</summary>
    Rgb = 3,
}
