using ConvSharp.NN;
using SkiaSharp;

namespace ConvSharp.Tests.Cli;

public sealed partial class CliTests
{
    [Fact]
    public void Train_on_a_folder_of_grayscale_pngs_makes_a_one_channel_model_through_the_library_image_folder()
    {
        string data = Path.Combine(_root, "gray-folder");
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 6; k++)
            {
                string path = Path.Combine(data, $"class{c}", $"{k}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
                Span<byte> pixels = bitmap.GetPixelSpan();
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++) pixels[y * bitmap.RowBytes + x] = (byte)((c == 0 ? y < 14 : x < 14) ? 220 - k : 20 + k);
                using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, png.ToArray());
            }
        string run = Path.Combine(_root, "gray-run");
        var (code, output) = Run("train", "--data", data, "--epochs", "1", "--batch-size", "4", "--val-split", "2", "--out", run);
        Assert.True(code == 0, output);
        Assert.Contains("12 images, 2 classes, grayscale", output);
        ModelInfo info = ModelInfo.Read(Path.Combine(run, "model.safetensors"));
        Assert.Equal([1, 28, 28], info.Input!);
        Assert.Equal(["class0", "class1"], info.Classes!);
    }
}
