#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) and runs each one for a while on a
# copy of its seed corpus (tests/data/fuzz/<target>). Any crash, sanitizer report, uncaught exception,
# timeout or out-of-memory fails the script and leaves the input under $build/artifacts/.
#   scripts/fuzz.sh              60 s per target
#   scripts/fuzz.sh --ci         what CI runs: 200,000 inputs per target from a fixed seed (-seed=1
#                                -runs=200000, at most 120 s each), so a CI result is reproducible
#                                here with the same command
#   scripts/fuzz.sh 600          10 min per target
#   ANNEAL_LONG_TESTS=1 scripts/fuzz.sh   30 min per target
# Environment: ANNEAL_FUZZ_BUILD_DIR (default build-fuzz), ANNEAL_FUZZ_TARGETS (default: all four).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ANNEAL_FUZZ_BUILD_DIR:-$root/build-fuzz}"
ci=0
if [[ "${1:-}" == --ci ]]; then ci=1; shift; fi
seconds="${1:-${ANNEAL_FUZZ_SECONDS:-60}}"
if [[ "${ANNEAL_LONG_TESTS:-0}" == 1 && $# -eq 0 && -z "${ANNEAL_FUZZ_SECONDS:-}" ]]; then
    seconds=1800
fi
targets=(${ANNEAL_FUZZ_TARGETS:-experiment overrides csv jsonl})

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    CC=clang CXX=clang++ cmake -S "$root/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j "${ANNEAL_JOBS:-$(nproc)}"

mkdir -p "$build/artifacts"
summary=()
status=0
for t in "${targets[@]}"; do
    corpus="$build/corpus/$t"
    if [[ $ci == 1 ]]; then rm -rf "$corpus"; fi   # the seed corpus alone: the same start as CI
    mkdir -p "$corpus"
    cp -n "$root/tests/data/fuzz/$t/"* "$corpus/" 2>/dev/null || true
    log="$build/fuzz_$t.log"
    limits=(-max_total_time="$seconds")
    if [[ $ci == 1 ]]; then
        limits=(-seed=1 -runs=200000 -max_total_time=120)
        echo "fuzz: $t, 200000 inputs from seed 1 (corpus $corpus)"
    else
        echo "fuzz: $t for ${seconds}s (corpus $corpus)"
    fi
    set +e
    # -timeout: one input over 10 s is a hang; -rss_limit_mb: over 2 GiB is a memory bug.
    "$build/fuzz_$t" "$corpus" "${limits[@]}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
    if [[ $rc -ne 0 ]]; then
        status=1
        echo "fuzz: $t FAILED (exit $rc); the input is under $build/artifacts/; log $log:"
        grep -E 'ERROR|SUMMARY|FUZZ PROPERTY|terminate|runtime error|==[0-9]+==' "$log" | head -20 || tail -30 "$log"
        summary+=("$t: FAILED after $execs executions")
    else
        summary+=("$t: $execs executions, coverage $cov edges, no findings")
    fi
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit $status
