using System.Buffers.Binary;
using ConvSharp;
using ConvSharp.IO;
using SkiaSharp;

/// <summary>Small valid inputs for AFL to start from, written from the formats' specifications.</summary>
internal static class Seeds
{
    public static void Write(string root)
    {
        Write(root, "idx-images", "images.idx", Idx(3, [3, 4, 5], Pattern(60)));
        Write(root, "idx-labels", "labels.idx", Idx(1, [6], [1, 2, 3, 4, 5, 9]));
        var cifar = new byte[2 * 3073];
        Pattern(cifar.Length).CopyTo(cifar, 0);
        cifar[0] = 3;
        cifar[3073] = 9;
        Write(root, "cifar10", "batch.bin", cifar);

        Directory.CreateDirectory(Path.Combine(root, "safetensors"));
        using (var w = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3))
        using (var b = Tensor.FromArray([0.5f], 1))
            SafeTensors.Save(Path.Combine(root, "safetensors", "model.safetensors"), [("0.weight", w), ("0.bias", b)]);

        using var bitmap = new SKBitmap(new SKImageInfo(6, 5, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++) bitmap.SetPixel(x, y, new SKColor((byte)(40 * x), (byte)(50 * y), 128));
        foreach (var (format, name) in new[] { (SKEncodedImageFormat.Png, "a.png"), (SKEncodedImageFormat.Jpeg, "a.jpg"), (SKEncodedImageFormat.Webp, "a.webp") })
        {
            using SKData data = bitmap.Encode(format, 90);
            Write(root, "image", name, data.ToArray());
        }
    }

    private static void Write(string root, string target, string name, byte[] bytes)
    {
        Directory.CreateDirectory(Path.Combine(root, target));
        File.WriteAllBytes(Path.Combine(root, target, name), bytes);
    }

    private static byte[] Idx(byte dims, uint[] sizes, byte[] data)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = dims;
        for (int i = 0; i < sizes.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), sizes[i]);
        data.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 37 + 11) % 256))];
}
