namespace ConvSharp.Data;

/// <summary>MNIST handwritten digits from the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; plain or .gz): 1×28×28 images, labels 0–9.</summary>
public static class Mnist
{
    /// <summary>The class names, by label: "0" … "9".</summary>
    public static IReadOnlyList<string> Classes { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The training (train-*) or test (t10k-*) split from <paramref name="directory"/>.
    /// <paramref name="transform"/> null means <see cref="ToTensor"/> (images in [0, 1]); a transform you pass
    /// sees raw 0–255 pixels, so include ToTensor yourself, as in torchvision.</summary>
    public static ImageDataset Load(string directory, bool train = true, Transform? transform = null) =>
        MnistFormat.Load("MNIST", directory, train, Classes, transform);
}
