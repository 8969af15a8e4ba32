#!/usr/bin/env bash
# Configures (once) and builds Anneal incrementally into build/. Extra arguments go to CMake's
# configure step, e.g. scripts/build.sh -DANNEAL_BUILD_GUI=OFF.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ANNEAL_BUILD_DIR:-$root/build}"
jobs="${ANNEAL_JOBS:-$(nproc)}"
if [[ ! -f "$build/CMakeCache.txt" || $# -gt 0 ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${ANNEAL_BUILD_TYPE:-RelWithDebInfo}" "$@"
fi
cmake --build "$build" -j "$jobs"
