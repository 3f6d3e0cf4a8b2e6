namespace ConvSharp.IO;

/// <summary>The one gate every loader passes a path through before opening it (model files, datasets, images):
/// only a regular file (a symbolic link to one is fine) is opened. A FIFO would block the open until some writer
/// appears, a character device such as <c>/dev/zero</c> never ends, and a directory is no file at all; each is
/// refused here by name, before anything is opened or allocated.</summary>
public static class RegularFile
{
    /// <summary>Checks that <paramref name="path"/> names an existing regular file and returns its length in bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is meant to be, for the message ("model file", "image").</param>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    /// <exception cref="IOException">The path is a directory, FIFO, device or socket.</exception>
    public static long Check(string path, string what = "file")
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string kind = Kind(path);
        if (kind == "missing") throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        if (kind != "regular")
            throw new IOException($"{what} '{path}' is {kind}, not a regular file; only regular files are read.");
        return new FileInfo(path).Length;
    }

    /// <summary>Opens <paramref name="path"/> for reading after <see cref="Check"/>.</summary>
    /// <inheritdoc cref="Check" path="/param"/>
    public static FileStream OpenRead(string path, string what = "file")
    {
        Check(path, what);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    /// <summary>Reads the whole of <paramref name="path"/> after <see cref="Check"/>, refusing a file longer than
    /// <paramref name="maxBytes"/> before allocating (a format's own bound on what it can justify).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes the caller's format can justify.</param>
    /// <param name="what">What the file is meant to be, for the message.</param>
    /// <exception cref="InvalidDataException">The file is longer than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what = "file")
    {
        long length = Check(path, what);
        if (length > maxBytes)
            throw new InvalidDataException($"{what} '{path}' is {length} bytes, more than the {maxBytes} bytes it may have.");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        // The length can change between the check and the read: read what is there, up to the bound.
        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = file.Read(bytes, read, bytes.Length - read);
            if (n == 0) break;
            read += n;
        }
        return read == bytes.Length ? bytes : bytes[..read];
    }

    /// <summary>"regular", "missing", or a phrase for what else the path is ("a directory", "a FIFO (named pipe)", ...).</summary>
    internal static string Kind(string path) => Interop.Native.cs_file_kind(path) switch
    {
        0 => "missing",
        1 => "regular",
        2 => "a directory",
        3 => "a FIFO (named pipe)",
        4 => "a character device",
        5 => "a block device",
        6 => "a socket",
        _ => "not a regular file",
    };
}
