using System.Buffers.Binary;
using System.IO.Compression;
using ConvSharp.Data;

namespace ConvSharp.Tests.Data;

/// <summary>SVHN's cropped digits read from MAT v5 files this test writes from the format's specification (MathWorks,
/// "MAT-File Format": 128-byte header, 8-byte tags or 4-byte small elements, 8-byte padding, miMATRIX with array flags,
/// dimensions, name and real part, miCOMPRESSED holding a zlib stream of one miMATRIX).</summary>
public class SvhnTests
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt32 = 5, MiUInt32 = 6, MiDouble = 9, MiMatrix = 14, MiCompressed = 15;
    private const int MxCharClass = 4, MxDoubleClass = 6, MxUInt8Class = 9;

    /// <summary>A data element: tag + data + padding to 8 bytes; the small form when 1–4 bytes and <paramref name="small"/>.</summary>
    private static byte[] Element(int type, byte[] data, bool small = true)
    {
        var m = new MemoryStream();
        var w = new BinaryWriter(m);
        if (small && data.Length is > 0 and <= 4)
        {
            w.Write((uint)(data.Length << 16 | type));
            w.Write(data);
            w.Write(new byte[4 - data.Length]);
            return m.ToArray();
        }
        w.Write(type);
        w.Write(data.Length);
        w.Write(data);
        w.Write(new byte[(8 - data.Length % 8) % 8]);
        return m.ToArray();
    }

    private static byte[] Matrix(string name, int cls, int[] dims, int dataType, byte[] data)
    {
        var flags = new byte[8];
        flags[0] = (byte)cls;
        var dimBytes = new byte[4 * dims.Length];
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(dimBytes.AsSpan(4 * i), dims[i]);
        byte[] body = [.. Element(MiUInt32, flags), .. Element(MiInt32, dimBytes), .. Element(MiInt8, System.Text.Encoding.ASCII.GetBytes(name)),
            .. Element(dataType, data)];
        return Element(MiMatrix, body, small: false);
    }

    private static byte[] Compressed(byte[] element)
    {
        var m = new MemoryStream();
        using (var z = new ZLibStream(m, CompressionLevel.Optimal, leaveOpen: true)) z.Write(element);
        byte[] packed = m.ToArray();
        var result = new MemoryStream();
        var w = new BinaryWriter(result);
        w.Write(MiCompressed);
        w.Write(packed.Length);
        w.Write(packed);   // compressed elements are not padded
        return result.ToArray();
    }

    private static byte[] Header()
    {
        var h = new byte[128];
        Array.Fill(h, (byte)' ', 0, 116);
        System.Text.Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Fri Dec  4 21:00:00 2026").CopyTo(h, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(124), 0x0100);
        h[126] = (byte)'I';
        h[127] = (byte)'M';
        return h;
    }

    /// <summary>Pixel (h, w, c) of image n, and its label 1–10.</summary>
    private static byte Pixel(int n, int h, int w, int c) => (byte)(n * 37 + h * 5 + w * 3 + c * 71);

    private static int Label(int n) => n % 10 + 1;

    /// <summary>An SVHN file of <paramref name="n"/> H×W images: X column-major H×W×3×N uint8, y N×1 (double, or uint8 as MATLAB
    /// stores doubles that fit); a char variable first, which the reader must skip.</summary>
    private static byte[] SvhnFile(int n, int height, int width, bool compressed, bool yAsUInt8 = false, Func<int, double>? label = null)
    {
        var x = new byte[height * width * 3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                for (int w = 0; w < width; w++)
                    for (int h = 0; h < height; h++)
                        x[h + height * (w + width * (c + 3 * i))] = Pixel(i, h, w, c);
        byte[] y = yAsUInt8
            ? [.. Enumerable.Range(0, n).Select(i => (byte)(label?.Invoke(i) ?? Label(i)))]
            : [.. Enumerable.Range(0, n).SelectMany(i => BitConverter.GetBytes(label?.Invoke(i) ?? Label(i)))];
        byte[] note = Matrix("note", MxCharClass, [1, 2], 4 /* miUINT16 */, [(byte)'h', 0, (byte)'i', 0]);
        byte[] xm = Matrix("X", MxUInt8Class, [height, width, 3, n], MiUInt8, x);
        byte[] ym = Matrix("y", MxDoubleClass, [n, 1], yAsUInt8 ? MiUInt8 : MiDouble, y);
        return compressed ? [.. Header(), .. Compressed(note), .. Compressed(xm), .. Compressed(ym)] : [.. Header(), .. note, .. xm, .. ym];
    }

    private static void AssertDigits(ImageDataset set, int n, int height, int width)
    {
        Assert.Equal(n, set.Count);
        Assert.Equal(Svhn.Classes, set.Classes!);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(new ImageShape(3, height, width), set.StoredShapeOf(i));
            Assert.Equal(Label(i) % 10, set.Labels[i]);
            ReadOnlySpan<byte> chw = set.PixelsOf(i);
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < height; h++)
                    for (int w = 0; w < width; w++)
                        Assert.Equal(Pixel(i, h, w, c), chw[(c * height + h) * width + w]);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Cropped_digits_are_read_as_chw_images_with_label_10_as_digit_0(bool compressed, bool yAsUInt8)
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("train_32x32.mat"), SvhnFile(23, 32, 32, compressed, yAsUInt8));
        AssertDigits(Svhn.Read(dir.File("train_32x32.mat")), 23, 32, 32);
        var loaded = Svhn.Load(dir.Path, "train");
        var (image, label) = loaded[9];                        // label 10: the digit 0
        using (image)
        {
            Assert.Equal(0f, label);
            Assert.Equal([3, 32, 32], image.Shape);
            Assert.Equal(Pixel(9, 1, 2, 1) / 255f, image.ToArray()[(1 * 32 + 1) * 32 + 2], 6);   // ToTensor by default
        }
    }

    [Fact]
    public void Other_sizes_and_a_single_image_whose_trailing_dimension_matlab_dropped_are_read()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("a.mat"), SvhnFile(5, 7, 3, compressed: true));
        AssertDigits(Svhn.Read(dir.File("a.mat")), 5, 7, 3);
        byte[] one = [.. Header(),
            .. Matrix("X", MxUInt8Class, [4, 4, 3], MiUInt8, [.. Enumerable.Range(0, 48).Select(i => (byte)i)]),
            .. Matrix("y", MxDoubleClass, [1, 1], MiDouble, BitConverter.GetBytes(10.0))];
        File.WriteAllBytes(dir.File("one.mat"), one);
        var set = Svhn.Read(dir.File("one.mat"));
        Assert.Equal(1, set.Count);
        Assert.Equal(0, set.Labels[0]);
        Assert.Equal(4, set.PixelsOf(0)[1]);    // (c 0, h 0, w 1) = column-major index 4
    }

    [Fact]
    public void Bad_files_are_invalid_data_naming_what_is_wrong()
    {
        using var dir = new TempFolder();
        string path = dir.File("test_32x32.mat");
        void Expect(byte[] bytes, string fragment)
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => Svhn.Read(path));
            Assert.Contains(fragment, e.Message);
        }
        Expect(SvhnFile(4, 8, 8, compressed: true, label: i => i == 2 ? 11 : 1), "label 11 of image 2 is not one of 1–10");
        Expect(SvhnFile(4, 8, 8, compressed: false, label: i => i == 3 ? 2.5 : 1), "label 2.5 of image 3");
        byte[] good = SvhnFile(4, 8, 8, compressed: false);
        Expect(good[..(good.Length - 40)], "declares");
        byte[] packed = SvhnFile(4, 8, 8, compressed: true);
        Expect([.. packed[..^10]], "");
        Expect([.. Header(), .. Matrix("y", MxDoubleClass, [1, 1], MiDouble, BitConverter.GetBytes(1.0))], "has no variable X");
        Expect([.. Header(), .. Matrix("X", MxUInt8Class, [2, 2, 3, 2], MiUInt8, new byte[24]),
            .. Matrix("y", MxDoubleClass, [3, 1], MiDouble, new byte[24])], "X holds 2 images, but y holds 3 labels");
        Expect([.. Header(), .. Matrix("X", MxUInt8Class, [2, 2, 1, 2], MiUInt8, new byte[8])], "H×W×3×N");
        Expect("MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 ."u8.ToArray().Concat(new byte[128]).Take(128).Select((b, i) => i == 126 ? (byte)'I' : i == 127 ? (byte)'M' : b).ToArray(), "7.3 (HDF5)");
        Expect(new byte[200], "not a MATLAB 5.0 MAT-file");
        var split = Assert.Throws<ArgumentException>(() => Svhn.Load(dir.Path, "validation"));
        Assert.Contains("'validation'", split.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => Svhn.Load(dir.Path, "extra"));
        Assert.Contains("extra_32x32.mat", missing.Message);
    }
}
