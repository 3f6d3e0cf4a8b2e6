namespace ConvSharp.Imaging;

/// <summary>One decoded image and its class: <paramref name="Chw"/> holds Channels × Height × Width values
/// in channel-major (CHW) order, row-major within a channel: the layout of a [C, H, W] tensor.
/// Deconstructs as <c>var (chw, channels, height, width, label) = folder.Load(i);</c>.</summary>
/// <typeparam name="T"><see cref="float"/> (values in [0, 1], as torchvision's <c>ToTensor</c>) or <see cref="byte"/> (0–255).</typeparam>
/// <param name="Chw">The pixel values, channel by channel.</param>
/// <param name="Channels">1 (grayscale) or 3 (RGB).</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Label">The class index: the position of the image's folder in the sorted class list.</param>
public readonly record struct LabeledImage<T>(T[] Chw, int Channels, int Height, int Width, int Label) where T : unmanaged;
