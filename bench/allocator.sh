#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# What keeping large blocks in glibc's heap buys (anneal/allocator.h), measured side by side: the
# same anneal-cli run alternately with Anneal's malloc settings and with glibc's own
# (ANNEAL_GLIBC_MALLOC_DEFAULTS=1), REPS pairs. Prints per run the median tokens_per_s over the
# steps after the first two, the minor page faults, user and system CPU seconds, wall seconds and
# peak RSS, then "key value" medians per setting and their ratio.
#
#   bench/allocator.sh BUILD_DIR OUT_DIR [EXPERIMENT (resources/experiments/real-text.toml)] [STEPS (12)] [REPS (2)]
#
# The default experiment trains on the prepared corpus (anneal-cli corpus prepare; ANNEAL_CORPUS if
# it is not in the data directory): its 4096-piece vocabulary makes 64 MB logits every step, the
# case the settings are for. The first run of a new corpus also trains the tokenizer and fills the
# token cache; run once beforehand (or ignore the first pair).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "$1" && pwd)"; out="$2"
spec="${3:-$root/resources/experiments/real-text.toml}"; steps="${4:-12}"; reps="${5:-2}"
cli="$build/bin/anneal-cli"
[[ -x "$cli" ]] || { echo "allocator.sh: $cli is missing" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
: > "$out/runs.txt"
one() {  # one run: SETTING REP
    local db="$out/$1-$2.db"
    rm -f "$db" "$db-wal" "$db-shm"
    local env=()
    [[ "$1" == glibc ]] && env=(ANNEAL_GLIBC_MALLOC_DEFAULTS=1)
    env "${env[@]}" /usr/bin/time -f "%R %U %S %e %M" -o "$out/$1-$2.time" "$cli" --db "$db" run "$spec" \
        --set train.steps="$steps" --set schedule.warmup_steps=2 --set log.every=1 -q
    local tps
    tps=$("$cli" --db "$db" metrics 1 --name tokens_per_s | tail -n +4 | cut -d, -f2 | sort -g |
          awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    read -r flt usr sys wall rss < "$out/$1-$2.time"
    echo "$1 $2 tokens_per_s $tps minflt $flt user_s $usr sys_s $sys wall_s $wall maxrss_mib $((rss / 1024))" |
        tee -a "$out/runs.txt"
}
for ((r = 1; r <= reps; r++)); do
    if ((r % 2)); then one anneal "$r"; one glibc "$r"; else one glibc "$r"; one anneal "$r"; fi
done
med() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for k in tokens_per_s minflt sys_s wall_s maxrss_mib; do
    a=$(awk -v k="$k" '$1 == "anneal" { for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }' "$out/runs.txt" | med)
    g=$(awk -v k="$k" '$1 == "glibc" { for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }' "$out/runs.txt" | med)
    echo "$k anneal $a glibc $g ratio $(awk -v a="$a" -v g="$g" 'BEGIN { printf "%.3f", (g == 0) ? 0 : a / g }')"
done
