namespace ConvSharp.Data;

/// <summary>SVHN (Street View House Numbers), the cropped-digits format (torchvision's <c>SVHN</c>): train_32x32.mat
/// (73,257 digits), test_32x32.mat (26,032) and extra_32x32.mat (531,131), each a MATLAB Level 5 MAT-file holding
/// <c>X</c>, uint8 32×32×3×N (height, width, channel, image; column-major, as MATLAB stores every array), and <c>y</c>,
/// N×1 labels 1–10 where 10 stands for the digit 0. The dataset's labels are the digits 0–9, as torchvision maps them.
/// <para>Why the .mat files: the cropped digits are distributed only in that format (there is no binary like CIFAR's);
/// reading it needs the small part of MAT v5 those two variables use, zlib-compressed elements included
/// (<c>save -v7</c> and scipy's <c>savemat(do_compression=True)</c> write those), which System.IO.Compression reads.
/// v7.3 (HDF5) files are refused with a message.</para></summary>
public static class Svhn
{
    /// <summary>The class names: the digits, by label.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Split <paramref name="split"/> ("train", "test" or "extra") from <paramref name="directory"/>
    /// (<c>{split}_32x32.mat</c>). <paramref name="transform"/> null means <see cref="ToTensor"/>, as for <see cref="Cifar10.Load"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="split"/> is none of the three.</exception>
    /// <exception cref="FileNotFoundException">The file is not in <paramref name="directory"/>.</exception>
    public static ImageDataset Load(string directory, string split = "train", Transform? transform = null)
    {
        Guard.NotNull(directory);
        Guard.NotNull(split);
        if (split is not ("train" or "test" or "extra"))
            throw new ArgumentException($"SVHN split '{split}' is not one of train, test, extra.", nameof(split));
        string path = Path.Combine(directory, $"{split}_32x32.mat");
        if (!File.Exists(path))
            throw new FileNotFoundException($"SVHN file {split}_32x32.mat not found in {directory}. " +
                "Download the cropped digits (Format 2) from http://ufldl.stanford.edu/housenumbers/.", path);
        return Read(path).WithTransform(transform ?? new ToTensor());
    }

    /// <summary>Reads one cropped-digits file into a dataset of raw pixels (no transform), images as C×H×W.</summary>
    /// <exception cref="InvalidDataException">The file is not a MAT v5 file, lacks X or y, their sizes disagree, X is not
    /// uint8 H×W×3×N, or a label is not 1–10; the message names the file and the value.</exception>
    public static ImageDataset Read(string path)
    {
        Guard.NotNull(path);
        byte[]? pixels = null;
        double[]? y = null;
        int height = 0, width = 0, images = 0;
        MatFile.Read(path, (v, data) =>
        {
            if (v.Name == "X")
            {
                // MATLAB drops trailing singleton dimensions: a file of one image has X of 32×32×3.
                int[] d = v.Dimensions.Length == 3 ? [.. v.Dimensions, 1] : v.Dimensions;
                if (d.Length != 4 || d[2] != 3)
                    throw new InvalidDataException($"{path}: X has dimensions {Guard.Format(v.Dimensions)}; SVHN's cropped digits are H×W×3×N.");
                if (v.DataType != MatFile.UInt8)
                    throw new InvalidDataException($"{path}: X is stored as MAT data type {v.DataType}; SVHN's X is uint8 (type {MatFile.UInt8}).");
                (height, width, images) = (d[0], d[1], d[3]);
                long image = 3L * height * width;
                if (v.DataBytes != image * images)
                    throw new InvalidDataException($"{path}: X is {height}×{width}×3×{images}, {image * images} bytes, but its data has {v.DataBytes}.");
                if (image * images > Array.MaxLength) throw new InvalidDataException($"{path}: X holds {image * images} bytes, more than one array can hold.");
                pixels = GC.AllocateUninitializedArray<byte>((int)(image * images));
                // MATLAB's column-major H×W×3 image: element (h, w, c) at h + H·w + H·W·c. CHW wants c·H·W + h·W + w.
                byte[] column = new byte[image];
                for (int n = 0; n < images; n++)
                {
                    MatFile.ReadFully(path, data, column);
                    Span<byte> chw = pixels.AsSpan((int)(n * image), (int)image);
                    for (int c = 0; c < 3; c++)
                        for (int w = 0; w < width; w++)
                            for (int h = 0; h < height; h++)
                                chw[(c * height + h) * width + w] = column[(c * width + w) * height + h];
                }
                return true;
            }
            if (v.Name == "y")
            {
                long count = (long)v.Dimensions.Aggregate(1L, (a, d) => a * d);
                if (v.Dimensions.Count(d => d != 1) > 1)
                    throw new InvalidDataException($"{path}: y has dimensions {Guard.Format(v.Dimensions)}; SVHN's labels are N×1.");
                y = MatFile.ReadDoubles(path, data, v.DataType, v.DataBytes, count);
                return true;
            }
            return false;
        });
        if (pixels is null) throw new InvalidDataException($"{path} has no variable X (the images); is it SVHN's cropped-digits file?");
        if (y is null) throw new InvalidDataException($"{path} has no variable y (the labels); is it SVHN's cropped-digits file?");
        if (y.Length != images) throw new InvalidDataException($"{path}: X holds {images} images, but y holds {y.Length} labels.");
        var labels = new int[images];
        for (int i = 0; i < images; i++)
        {
            double label = y[i];
            if (label is < 1 or > 10 || label != Math.Floor(label))
                throw new InvalidDataException($"{path}: label {label} of image {i} is not one of 1–10 (10 stands for the digit 0).");
            labels[i] = (int)label % 10;
        }
        return new ImageDataset(pixels, new ImageShape(3, height, width), labels, Classes);
    }
}
