#!/usr/bin/env bash
# Builds the device-check bundle under artifacts/device/: the Native AOT DeviceCheck binary, libconvsharp_native.so and
# the OpenCL ICD loader libOpenCL.so.1 (Debian's ocl-icd-libopencl1) — everything the GPU machine, which has no .NET and
# no package registry, needs beside tools/device/run.sh. At most 60 MiB.
#   tools/device/gpu-check.sh           build the bundle; then run it on the device with `bash tools/device/run.sh`
#                                       (device tool: carry ["artifacts/device"])
#   tools/device/gpu-check.sh --local   build it and run it here against PoCL at small sizes (what CI runs)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
mode=${1:-}
if [[ -n $mode && $mode != --local ]]; then
  echo "gpu-check.sh: unknown argument '$mode'; use no argument (build the bundle) or --local (build and run it on PoCL)." >&2
  exit 2
fi

bundle=$root/artifacts/device
native=$root/artifacts/native/linux-x64/libconvsharp_native.so
loader=/usr/lib/x86_64-linux-gnu/libOpenCL.so.1
[[ -f $native ]] || ./build.sh --target=Native
if [[ ! -e $loader ]]; then
  echo "gpu-check.sh: $loader is missing: install Debian's ocl-icd-libopencl1 (build.sh installs it when run as root)." >&2
  exit 1
fi

start=$(date +%s)
publish=$root/artifacts/obj/devicecheck-publish
rm -rf "$publish"
dotnet publish tools/DeviceCheck -c Release -r linux-x64 -p:PublishAot=true -p:TrimmerSingleWarn=false \
  -o "$publish" --nologo -v q
rm -rf "$bundle"
mkdir -p "$bundle"
cp "$publish/ConvSharp.DeviceCheck" "$bundle/"
cp -L "$native" "$bundle/libconvsharp_native.so"
cp -L "$loader" "$bundle/libOpenCL.so.1"
git -C "$root" rev-parse --short HEAD > "$bundle/COMMIT" 2>/dev/null || echo unknown > "$bundle/COMMIT"
size=$(du -sb "$bundle" | cut -f1)
echo "gpu-check.sh: bundle $bundle: $(ls "$bundle" | tr '\n' ' ')— $((size / 1048576)) MiB, built in $(( $(date +%s) - start )) s"
if (( size > 60 * 1048576 )); then
  echo "gpu-check.sh: the bundle is $((size / 1048576)) MiB, over the 60 MiB limit." >&2
  exit 1
fi

if [[ $mode == --local ]]; then
  OUT=${OUT:-$root/artifacts/device-local} bash "$root/tools/device/run.sh" --local
else
  echo "gpu-check.sh: now run it on the device: the device tool's run with command 'bash tools/device/run.sh' and carry [\"artifacts/device\"]."
fi
