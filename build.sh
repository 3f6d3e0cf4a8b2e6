#!/usr/bin/env bash
# One entry point on a fresh Debian machine with only the .NET SDK: installs the Debian packages the
# native build needs (when run as root; otherwise prints the apt-get line), restores the pinned Cake
# tool, and runs a Cake target from build.cake, e.g. ./build.sh --target=Test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Debian packages: the C toolchain and CMake for native/, and Debian's static OpenBLAS (libopenblas-pthread-dev:
# the sanitizer builds and the BlasCeiling comparison; the packaged libraries link OpenBLAS built from source).
# fonts-dejavu-core: the text in PNG plots (SkiaSharp finds no font without one).
# ocl-icd-libopencl1 + pocl-opencl-icd: the OpenCL loader and PoCL, a CPU OpenCL driver the OpenCL tests run on.
# python3-onnx: onnx.helper writes the ONNX models the import tests read (an independent writer; /usr/bin/python3).
# openmpi-bin + libopenmpi-dev: Open MPI's mpirun and libmpi.so.40, for data-parallel training (ConvSharp.Distributed)
# and the tests that launch it.
# xz-utils: unpacks the pinned OpenBLAS source (native/toolchains/openblas.sh builds it once per recipe, outside the clone).
# gcc-mingw-w64-x86-64 + wine64: the win-x64 convsharp_native.dll and the Windows leg of PackSmoke, run under Wine.
# gcc-aarch64-linux-gnu + libc6-dev-arm64-cross + qemu-user: the linux-arm64 library and its C smoke test under
# qemu-user; libstdc++6-arm64-cross + libgcc-s1-arm64-cross: what an arm64 .NET app needs there.
packages=(cmake make gcc libc6-dev libopenblas-pthread-dev fonts-dejavu-core ocl-icd-libopencl1 pocl-opencl-icd python3-onnx openmpi-bin libopenmpi-dev
          xz-utils gcc-mingw-w64-x86-64 wine64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross qemu-user)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  install_line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    echo "build.sh: installing Debian packages: ${missing[*]}"
    bash -c "$install_line"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "build.sh: installing Debian packages with sudo: ${missing[*]}"
    sudo bash -c "$install_line"
  else
    echo "build.sh: these Debian packages are missing: ${missing[*]}" >&2
    echo "Install them as root, then run build.sh again:" >&2
    echo "  $install_line" >&2
    exit 1
  fi
fi

if ! command -v dotnet >/dev/null; then
  echo "build.sh: the .NET 10 SDK is needed (dotnet was not found on PATH)." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
