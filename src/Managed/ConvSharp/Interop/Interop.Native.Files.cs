using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static partial class Native
    {
        // int32_t cs_file_kind(const char* path);  (CS_FILE_* in convsharp_native.h)
        [LibraryImport(Libraries.Native, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int cs_file_kind(string path);
    }
}
