#!/usr/bin/env bash
# Installs what is missing, builds, and opens the desktop app on the embedded default experiment
# (training starts at once when the database has no runs). Arguments go to the app, e.g.
#   scripts/run.sh --db /tmp/lab.db --run resources/experiments/wsd.toml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec "${ANNEAL_BUILD_DIR:-$root/build}/bin/anneal" "$@"
