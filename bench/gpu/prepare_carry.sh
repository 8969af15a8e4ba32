#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Downloads the Debian 12 packages that bench/gpu/run_gpu.sh needs on a GPU machine without apt
# (SQLite, SQLiteCpp, toml++, nlohmann-json, CLI11, Ceres and its solvers, Google Benchmark, and Qt 6
# Core + Test with moc for the test suites), as .deb files into an ignored folder that travels with
# the working tree. run_gpu.sh unpacks them there (dpkg -x, or ar + tar) and builds against them.
# Everything that is not the C and C++ runtime, zlib or the GPU stack comes from here, so the build
# does not depend on what that machine happens to have installed.
#
#   bench/gpu/prepare_carry.sh [DIR]     (default: .gpu-carry beside the sources; ~40 MB)
#   bench/gpu/prepare_carry.sh --check [DIR]
#       unpacks DIR/debs into DIR/check-root and checks that every shared library in it finds each of
#       its dependencies in the carry or among the system libraries the GPU machine has (libc, libm,
#       libstdc++, libgcc_s, zlib, ld.so): a missing runtime package shows up here, not there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
check=0
if [[ ${1:-} == --check ]]; then
    check=1
    shift
fi
if [[ $# -gt 1 || ${1:-} == -* ]]; then
    echo "usage: prepare_carry.sh [--check] [DIR]   (DIR default: $root/.gpu-carry)" >&2
    exit 2
fi
dir="$(realpath -m "${1:-$root/.gpu-carry}")"

# Build-time packages (headers, CMake configs, static or .so link names) and every runtime library
# they pull in that a CUDA image need not have. Keep in step with packaging/debian-deps.txt.
packages=(
    # storage and formats
    libsqlite3-dev libsqlite3-0 libsqlitecpp-dev libtomlplusplus-dev libtomlplusplus3 nlohmann-json3-dev libcli11-dev
    # real-text sources: gzip/dictzip through zlib (headers and link name; the runtime is the system's)
    zlib1g-dev zlib1g
    # scaling-law fitting: Ceres, its Eigen headers, glog/gflags, SuiteSparse, BLAS/LAPACK
    libceres-dev libceres3 libeigen3-dev libgoogle-glog-dev libgoogle-glog0v6 libgflags-dev libgflags2.2
    libunwind-dev libunwind8 liblzma5
    libsuitesparse-dev libsuitesparseconfig5 libamd2 libcamd2 libbtf1 libcolamd2 libccolamd2 libcholmod3
    libcxsparse3 libklu1 libldl2 libmongoose2 libumfpack5 librbio2 libspqr2 libsliplu1 libmetis5
    libgmp10 libmpfr6 libatlas3-base libblas-dev libblas3 liblapack-dev liblapack3
    libgfortran5 libquadmath0 libgomp1 libtbb12 libhwloc15 libudev1
    # benchmarks (bench/ is built only when Google Benchmark is found)
    libbenchmark-dev libbenchmark1debian
    # Qt 6 Core + Test and moc, for the Qt Test suites
    qt6-base-dev qt6-base-dev-tools qmake6 qmake6-bin libqt6core6 libqt6test6 libqt6dbus6 libdbus-1-3 libsystemd0 libcap2 libgcrypt20
    libgpg-error0 liblz4-1 libicu72 libdouble-conversion3 libb2-1 libpcre2-16-0 libglib2.0-0 libpcre2-8-0 libffi8
    libmount1 libselinux1 libblkid1 libzstd1
)

. "$here/unpack_deb.sh"

if [[ $check == 0 ]]; then
    command -v apt-get >/dev/null || { echo "prepare_carry: needs apt-get (run it on Debian 12)" >&2; exit 1; }
    mkdir -p "$dir/debs"
    rm -f "$dir/debs"/*.deb
    (cd "$dir/debs" && apt-get download "${packages[@]}")
    printf '%s\n' "${packages[@]}" > "$dir/packages.txt"
    . /etc/os-release
    echo "$PRETTY_NAME $(dpkg --print-architecture)" > "$dir/origin.txt"
    grep -qxF '/.gpu-carry/' "$root/.gitignore" || echo "note: .gpu-carry/ is not in .gitignore" >&2
    echo "prepare_carry: $(ls "$dir/debs" | wc -l) packages, $(du -sh "$dir/debs" | cut -f1) in $dir/debs"
    echo "device call: carry [\".gpu-carry\"], command: bash bench/gpu/run_gpu.sh"
    exit 0
fi

# --check: unpack and resolve every shared library's dependencies against the carry alone.
[[ -d $dir/debs ]] || { echo "prepare_carry: no $dir/debs (run prepare_carry.sh first)" >&2; exit 1; }
rootdir="$dir/check-root"
rm -rf "$rootdir"
mkdir -p "$rootdir"
for f in "$dir"/debs/*.deb; do
    unpack_deb "$f" "$rootdir"
done
libdirs=$(find "$rootdir" -name '*.so*' -type f -printf '%h\n' | sort -u | tr '\n' ':')
# What any Linux with a C++ compiler has; everything else must come from the carry.
system='^(linux-vdso|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|libz|ld-linux-x86-64)\.so'
missing=0
while IFS= read -r so; do
    while IFS= read -r dep; do
        name=${dep%% *}
        [[ $name =~ $system ]] && continue
        if [[ $dep == *"not found"* ]]; then
            echo "missing: $name (needed by ${so#"$rootdir"/})"
            missing=1
        elif [[ $dep != *"$rootdir"* && $dep == *"=>"* ]]; then
            echo "outside the carry: $name (needed by ${so#"$rootdir"/}): $dep"
            missing=1
        fi
    done < <(LD_LIBRARY_PATH="$libdirs" ldd "$so" 2>/dev/null | sed 's/^[[:space:]]*//')
done < <(find "$rootdir" \( -name '*.so*' -o -path '*/libexec/moc' \) -type f -perm -u+r | while read -r f; do
    file -b "$f" 2>/dev/null | grep -q 'ELF' && echo "$f"; done)
rm -rf "$rootdir"
if [[ $missing == 1 ]]; then
    echo "prepare_carry --check: add the packages above to prepare_carry.sh" >&2
    exit 1
fi
echo "prepare_carry --check: every carried library resolves within the carry and the base system"
