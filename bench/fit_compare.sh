#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Anneal (bench/fit_chinchilla, C++ + Ceres L-BFGS) vs SciPy L-BFGS-B (bench/fit_chinchilla_scipy.py) on the
# same job: Hoffmann et al.'s 4500-start grid on the 240 Chinchilla points (METHODS 7.2, Epoch's "replicate
# exactly"). Runs both alternately RUNS times, prints each median and the ratio, then times a 1000-resample
# bootstrap. Anneal is timed with all hardware threads and with one thread (SciPy is single-threaded).
#
#   bench/fit_compare.sh [BUILD_DIR] [RUNS]        (defaults: build, 3)
#   ANNEAL_FIT_DRIVER=/path/to/fit_chinchilla bench/fit_compare.sh   (a driver built elsewhere)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build}"
runs="${2:-3}"
driver="${ANNEAL_FIT_DRIVER:-$build/bin/fit_chinchilla}"
python=/usr/bin/python3   # Debian's Python has SciPy; the pyenv one on PATH may not
[[ -x "$driver" ]] || { echo "fit_compare: no driver at $driver (build the fit_chinchilla target)" >&2; exit 1; }
[[ -x "$python" ]] || { echo "fit_compare: $python is missing" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { awk '$1 == "fit_seconds" { print $2 }'; }

anneal_all=() anneal_one=() scipy=()
for ((i = 1; i <= runs; i++)); do
    anneal_all+=("$("$driver" | seconds)")
    anneal_one+=("$("$driver" --threads 1 | seconds)")
    out="$("$python" "$here/fit_chinchilla_scipy.py")"
    scipy+=("$(seconds <<<"$out")")
    echo "run $i: anneal ${anneal_all[-1]} s (1 thread ${anneal_one[-1]} s), scipy ${scipy[-1]} s"
done
a=$(printf '%s\n' "${anneal_all[@]}" | median)
o=$(printf '%s\n' "${anneal_one[@]}" | median)
s=$(printf '%s\n' "${scipy[@]}" | median)
echo
echo "--- results (last runs) ---"
"$driver" | grep -E '^(points|objective|param)' | sed 's/^/anneal: /'
grep -E '^(points|objective|param)' <<<"$out" | sed 's/^/scipy:  /'
echo
printf 'median over %d runs: anneal %.3f s (%d threads), anneal 1 thread %.3f s, scipy %.3f s\n' \
    "$runs" "$a" "$(nproc)" "$o" "$s"
awk -v a="$a" -v o="$o" -v s="$s" 'BEGIN { printf "ratio scipy/anneal: %.1fx (1 thread: %.1fx)\n", s / a, s / o }'
echo
echo "--- bootstrap, 1000 resamples ---"
"$driver" --bootstrap 1000 | grep -E '^(bootstrap_seconds|ci )'
