namespace ConvSharp.IO;

/// <summary>Replaces a file all at once: the content goes to a temporary file in the same folder,
/// is flushed to disk, and only then renamed over the target (a rename within one file system is
/// atomic on POSIX). A write that throws, or a process that dies mid-write, leaves the previous file
/// as it was; on an exception the temporary file is deleted.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>. <paramref name="wrap"/> is a
    /// test seam: it may wrap the file stream (to inject a failure) before <paramref name="write"/> sees it.</summary>
    internal static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        bool moved = false;
        try
        {
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 1 << 16,
            }))
            {
                Stream target = wrap?.Invoke(file) ?? file;
                write(target);
                target.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved) TryDelete(temp);
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original exception matters more; a leftover temp file is named so it is easy to spot.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
