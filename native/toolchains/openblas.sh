#!/usr/bin/env bash
# Builds the OpenBLAS that libconvsharp_native links statically, the same way for every runtime identifier:
# Debian's pinned source tarball, single precision only, CBLAS only (no Fortran, no LAPACK), static,
# threaded, DYNAMIC_ARCH over the CPU list of the architecture. The result lives outside the clone in a
# cache folder keyed by the recipe's hash, so a second build, and CI on the same machine, reuse it.
#
#   native/toolchains/openblas.sh <linux-x64|linux-arm64|win-x64|osx-arm64>     prints the install prefix on stdout
#
# The prefix holds lib/libopenblas.a and include/ (cblas.h, openblas_config.h, ...). Cache root:
# $CONVSHARP_CACHE (default ~/.cache/convsharp). Log of the build: <prefix>.log. The cache key hashes the
# recipe (version, tarball hash, compiler, make options, recipe_revision): bump recipe_revision when the
# way the library is built or installed changes in a way the options do not show.
set -euo pipefail

rid=${1:?usage: openblas.sh <linux-x64|linux-arm64|win-x64|osx-arm64>}

# The pinned source: Debian bookworm's orig tarball of 0.3.21 (Debian strips lapack-netlib and relapack,
# which this recipe does not build anyway).
version=0.3.21
tarball=openblas_${version}+ds.orig.tar.xz
sha256=bbec5cca61c8033b2d57aaecde205d709323a0b35a5f193290081dbb3826848a

# The CPU lists. OpenBLAS 0.3.21 adds a generic core to each (PRESCOTT on x86-64, ARMV8 on arm64), which
# serves every CPU the list does not name. 0.3.21 has no Sapphire Rapids core of its own: its runtime
# detection hands those CPUs the Cooperlake kernels (driver/others/dynamic.c), so COOPERLAKE covers them.
# It also knows no Apple core in DYNAMIC_ARCH (implementer 0x61 falls back to ARMV8).
x64_cores="SANDYBRIDGE HASWELL ZEN SKYLAKEX COOPERLAKE"
arm64_cores="CORTEXA53 CORTEXA72 NEOVERSEN1 NEOVERSEV1"

# Single precision (sgemm is the only BLAS call ConvSharp makes), no Fortran, no LAPACK, static only.
# TARGET=GENERIC as Debian does: the build never depends on the CPU of the machine it runs on.
options=(DYNAMIC_ARCH=1 TARGET=GENERIC BUILD_SINGLE=1 ONLY_CBLAS=1 NOFORTRAN=1 NO_LAPACK=1 NO_LAPACKE=1
         NO_SHARED=1 NO_STATIC=0 USE_THREAD=1 USE_OPENMP=0 NUM_THREADS=64 NO_AFFINITY=1 NO_WARMUP=1
         COMMON_OPT=-O2 BINARY=64)
case "$rid" in
  linux-x64)   cc=gcc;                    options+=("DYNAMIC_LIST=$x64_cores") ;;
  # Windows x64 guarantees a 16-byte aligned stack, and GCC still spills AVX registers with aligned moves
  # (GCC bug 54412): the assembler rewrites those as unaligned moves, which cost nothing on aligned data.
  # 0.3.21's c_check and Makefiles compare `$CC -dumpversion` with 4.6, 7, 10, ... as strings or with expr, and
  # MinGW's "12-win32" loses every comparison: NO_AVX2 gets set and the Haswell kernels lose -mavx2 (their AVX
  # intrinsics then fail to compile). The build runs through a wrapper that reports "12" (see below).
  win-x64)     cc=x86_64-w64-mingw32-gcc; options=("${options[@]/#COMMON_OPT=-O2/COMMON_OPT=-O2 -Wa,-muse-unaligned-vector-move}")
               options+=("DYNAMIC_LIST=$x64_cores" HOSTCC=gcc CROSS=1 OS=WINNT AR=x86_64-w64-mingw32-ar RANLIB=x86_64-w64-mingw32-ranlib) ;;
  linux-arm64) cc=aarch64-linux-gnu-gcc;  options+=("DYNAMIC_LIST=$arm64_cores" HOSTCC=gcc CROSS=1 AR=aarch64-linux-gnu-ar RANLIB=aarch64-linux-gnu-ranlib) ;;
  # For a contributor on a Mac (README, Platforms); never run here (no Apple SDK). 0.3.21's runtime dispatch knows
  # no Apple core, so this one build is for Apple's own (VORTEX = M1 and later) instead of DYNAMIC_ARCH.
  osx-arm64)   cc=clang; options=("${options[@]/#DYNAMIC_ARCH=1/DYNAMIC_ARCH=0}"); options=("${options[@]/#TARGET=GENERIC/TARGET=VORTEX}") ;;
  *) echo "openblas.sh: no OpenBLAS recipe for the runtime identifier '$rid' (supported: linux-x64, linux-arm64, win-x64; osx-arm64 on a Mac)" >&2; exit 2 ;;
esac
command -v "$cc" >/dev/null || { echo "openblas.sh: the C compiler $cc for $rid is not installed" >&2; exit 2; }

recipe_revision=1
cache=${CONVSHARP_CACHE:-$HOME/.cache/convsharp}/openblas
# 0.3.21's Windows thread server does not compile without the double and complex types; the patch guards
# those lines as the Linux server already does (applied for every RID: only Windows compiles that file).
patch_file=$(dirname "${BASH_SOURCE[0]}")/openblas-0.3.21-win32-single.patch
recipe=$( (printf '%s\n' "$recipe_revision" "$version" "$sha256" "$rid" "$cc" "${options[@]}"; cat "$patch_file") | sha256sum | cut -c1-16)
prefix=$cache/$recipe/$rid
if [[ -f $prefix/lib/libopenblas.a && -f $prefix/include/cblas.h ]]; then echo "$prefix"; exit 0; fi
# One build per recipe and RID at a time: a second caller (CI next to a developer's build) waits for the first.
mkdir -p "$cache/$recipe"
exec 9> "$cache/$recipe/$rid.lock"
if ! flock -n 9; then
  echo "openblas.sh: another build of OpenBLAS for $rid (recipe $recipe) is running; waiting for it" >&2
  flock 9
fi
if [[ -f $prefix/lib/libopenblas.a && -f $prefix/include/cblas.h ]]; then echo "$prefix"; exit 0; fi

# The source, fetched once per machine through apt with a private list and state folder (the system's apt
# configuration is not touched), from the Debian mirror the system already uses.
src=$cache/src/$tarball
if [[ ! -f $src ]] || ! echo "$sha256  $src" | sha256sum -c --status; then
  mkdir -p "$cache/src"
  fetch=$(mktemp -d)
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
  [[ -n $mirror ]] || { echo "openblas.sh: no Debian mirror found in /etc/apt to fetch $tarball from; put the file (SHA-256 $sha256, from any Debian mirror's pool/main/o/openblas/) at $src" >&2; exit 2; }
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" > "$fetch/list"
  mkdir -p "$fetch/lists/partial"
  apt_opts=(-o "Dir::Etc::SourceList=$fetch/list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$fetch/lists")
  apt-get "${apt_opts[@]}" update >&2
  (cd "$fetch" && apt-get "${apt_opts[@]}" source --download-only openblas >&2)
  mv "$fetch/$tarball" "$src"
  rm -rf "$fetch"
  echo "$sha256  $src" | sha256sum -c --status || { echo "openblas.sh: $src does not have the pinned SHA-256 $sha256" >&2; rm -f "$src"; exit 2; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/convsharp-openblas.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xJf "$src" -C "$work"
patch -s -d "$work/OpenBLAS-$version" -p1 < "$patch_file"
mkdir -p "$(dirname "$prefix")"
log=$prefix.log
start=$SECONDS
echo "openblas.sh: building OpenBLAS $version for $rid (recipe $recipe, log $log)" >&2
# The compiler OpenBLAS's make sees: the cross compiler itself, except that `-dumpversion` drops a "-win32"
# style suffix (the numeric comparisons above). The wrapper keeps the compiler's name, first on PATH, because
# c_check derives the cross prefix of ar/ranlib from that name.
if [[ $($cc -dumpversion) == *-* ]]; then
  mkdir -p "$work/bin"
  real_cc=$(command -v "$cc")
  printf '#!/bin/sh\nfor a in "$@"; do [ "$a" = -dumpversion ] && { %s "$@" | sed "s/-.*//"; exit; }; done\nexec %s "$@"\n' "$real_cc" "$real_cc" > "$work/bin/$cc"
  chmod +x "$work/bin/$cc"
  export PATH="$work/bin:$PATH"
fi
make_cc=$cc
staging=$prefix.tmp
rm -rf "$staging"
if ! { make -C "$work/OpenBLAS-$version" -j"${CONVSHARP_OPENBLAS_JOBS:-2}" CC="$make_cc" "${options[@]}" libs &&
       make -C "$work/OpenBLAS-$version" CC="$make_cc" "${options[@]}" PREFIX="$staging" install; } > "$log" 2>&1; then
  tail -30 "$log" >&2
  echo "openblas.sh: the OpenBLAS build for $rid failed (log $log)" >&2
  exit 1
fi
# make install writes libopenblasp-r<version>.a and the libopenblas.a link to it that CMake names.
[[ -f $staging/lib/libopenblas.a ]] || { echo "openblas.sh: make install left no $staging/lib/libopenblas.a (log $log)" >&2; exit 1; }
echo "OpenBLAS $version for $rid built in $((SECONDS - start)) s: ${options[*]}" > "$staging/recipe.txt"
rm -rf "$prefix"
mv "$staging" "$prefix"
echo "openblas.sh: $rid built in $((SECONDS - start)) s" >&2
echo "$prefix"
