#!/usr/bin/env bash
# Runs the device check bundle (artifacts/device/, built by tools/device/gpu-check.sh) and writes one markdown table per
# part to $OUT. On the GPU machine: finds the NVIDIA OpenCL driver, times PyTorch on the same GPU (torch_peer.py), then
# DeviceCheck (devices, op parity vs the CPU backend before any timing, SGEMM, conv layers, training steps on OpenCL and
# on the CPU backend); the summary comes last. --local: against this machine's OpenCL (PoCL), small sizes, no PyTorch.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bundle=$root/artifacts/device
out=${OUT:-$root/artifacts/device-out}
local_mode=0
[[ ${1:-} == --local ]] && local_mode=1
mkdir -p "$out"
if [[ ! -x $bundle/ConvSharp.DeviceCheck ]]; then
  echo "run.sh: $bundle/ConvSharp.DeviceCheck is missing: build the bundle with tools/device/gpu-check.sh (and carry artifacts/device)." >&2
  exit 2
fi
echo "run.sh: bundle of commit $(cat "$bundle/COMMIT" 2>/dev/null || echo '?'), results to $out"

# (a) The NVIDIA OpenCL driver: named to the bundled ICD loader with OCL_ICD_FILENAMES.
{
  echo "## OpenCL driver search"
  echo
  if (( local_mode )); then
    echo "Local run: the ICD loader reads this machine's /etc/OpenCL/vendors ($(ls /etc/OpenCL/vendors 2>/dev/null | tr '\n' ' '))."
  else
    searched=()
    found=""
    for dir in /usr/local/nvidia /usr/lib /usr/lib64 /usr/lib32 /usr/lib/x86_64-linux-gnu /usr/local/cuda*; do
      [[ -d $dir ]] || { searched+=("$dir (absent)"); continue; }
      searched+=("$dir")
      hit=$(find "$dir" -maxdepth 4 -name 'libnvidia-opencl.so.1*' 2>/dev/null | sort | head -n 1)
      if [[ -n $hit && -z $found ]]; then found=$hit; fi
    done
    echo "Searched for libnvidia-opencl.so.1 in: ${searched[*]}."
    echo
    if [[ -n $found ]]; then
      export OCL_ICD_FILENAMES=$found
      echo "Found **$found**; OCL_ICD_FILENAMES=$found."
    else
      echo "**No libnvidia-opencl.so.1 was found** in those folders; the loader falls back to /etc/OpenCL/vendors ($(ls /etc/OpenCL/vendors 2>/dev/null | tr '\n' ' ' || true))."
    fi
    command -v nvidia-smi >/dev/null && { echo; echo '```'; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1; echo '```'; }
  fi
} > "$out/0-driver.md"
cat "$out/0-driver.md"
echo

# Locally the convolutions would run as im2col + SGEMM (the CPU-driver default); the check is there to exercise
# the GPU path, so it asks for the implicit-GEMM kernels.
(( local_mode )) && export CONVSHARP_OPENCL_CONV=${CONVSHARP_OPENCL_CONV:-implicit}
export LD_LIBRARY_PATH=$bundle${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# Scratch (the program-binary cache, PyTorch's JSON) stays out of $OUT: the device tool returns at most 8 files, the
# 8 markdown parts.
scratch=$(mktemp -d)
export CONVSHARP_OPENCL_CACHE=${CONVSHARP_OPENCL_CACHE:-$scratch/opencl-cache}

# (d) PyTorch on the same GPU, first, so DeviceCheck's tables and summary can set ConvSharp beside it.
peer=()
if (( ! local_mode )); then
  if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    timeout 200 python3 "$root/tools/device/torch_peer.py" --markdown "$out/6-torch.md" --json "$scratch/torch.json" && peer=(--peer "$scratch/torch.json")
  else
    echo "## PyTorch" > "$out/6-torch.md"
    echo >> "$out/6-torch.md"
    echo "python3 has no torch with CUDA here: $(python3 -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>&1 | tail -n 1)" >> "$out/6-torch.md"
    cat "$out/6-torch.md"
  fi
fi

args=(--out "$out")
(( local_mode )) && args+=(--local)
timeout 420 "$bundle/ConvSharp.DeviceCheck" "${args[@]}" "${peer[@]}"
code=$?
case $code in
  0) ;;
  1) echo "run.sh: DeviceCheck found OpenCL results that differ from the CPU's (see $out/2-parity.md); nothing of ours was timed." ;;
  3) echo "run.sh: DeviceCheck found no OpenCL device (see $out/0-driver.md and $out/1-devices.md)." ;;
  124) echo "run.sh: DeviceCheck ran past its 420 s limit." ;;
  *) echo "run.sh: DeviceCheck exited with $code." ;;
esac
echo
[[ -f $out/6-torch.md ]] && cat "$out/6-torch.md"
echo
[[ -f $out/9-summary.md ]] && cat "$out/9-summary.md"
exit $code
