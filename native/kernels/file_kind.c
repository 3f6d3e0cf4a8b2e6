/* What kind of file system object a path names, asked before a loader opens it: open() on a FIFO blocks
   until a writer appears, and a character device such as /dev/zero never ends, so neither can be
   detected after opening. .NET's FileSystemInfo reports only "directory or not". */
#include "convsharp_native.h"

#include <stddef.h>
#include <sys/stat.h>

int32_t cs_file_kind(const char* path)
{
    struct stat st;
    if (path == NULL || stat(path, &st) != 0) return CS_FILE_MISSING;
    if (S_ISREG(st.st_mode)) return CS_FILE_REGULAR;
    if (S_ISDIR(st.st_mode)) return CS_FILE_DIRECTORY;
#ifdef S_ISFIFO
    if (S_ISFIFO(st.st_mode)) return CS_FILE_FIFO;
#endif
#ifdef S_ISCHR
    if (S_ISCHR(st.st_mode)) return CS_FILE_CHAR_DEVICE;
#endif
#ifdef S_ISBLK
    if (S_ISBLK(st.st_mode)) return CS_FILE_BLOCK_DEVICE;
#endif
#ifdef S_ISSOCK
    if (S_ISSOCK(st.st_mode)) return CS_FILE_SOCKET;
#endif
    return CS_FILE_OTHER;
}
