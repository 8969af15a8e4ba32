#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The real-data figures of issue 13, measured side by side in one run (bench/run.sh section 7 calls
# this; it also runs alone):
#   - the loader: data_loader_bench's tokens/s on a memory-mapped shard, drawn directly and through
#     the trainer's read-ahead thread, against the tokens/s the default model trains at (bench_train);
#   - SentencePiece tokenising throughput (MB/s): Anneal's path with 1 and 2 spm_encode processes,
#     against Debian's spm_encode alone on the same 8 MB of text;
#   - peak RSS of training the default model on a 2 GiB nanoGPT shard (memory-mapped) against the same
#     run on its synthetic data, REPS alternating pairs.
# Prints "key value" lines (and the raw outputs to OUT_DIR).
#
#   bench/real_data.sh BUILD_DIR OUT_DIR [SHARD_MIB (2048)] [STEPS (200)] [REPS (2)]
#   ANNEAL_BENCH_DB_DIR=/tmp   where the shard is written (deleted at the end)
set -euo pipefail
build="$(cd "$1" && pwd)"; out="$2"; mib="${3:-2048}"; steps="${4:-200}"; reps="${5:-2}"
bin="$build/bin"
python=/usr/bin/python3
dir="${ANNEAL_BENCH_DB_DIR:-/tmp}"
shard="$dir/anneal-bench-shard-$$.bin"
trap 'rm -f "$shard"' EXIT
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
for b in bench_train data_loader_bench; do
    [[ -x "$bin/$b" ]] || { echo "real_data.sh: $bin/$b is missing (cmake --build $build --target $b)" >&2; exit 1; }
done
key() { awk -v k="$1" '$1 == k && !f { print $2; f = 1 }'; }
med() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- the loader and the tokenizer (Google Benchmark, medians of 3 repetitions) ----------------------
"$bin/data_loader_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_format=json > "$out/loader.json"
"$python" - "$out/loader.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
def med(name, field):
    for r in rows:
        if r.get("run_name") == name and r.get("aggregate_name") == "median":
            return r.get(field, float("nan"))
    return float("nan")
print("loader_tokens_per_s", med("tokensDomain", "tokens/s"))
print("loader_prefetched_tokens_per_s", med("tokensDomainPrefetched/real_time", "tokens/s"))
print("loader_text_tokens_per_s", med("textDomain", "tokens/s"))
print("spm_mb_s_1", med("sentencepieceEncode/1/iterations:2/real_time", "bytes_per_second") / 1e6)
print("spm_mb_s_2", med("sentencepieceEncode/2/iterations:2/real_time", "bytes_per_second") / 1e6)
print("spm_alone_mb_s", med("spmEncodeAlone/iterations:2/real_time", "bytes_per_second") / 1e6)
PY

# ---- training on a 2 GiB shard: peak RSS and tokens/s, alternating with the synthetic default -------
"$python" - "$shard" "$mib" <<'PY'
import sys, numpy as np
path, mib = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
chunk = 1 << 25                          # 32 Mi tokens (64 MiB) at a time
with open(path, "wb") as f:
    left = mib * (1 << 20) // 2
    while left > 0:
        n = min(chunk, left)
        rng.integers(0, 255, size=n, dtype=np.uint16).tofile(f)   # byte ids below 0xFF (end of document)
        left -= n
PY
echo "shard_mib $(( $(stat -c %s "$shard") >> 20 ))"
: > "$out/rss.txt"
for ((r = 1; r <= reps; r++)); do
    s=$("$bin/bench_train" step --model default --steps "$steps" --warmup 20 --threads 1)
    m=$("$bin/bench_train" step --model default --steps "$steps" --warmup 20 --threads 1 --shard "$shard")
    echo "$s" > "$out/train-synthetic-$r.txt"; echo "$m" > "$out/train-shard-$r.txt"
    echo "$(key peak_rss_mib <<<"$s") $(key peak_rss_mib <<<"$m") $(key tokens_per_s <<<"$s") $(key tokens_per_s <<<"$m")" >> "$out/rss.txt"
done
echo "rss_synthetic_mib $(awk '{ print $1 }' "$out/rss.txt" | med)"
echo "rss_shard_mib $(awk '{ print $2 }' "$out/rss.txt" | med)"
echo "rss_shard_max_mib $(awk '{ print $2 }' "$out/rss.txt" | sort -g | tail -1)"
echo "train_tokens_per_s $(awk '{ print $3 }' "$out/rss.txt" | med)"
echo "train_shard_tokens_per_s $(awk '{ print $4 }' "$out/rss.txt" | med)"
