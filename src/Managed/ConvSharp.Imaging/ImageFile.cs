using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>Decodes one image file (PNG, JPEG, BMP, GIF's first frame, WebP) with SkiaSharp into CHW
/// values, converted to grayscale or RGB and optionally resized, the way torchvision's PIL loader,
/// <c>Grayscale</c>, <c>Resize((h, w))</c> and <c>ToTensor</c> do. EXIF orientation and embedded color
/// profiles are ignored, as PIL's loader ignores them.</summary>
public static class ImageFile
{
    /// <summary>Decodes <paramref name="path"/> to bytes (0–255), CHW.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="color">Grayscale (one channel), RGB (three), or Auto (what the file stores).</param>
    /// <param name="size">When given, the image is resized to exactly this height and width with an
    /// antialiased bilinear filter (PIL's <c>BILINEAR</c>, torchvision's <c>Resize(antialias=True)</c>).</param>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp decodes, or it is truncated or corrupt.</exception>
    public static (byte[] Chw, int Height, int Width) ReadBytes(string path, ColorMode color = ColorMode.Rgb, (int Height, int Width)? size = null)
    {
        color = Resolve(path, color);
        byte[] chw = Decode(path, color, out int height, out int width);
        if (size is not (int h, int w) || (h == height && w == width)) return (chw, height, width);
        float[] resized = Resampler.Resize(ToFloat(chw, 1f), (int)color, height, width, h, w);
        byte[] result = new byte[resized.Length];
        for (int i = 0; i < resized.Length; i++) result[i] = (byte)Math.Clamp(MathF.Round(resized[i]), 0f, 255f);
        return (result, h, w);
    }

    /// <summary>Decodes <paramref name="path"/> to floats in [0, 1], CHW: byte / 255, resized (when asked) in float.</summary>
    /// <inheritdoc cref="ReadBytes" path="/param"/>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp decodes, or it is truncated or corrupt.</exception>
    public static (float[] Chw, int Height, int Width) Read(string path, ColorMode color = ColorMode.Rgb, (int Height, int Width)? size = null)
    {
        color = Resolve(path, color);
        byte[] chw = Decode(path, color, out int height, out int width);
        float[] values = ToFloat(chw, 255f);  // a division, as ToTensor's div(255): exact for 0 and 255
        if (size is not (int h, int w) || (h == height && w == width)) return (values, height, width);
        float[] resized = Resampler.Resize(values, (int)color, height, width, h, w);
        for (int i = 0; i < resized.Length; i++) resized[i] = Math.Clamp(resized[i], 0f, 1f);
        return (resized, h, w);
    }

    private static ColorMode Resolve(string path, ColorMode color) =>
        color == ColorMode.Auto ? (ReadInfo(path).Grayscale ? ColorMode.Grayscale : ColorMode.Rgb) : color;

    /// <summary>The size of <paramref name="path"/>'s image and whether it is stored as grayscale, from its header
    /// (the pixels are not decoded).</summary>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp reads.</exception>
    public static (int Height, int Width, bool Grayscale) ReadInfo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using SKCodec codec = Open(path);
        return (codec.Info.Height, codec.Info.Width, codec.Info.ColorType == SKColorType.Gray8);
    }

    /// <summary>A codec over the file's bytes, its signature and declared size checked. Read in managed code first, so a missing
    /// or unreadable file is the usual IOException; a FIFO or device is refused before it is opened, and the read is bounded
    /// before anything is allocated.</summary>
    private static SKCodec Open(string path)
    {
        byte[] bytes = ConvSharp.IO.RegularFile.ReadAllBytes(path, MaxFileBytes, "image");
        CheckSignature(path, bytes);
        SKCodec codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out SKCodecResult opened)
            ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode ({opened}); expected PNG, JPEG, BMP, GIF or WebP.");
        try
        {
            CheckSize(path, codec.Info.Width, codec.Info.Height, bytes.Length, codec.EncodedFormat);  // not the stream's length: the codec may have closed it
        }
        catch
        {
            codec.Dispose();
            throw;
        }
        return codec;
    }

    private static float[] ToFloat(byte[] values, float divisor)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i] / divisor;
        return result;
    }

    /// <summary>Decodes to unpremultiplied RGBA, then converts to <paramref name="color"/>'s channels, CHW.</summary>
    private static byte[] Decode(string path, ColorMode color, out int height, out int width)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (color is not (ColorMode.Grayscale or ColorMode.Rgb))
            throw new ArgumentOutOfRangeException(nameof(color), color, "Use ColorMode.Grayscale or ColorMode.Rgb.");
        using SKCodec codec = Open(path);
        width = codec.Info.Width;
        height = codec.Info.Height;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);  // rows packed: 4 × width bytes each
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"'{path}' could not be decoded: {result} (is the file truncated or corrupt?).");
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        return color == ColorMode.Rgb ? RgbaToRgbChw(rgba, height * width) : RgbaToLumaChw(rgba, height * width);
    }

    /// <summary>The largest image file read (1 GiB): far above any image of the 2^29 pixels a decode may have
    /// in the formats read here, small enough that a device or a runaway file is refused before allocating.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The formats read, by their leading bytes. SkiaSharp also decodes WBMP, ICO, DNG and others whose
    /// headers are so loose that an IDX file or random bytes pass for one; they are refused here.</summary>
    private static void CheckSignature(string path, ReadOnlySpan<byte> b)
    {
        bool png = b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        bool jpeg = b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]);
        bool bmp = b.StartsWith("BM"u8);
        bool gif = b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8);
        bool webp = b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8);
        if (!(png || jpeg || bmp || gif || webp))
        {
            string head = Convert.ToHexString(b[..Math.Min(8, b.Length)]);
            throw new InvalidDataException(
                $"'{path}' is not a PNG, JPEG, BMP, GIF or WebP image (its first bytes are {(head.Length == 0 ? "none: the file is empty" : head)}).");
        }
    }

    /// <summary>How many pixels one byte of an image file may decode to. The most compressible formats stay
    /// below it: 1-bit PNG through DEFLATE's 1032:1 gives 8,256; GIF's LZW and BMP's RLE give less.</summary>
    public const int MaxPixelsPerFileByte = 16_384;

    /// <summary>The same bound for JPEG: every 8×8 block of 64 pixels costs at least one bit (its DC
    /// coefficient), so a byte encodes at most 512 pixels. A JPEG whose header claims more is truncated or
    /// corrupt, and its decoder would fill the missing blocks with gray rather than fail.</summary>
    public const int MaxJpegPixelsPerFileByte = 512;

    // The declared size is checked before the pixel buffer is allocated, so a corrupt or hostile header
    // (a 60-byte PNG claiming 50,000 × 50,000) is refused instead of reserving gigabytes.
    private static void CheckSize(string path, int width, int height, long fileLength, SKEncodedImageFormat format)
    {
        long pixels = (long)width * height;
        if (width < 1 || height < 1 || 4 * pixels > int.MaxValue)
            throw new InvalidDataException($"'{path}' declares an image of {width} × {height} pixels, which cannot be decoded (at most {int.MaxValue / 4} pixels).");
        int perByte = format == SKEncodedImageFormat.Jpeg ? MaxJpegPixelsPerFileByte : MaxPixelsPerFileByte;
        if (pixels > perByte * fileLength)
            throw new InvalidDataException(
                $"'{path}' declares {width} × {height} = {pixels} pixels, more than a {format} file of {fileLength} bytes can encode " +
                $"(at most {perByte} pixels per byte); the file is truncated or its header is corrupt.");
    }

    private static byte[] RgbaToRgbChw(ReadOnlySpan<byte> rgba, int pixels)
    {
        byte[] chw = new byte[3 * pixels];
        for (int p = 0; p < pixels; p++)
        {
            chw[p] = rgba[4 * p];
            chw[pixels + p] = rgba[4 * p + 1];
            chw[2 * pixels + p] = rgba[4 * p + 2];
        }
        return chw;
    }

    // PIL's fixed-point ITU-R 601-2 luma: (19595 R + 38470 G + 7471 B + 2^15) >> 16; exact for gray input.
    private static byte[] RgbaToLumaChw(ReadOnlySpan<byte> rgba, int pixels)
    {
        byte[] chw = new byte[pixels];
        for (int p = 0; p < pixels; p++)
            chw[p] = (byte)((19595 * rgba[4 * p] + 38470 * rgba[4 * p + 1] + 7471 * rgba[4 * p + 2] + 0x8000) >> 16);
        return chw;
    }
}
