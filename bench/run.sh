#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every Anneal benchmark on this machine, in about 10 minutes (under 15 on the 2-core dev VMs), ending
# with one table of ratios: each figure measured against a peer (PyTorch eager, raw SQLite, plain
# QCustomPlot, SciPy) or a limit (a target time) in the same run, interleaved, several repetitions,
# median and min..max spread. Nothing here is a pass/fail test; docs/BENCHMARKS.md records results.
#
#   bench/run.sh [BUILD_DIR]                 (default: build-bench; targets: bench_train bench_store
#                                             bench_db bench_plot fit_chinchilla, and
#                                             data_loader_bench for section 7)
#   ANNEAL_BENCH_REPS=5        repetitions of the interleaved training comparison
#   ANNEAL_BENCH_FIT_RUNS=1    SciPy-vs-Anneal runs in fit_compare.sh (each SciPy run takes ~1 min)
#   ANNEAL_BENCH_DB_DIR=/tmp   where the 10,000-run, 1e8-row database (~4 GB) is made; deleted at the end
#   ANNEAL_BENCH_QUICK=1       small sizes everywhere (a smoke run of the whole script, ~2 min)
#   ANNEAL_BENCH_OUT=DIR       keep every program's raw output there (default: a new /tmp directory)
#   ANNEAL_BENCH_BASELINE=DIR  bench_train, bench_store and bench_db built from an earlier engine: each
#                              is run next to the current one on the same inputs (engine before/after)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$(cd "${1:-$root/build-bench}" && pwd)"
bin="$build/bin"
python=/usr/bin/python3          # Debian's interpreter has python3-torch 1.13; the pyenv one on PATH has not
reps="${ANNEAL_BENCH_REPS:-5}"
fitRuns="${ANNEAL_BENCH_FIT_RUNS:-1}"
dbDir="${ANNEAL_BENCH_DB_DIR:-/tmp}"
quick="${ANNEAL_BENCH_QUICK:-0}"
out="${ANNEAL_BENCH_OUT:-$(mktemp -d /tmp/anneal-bench-XXXXXX)}"
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1    # docs/BUILDING.md §2: OpenBLAS's own pool on top of torch's oversubscribes
export QT_QPA_PLATFORM=offscreen
t_start=$(date +%s)

for b in bench_train bench_store bench_db bench_plot fit_chinchilla; do
    [[ -x "$bin/$b" ]] || { echo "run.sh: $bin/$b is missing (cmake --build $build --target $b)" >&2; exit 1; }
done
[[ -x "$python" ]] || { echo "run.sh: $python is missing" >&2; exit 1; }

if [[ "$quick" == 1 ]]; then
    reps=2; trainSteps=(120 30); ovSteps=30; ovReps=1; logSteps=110; logReps=2; events=5000; samples=200000
    dbRuns=1000; dbRows=5000000; bigRuns=2; bigPoints=1000000; plotPoints=200000; liveSteps=60; fitRuns=0
else
    # logging's cost is a few per cent of a step: 15 interleaved pairs put it above the run-to-run noise
    trainSteps=(300 80); ovSteps=60; ovReps=3; logSteps=120; logReps=15; events=20000; samples=1000000
    dbRuns=10000; dbRows=100000000; bigRuns=10; bigPoints=1000000; plotPoints=1000000; liveSteps=200
fi

med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mn() { sort -g | head -1; }
mx() { sort -g | tail -1; }
key() { awk -v k="$1" '$1 == k && !f { print $2; f = 1 }'; }   # value after a key on a "key value" line
rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); }
log() { echo "[$(date +%T) load $(cut -d' ' -f1 /proc/loadavg)] $*"; }

{
    echo "date: $(date -Is)"
    echo "host: $(hostname), $(nproc) cores, $(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/ { print $2 }') GiB"
    echo "os: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- backend bench 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo "build: $build ($(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt"))"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "torch: $("$python" -c 'import torch; print(torch.__version__)' 2>/dev/null), OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
} | tee "$out/machine.txt"

# Which BLAS LibTorch's sgemm_ binds to (Ceres pulls in ATLAS's libf77blas; we want OpenBLAS).
log "BLAS check"
for b in bench_train bench_store bench_db bench_plot; do
    lib=$(LD_BIND_NOW=1 LD_DEBUG=bindings "$bin/$b" 2>&1 | awk '/libtorch_cpu/ && /`sgemm_'"'"'/ && !f { print $(NF-4); f = 1 }' || true)
    real=$(readlink -f "${lib:-/nonexistent}" 2>/dev/null || true)
    echo "  $b: libtorch_cpu sgemm_ -> ${lib:-?} (${real:-?})"
    [[ "$real" == *openblas* ]] || { echo "run.sh: $b does not bind sgemm_ to OpenBLAS" >&2; exit 1; }
done | tee "$out/blas.txt"

# ---- 1. Training step: Anneal vs PyTorch eager, alternating processes ---------------------------------
log "1. training step vs PyTorch eager ($reps repetitions, alternating)"
declare -A ratios
i=0
for model in tiny default; do
    steps=${trainSteps[$i]}; i=$((i + 1))
    : > "$out/train-$model.txt"
    for ((r = 1; r <= reps; r++)); do
        a=$("$bin/bench_train" step --model "$model" --steps "$steps" --warmup 20 --threads 1)
        p=$("$python" "$here/train_step_torch.py" --model "$model" --steps "$steps" --warmup 20 --threads 1)
        echo "$a" > "$out/train-$model-anneal-$r.txt"; echo "$p" > "$out/train-$model-torch-$r.txt"
        am=$(key step_ms_median <<<"$a"); pm=$(key step_ms_median <<<"$p")
        a10=$(key step_ms_p10 <<<"$a"); p10=$(key step_ms_p10 <<<"$p")
        echo "$r $am $pm $(awk -v a="$am" -v b="$pm" 'BEGIN { print a / b }') $a10 $p10 $(awk -v a="$a10" -v b="$p10" 'BEGIN { print a / b }')" >> "$out/train-$model.txt"
        log "  $model rep $r: anneal $am ms, torch $pm ms (p10 $a10 / $p10)"
    done
    ratio=$(awk '{ print $4 }' "$out/train-$model.txt" | med)
    lo=$(awk '{ print $4 }' "$out/train-$model.txt" | mn); hi=$(awk '{ print $4 }' "$out/train-$model.txt" | mx)
    r10=$(awk '{ print $7 }' "$out/train-$model.txt" | med)
    am=$(awk '{ print $2 }' "$out/train-$model.txt" | med); pm=$(awk '{ print $3 }' "$out/train-$model.txt" | med)
    last="$out/train-$model-anneal-$reps.txt"
    params=$(key params < "$last")
    tps=$(awk -v ms="$am" -v t="$(grep -o 'batch [0-9]*' "$last" | cut -d' ' -f2)" 'BEGIN { printf "%.0f", t * 64 / (ms / 1000) }')
    flops=$(awk -v n="$params" -v t="$tps" 'BEGIN { printf "%.3g", 6 * n * t }')
    target=$([[ $model == tiny ]] && echo 0.85 || echo 1.00)
    met=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r <= t) ? "met" : "not met" }')
    row "1. step, $model ($params params, 1 thread)" "Anneal $am ms ($tps tok/s, $flops FLOP/s) vs PyTorch $pm ms" \
        "**$(printf %.3f "$ratio")x** ($(printf %.3f "$lo")..$(printf %.3f "$hi"); p10-based $(printf %.3f "$r10")x)" "<= ${target}x" "$met"
    ratios[$model]=$ratio
done
rss=$(key peak_rss_mib < "$out/train-default-anneal-$reps.txt")

# ---- 1b. Engine before/after (when a baseline build is given) -------------------------------------------
baseline="${ANNEAL_BENCH_BASELINE:-}"
if [[ -n "$baseline" ]]; then
    log "1b. engine before/after: $baseline vs $bin (alternating)"
    i=0
    for model in tiny default; do
        steps=${trainSteps[$i]}; i=$((i + 1))
        : > "$out/before-after-$model.txt"
        for ((r = 1; r <= 3; r++)); do
            b=$("$baseline/bench_train" step --model "$model" --steps "$steps" --warmup 20 --threads 1)
            a=$("$bin/bench_train" step --model "$model" --steps "$steps" --warmup 20 --threads 1)
            echo "$r $(key step_ms_median <<<"$b") $(key step_ms_median <<<"$a") $(key step_ms_p10 <<<"$b") $(key step_ms_p10 <<<"$a")" \
                >> "$out/before-after-$model.txt"
        done
        bm=$(awk '{ print $2 }' "$out/before-after-$model.txt" | med); am=$(awk '{ print $3 }' "$out/before-after-$model.txt" | med)
        rr=$(awk '{ print $3 / $2 }' "$out/before-after-$model.txt" | med)
        r10=$(awk '{ print $5 / $4 }' "$out/before-after-$model.txt" | med)
        row "1b. engine after/before, step $model" "$bm -> $am ms" \
            "**$(printf %.3f "$rr")x** ($(awk '{ print $3 / $2 }' "$out/before-after-$model.txt" | mn | xargs printf %.3f)..$(awk '{ print $3 / $2 }' "$out/before-after-$model.txt" | mx | xargs printf %.3f); p10-based $(printf %.3f "$r10")x)" "-" "-"
    done
    "$baseline/bench_store" weights --samples "$samples" --snapshots 10 --reps 3 > "$out/before-store-weights.txt"
    "$bin/bench_store" weights --samples "$samples" --snapshots 10 --reps 3 > "$out/after-store-weights.txt"
    for k in writer_store_ms publish_ms sample_history_ms; do
        row "1b. engine after/before, $k" "$(awk -v k=$k '$1 == k { print $2 }' "$out/before-store-weights.txt") -> $(awk -v k=$k '$1 == k { print $2 }' "$out/after-store-weights.txt") ms" \
            "$(awk -v k=$k '$1 == k { print $2 }' "$out/before-store-weights.txt" "$out/after-store-weights.txt" | paste -sd' ' | awk '{ printf "%.3fx", $2 / $1 }')" "-" "-"
    done
fi

# ---- 2. Overheads: reweighting strategies and full logging against a bare loop ------------------------
log "2. overheads (reweighting, meta_rescale, logging)"
"$bin/bench_train" overheads --model default --steps "$ovSteps" --warmup 10 --reps "$ovReps" \
    --variants none,loss_linupper,loss_quadratic,loss_extremes,domain_scalarization --meta-every 1,4 \
    | tee "$out/overheads-reweight.txt"
"$bin/bench_train" overheads --model default --steps "$logSteps" --warmup 10 --reps "$logReps" --variants bare,log \
    | tee "$out/overheads-log.txt"
while read -r _ name _ ref _ r _ sp _ _ _ _ _ iqr _ nrep; do
    case "$name" in
        meta_rescale*) target="(separate)"; met="-" ;;
        log) target="<= 1.02x"; met=$(awk -v r="$r" 'BEGIN { print (r <= 1.02) ? "met" : "not met" }') ;;
        *) target="<= 1.03x"; met=$(awk -v r="$r" 'BEGIN { print (r <= 1.03) ? "met" : "not met" }') ;;
    esac
    row "2. $name vs $ref (default model)" "$(grep -h "^ratio $name " "$out"/overheads-*.txt | sed -e 's/.* ms //' -e 's/ iqr.*//' | head -1) ms" \
        "**$(printf %.3f "$r")x** ($sp; IQR $iqr, $nrep pairs)" "$target" "$met"
done < <(grep -h '^ratio ' "$out/overheads-reweight.txt" "$out/overheads-log.txt")

# ---- 3. Storage ----------------------------------------------------------------------------------------
log "3. storage: metric rows, weight snapshots"
"$bin/bench_store" rows --events "$events" --reps 5 | tee "$out/store-rows.txt"
"$bin/bench_store" weights --samples "$samples" --snapshots 10 --reps 5 | tee "$out/store-weights.txt"
s=$(cat "$out/store-rows.txt")
w=$(awk '/^writer_rows_per_s/ { print $2 }' <<<"$s"); rw=$(awk '/^raw_rows_per_s/ { print $2 }' <<<"$s")
r=$(awk '/^ratio writer/ { print $3 }' <<<"$s"); sp=$(awk '/^ratio writer/ { print $5 }' <<<"$s")
row "3. metric rows/s, StoreWriter vs raw SQLite" "$w vs $rw rows/s" "**$r** ($sp)" ">= 0.5" \
    "$(awk -v r="$r" 'BEGIN { print (r >= 0.5) ? "met" : "not met" }')"
s=$(cat "$out/store-weights.txt")
wm=$(awk '/^writer_store_ms/ { print $2 }' <<<"$s"); rm_=$(awk '/^raw_store_ms/ { print $2 }' <<<"$s")
row "3. store a $samples-sample snapshot (writer thread)" "$wm ms (raw inserts $rm_ ms; publish on the training thread $(awk '/^publish_ms/ { print $2 }' <<<"$s") ms)" \
    "$(awk -v a="$wm" 'BEGIN { printf "**%.2f** of 50 ms", a / 50 }')" "< 50 ms" "$(awk -v a="$wm" 'BEGIN { print (a < 50) ? "met" : "not met" }')"
hm=$(awk '/^sample_history_ms/ { print $2 }' <<<"$s")
row "3. one sample's weight history (10 snapshots)" "$hm ms (raw SELECT of its chunks $(awk '/^raw_select_ms/ { print $2 }' <<<"$s") ms)" \
    "$(awk '/^ratio history/ { print $3 }' <<<"$s")x of raw" "-" "-"

# ---- 4. A large database: open + list, one curve to the screen -----------------------------------------
db="$dbDir/anneal-bench-$$.db"
cleanup() { rm -f "$db" "$db-wal" "$db-shm"; }
trap cleanup EXIT
log "4. large database: generating $dbRuns runs, $dbRows metric rows in $db"
"$bin/bench_db" generate --db "$db" --runs "$dbRuns" --rows "$dbRows" --big-runs "$bigRuns" --big-points "$bigPoints" \
    | tee "$out/db-generate.txt"
"$bin/bench_db" open --db "$db" --reps 7 | tee "$out/db-open.txt"
"$bin/bench_db" curve --db "$db" --run 1 --buckets 1920 --reps 7 | tee "$out/db-curve.txt"
if [[ -n "$baseline" ]]; then
    "$baseline/bench_db" open --db "$db" --reps 5 > "$out/before-db-open.txt"
    "$baseline/bench_db" curve --db "$db" --run 1 --buckets 1920 --reps 5 > "$out/before-db-curve.txt"
    row "1b. engine after/before, open + listRuns" "$(awk '/^open_list_ro_ms/ { print $2 }' "$out/before-db-open.txt") -> $(awk '/^open_list_ro_ms/ { print $2 }' "$out/db-open.txt") ms" "-" "-" "-"
    row "1b. engine after/before, full curve load (Store::metric)" "$(awk '/^full_load_decimate_ms/ { print $2 }' "$out/before-db-curve.txt") -> $(awk '/^full_load_decimate_ms/ { print $2 }' "$out/db-curve.txt") ms" "-" "-" "-"
    row "1b. engine after/before, Store::metricNames of a 1e6-step run" "$(awk '/^names_ms/ { print $2 }' "$out/before-db-curve.txt") -> $(awk '/^names_ms/ { print $2 }' "$out/db-curve.txt") ms" "-" "-" "-"
fi
s=$(cat "$out/db-open.txt")
o=$(awk '/^open_list_ro_ms/ { print $2 }' <<<"$s")
row "4. Store::open + listRuns, $dbRuns runs / $(awk '/^generated/ { print $5 }' "$out/db-generate.txt") rows" \
    "$o ms (read-write open: $(awk '/^open_list_rw_ms/ { print $2 }' <<<"$s") ms; raw SELECTs $(awk '/^raw_select_ms/ { print $2 }' <<<"$s") ms)" \
    "$(awk -v a="$o" 'BEGIN { printf "**%.2f** of 200 ms", a / 200 }') ($(awk '/^open_list_ro_ms/ { print $4 }' <<<"$s") ms)" "< 200 ms" \
    "$(awk -v a="$o" 'BEGIN { print (a < 200) ? "met" : "not met" }')"
s=$(cat "$out/db-curve.txt")
c=$(awk '/^curve_ms/ { print $2 }' <<<"$s")
row "4. one run's loss curve ($bigPoints points) to 1920 px" \
    "$c ms with metricDecimated (full load + decimation as the GUI does today: $(awk '/^full_load_decimate_ms/ { print $2 }' <<<"$s") ms; raw scan of the rows $(awk '/^raw_scan_ms/ { print $2 }' <<<"$s") ms)" \
    "$(awk -v a="$c" 'BEGIN { printf "**%.3f** of 100 ms", a / 100 }') ($(awk '/^curve_ms/ { print $4 }' <<<"$s") ms)" "< 100 ms" \
    "$(awk -v a="$c" 'BEGIN { print (a < 100) ? "met" : "not met" }')"

# ---- 5. Plotting: the GUI's plot code ------------------------------------------------------------------
log "5. plotting (offscreen): replot, the Loss tab holding $bigRuns runs, live latency"
"$bin/bench_plot" replot --curves 10 --points "$plotPoints" --reps 21 | tee "$out/plot-replot.txt"
ids=$(seq -s, 1 "$bigRuns")
"$bin/bench_plot" gui --db "$db" --runs "$ids" --reps 11 | tee "$out/plot-gui.txt"
cleanup
"$bin/bench_plot" live --steps "$liveSteps" | tee "$out/plot-live.txt"
s=$(cat "$out/plot-replot.txt")
f=$(awk '/^replot_follow_ms/ { print $2 }' <<<"$s")
row "5. replot 10 x $plotPoints points (SeriesPlot, min/max decimation)" \
    "$f ms following, $(awk '/^replot_zoom_ms/ { print $2 }' <<<"$s") ms zoomed (plain QCustomPlot + adaptive sampling: $(awk '/^peer_follow_ms/ { print $2 }' <<<"$s") / $(awk '/^peer_zoom_ms/ { print $2 }' <<<"$s") ms)" \
    "$(awk -v a="$f" 'BEGIN { printf "**%.2f** of 33 ms", a / 33 }') ($(awk '/^replot_follow_ms/ { print $4 }' <<<"$s") ms; vs QCustomPlot $(awk '/^ratio follow anneal/ { print $4 }' <<<"$s")x)" \
    "< 33 ms" "$(awk -v a="$f" 'BEGIN { print (a < 33) ? "met" : "not met" }')"
s=$(cat "$out/plot-live.txt")
p99=$(awk '/^step_to_pixel_ms/ { print $7 }' <<<"$s")
row "5. step-to-pixel latency, live run" "median $(awk '/^step_to_pixel_ms/ { print $3 }' <<<"$s") ms, p90 $(awk '/^step_to_pixel_ms/ { print $5 }' <<<"$s"), p99 $p99, max $(awk '/^step_to_pixel_ms/ { print $9 }' <<<"$s") ms" \
    "$(awk -v a="$p99" 'BEGIN { printf "**%.2f** of 250 ms (p99)", a / 250 }')" "< 250 ms" "$(awk -v a="$p99" 'BEGIN { print (a < 250) ? "met" : "not met" }')"

# ---- 6. Fitting: fit_compare.sh (SciPy vs Anneal) and the 1000-resample bootstrap -----------------------
if [[ "$fitRuns" -gt 0 ]]; then
    log "6. fitting: fit_compare.sh with $fitRuns run(s)"
    ANNEAL_FIT_DRIVER="$bin/fit_chinchilla" "$here/fit_compare.sh" "$build" "$fitRuns" | tee "$out/fit.txt"
    s=$(cat "$out/fit.txt")
    row "6. Chinchilla fit, SciPy / Anneal" "$(grep '^median over' <<<"$s" | sed 's/^median over [0-9]* runs: //')" \
        "**$(awk '/^ratio scipy/ { print $3 }' <<<"$s")** faster (1 thread: $(awk '/^ratio scipy/ { print $6 }' <<<"$s" | tr -d ')'))" "-" "-"
    row "6. bootstrap, 1000 resamples" "$(awk '/^bootstrap_seconds/ { print $2 }' <<<"$s") s" "-" "-" "-"
fi

# ---- 7. Real data: the loader, SentencePiece, a 2 GiB shard's peak RSS (bench/real_data.sh) -----------
if [[ -x "$bin/data_loader_bench" ]]; then
    log "7. real data: bench/real_data.sh"
    shardMib=$([[ "$quick" == 1 ]] && echo 256 || echo 2048)
    "$here/real_data.sh" "$build" "$out/real-data" "$shardMib" "$([[ "$quick" == 1 ]] && echo 60 || echo 200)" \
        | tee "$out/real-data.txt"
    s=$(cat "$out/real-data.txt")
    ltps=$(key loader_prefetched_tokens_per_s <<<"$s"); ttps=$(key train_tokens_per_s <<<"$s")
    lr=$(awk -v a="$ltps" -v b="$ttps" 'BEGIN { printf "%.0f", a / b }')
    row "7. loader (mapped shard, read-ahead thread) / training, default model" \
        "$(awk -v a="$ltps" 'BEGIN { printf "%.3g", a }') vs $(printf %.0f "$ttps") tok/s (drawn directly: $(key loader_tokens_per_s <<<"$s" | awk '{ printf "%.3g", $1 }'))" \
        "**${lr}x**" ">= 20x" "$(awk -v r="$lr" 'BEGIN { print (r >= 20) ? "met" : "not met" }')"
    row "7. SentencePiece BPE 4096, tokenising 8 MB" \
        "Anneal $(key spm_mb_s_1 <<<"$s" | awk '{ printf "%.2f", $1 }') MB/s (1 process), $(key spm_mb_s_2 <<<"$s" | awk '{ printf "%.2f", $1 }') MB/s (2); spm_encode alone $(key spm_alone_mb_s <<<"$s" | awk '{ printf "%.2f", $1 }') MB/s" \
        "**$(awk -v a="$(key spm_mb_s_1 <<<"$s")" -v b="$(key spm_alone_mb_s <<<"$s")" 'BEGIN { printf "%.2f", a / b }')** of spm_encode (1 process)" "-" "-"
    rs=$(key rss_shard_max_mib <<<"$s")
    row "7. peak RSS, default model on a $(key shard_mib <<<"$s") MiB token shard" \
        "$(key rss_shard_mib <<<"$s") MiB (synthetic data: $(key rss_synthetic_mib <<<"$s") MiB; $(key train_shard_tokens_per_s <<<"$s" | awk '{ printf "%.0f", $1 }') vs $(printf %.0f "$ttps") tok/s)" \
        "**$(awk -v a="$rs" 'BEGIN { printf "%.2f", a / 300 }')** of 300 MiB (max)" "< 300 MiB" "$(awk -v a="$rs" 'BEGIN { print (a < 300) ? "met" : "not met" }')"
fi

# ---- 8. The allocator settings on the real-text preset (bench/allocator.sh; needs the prepared corpus) --
corpus="${ANNEAL_CORPUS:-${XDG_DATA_HOME:-$HOME/.local/share}/anneal/corpus}"
if [[ -f "$corpus/manifest.json" ]]; then
    log "8. allocator: bench/allocator.sh (real-text preset)"
    ANNEAL_CORPUS="$corpus" "$here/allocator.sh" "$build" "$out/allocator" \
        "$here/../resources/experiments/real-text.toml" 12 "$([[ "$quick" == 1 ]] && echo 1 || echo 3)" \
        | tee "$out/allocator.txt"
    s=$(grep '^tokens_per_s ' "$out/allocator.txt")
    row "8. training tokens/s, real-text preset: Anneal's malloc settings / glibc's" \
        "$(awk '{ printf "%.0f vs %.0f tok/s", $3, $5 }' <<<"$s")" "**$(awk '{ print $7 }' <<<"$s")x**" "-" "-"
else
    log "8. allocator: skipped (no prepared corpus at $corpus; anneal-cli corpus prepare)"
fi

t_end=$(date +%s)
{
    echo
    echo "## Anneal benchmarks — $(date -I), $(hostname), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "(start: $(awk -F': ' '/^load average at start/ { print $2 }' "$out/machine.txt"); took $(( (t_end - t_start) / 60 )) min $(( (t_end - t_start) % 60 )) s; raw outputs in $out)"
    echo
    echo "| figure | measured | ratio (median, spread) | target | |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "peak RSS: training the default model $rss MiB; the Loss tab holding $bigRuns runs x $bigPoints points $(awk '/^peak_rss_mib/ { print $2 }' "$out/plot-gui.txt") MiB (curve data $(awk '/^gui_rss_held_mib/ { print $2 }' "$out/plot-gui.txt") MiB)"
} | tee "$out/table.md"
