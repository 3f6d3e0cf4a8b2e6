# Cross-compiles libconvsharp_native.so for linux-arm64 on a Debian x86-64 host with Debian's cross toolchain
# (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross) and the OpenBLAS of toolchains/openblas.sh linux-arm64:
#   cmake -S native -B artifacts/obj/native-linux-arm64 -DCMAKE_TOOLCHAIN_FILE=native/toolchains/linux-arm64.cmake \
#         -DCONVSHARP_RID=linux-arm64 -DCONVSHARP_OPENBLAS=$(native/toolchains/openblas.sh linux-arm64)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Multiarch: arm64 libraries sit beside the host's in /usr/lib/aarch64-linux-gnu, so the root is the
# host's own; CMAKE_LIBRARY_ARCHITECTURE above makes find_library look in that folder, not x86_64's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# arm64 OpenBLAS kernels call libm's sqrt (x86-64's use the instruction), so every link of the static
# libopenblas.a needs libm (and its thread server libpthread).
set(CMAKE_C_STANDARD_LIBRARIES "-lm -lpthread")
