#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest. Extra arguments go to
# ctest, e.g. scripts/test.sh -R config  or  scripts/test.sh -L ui.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
export OPENBLAS_NUM_THREADS=1
export QT_QPA_PLATFORM=offscreen
cd "${ANNEAL_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 900 "$@"
