# Cross-compiles convsharp_native.dll for win-x64 on a Debian x86-64 host with MinGW-w64
# (apt-get install gcc-mingw-w64-x86-64) and the OpenBLAS of toolchains/openblas.sh win-x64:
#   cmake -S native -B artifacts/obj/native-win-x64 -DCMAKE_TOOLCHAIN_FILE=native/toolchains/win-x64.cmake \
#         -DCONVSHARP_RID=win-x64 -DCONVSHARP_OPENBLAS=$(native/toolchains/openblas.sh win-x64)
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
