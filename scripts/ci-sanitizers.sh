#!/usr/bin/env bash
# The sanitizer configuration of CI (docs/RELIABILITY.md): the backend, anneal-cli and the backend and
# reliability test suites built with AddressSanitizer + UndefinedBehaviorSanitizer (ANNEAL_ENABLE_ASAN,
# gcc; no GUI, no benchmarks) into build-asan/, then the suites that run in a few minutes under them.
# Any sanitizer report fails the script: the first report aborts the process that hit it (so a
# child anneal-cli dies of SIGABRT instead of returning an exit code a test might expect), and every
# report is also written under build-asan/sanitizer-logs/, which must stay empty.
#   scripts/ci-sanitizers.sh                 the CI scope
#   scripts/ci-sanitizers.sh -R concurrency  other suites (extra arguments go to ctest; build them first:
#                                            cmake --build build-asan --target test_concurrency)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ANNEAL_ASAN_BUILD_DIR:-$root/build-asan}"
jobs="${ANNEAL_JOBS:-$(nproc)}"

# The suites of the CI scope: every backend suite that runs in a few minutes under the sanitizers,
# and the reliability suites that drive the sanitized anneal-cli through bad input, kills, numerics
# and security. The long ones (training, the fits' bootstraps, the soak) run in the normal build.
suites=(config data schedule store checkpoint cli reweight fit_import fit_export
        bad_config bad_storage numerical security kill_resume
        weights_codec wal_checkpointer real_data tokenizers token_cache megatron corpus lr_table
        schedule_optimizer sparse_curves batch_prefetcher)

"$root/scripts/setup.sh"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
    # -O1 -g1: a sanitizer build compiles much faster than -O2 -g and still has line numbers in its
    # reports; asserts stay on.
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
        -DANNEAL_ENABLE_ASAN=ON -DANNEAL_BUILD_GUI=OFF -DANNEAL_BUILD_BENCH=OFF
else
    cmake "$build" >/dev/null  # an existing tree: pick up suites and sources added since it was made
fi
targets=(anneal-cli)
for s in "${suites[@]}"; do targets+=("test_$s"); done
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

logs="$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# LibTorch and its OpenMP/OpenBLAS pools keep allocations until exit by design (thread pools,
# registries): LeakSanitizer reports them from libraries we do not build, so leak checking is limited
# to our own code by the suppressions in tests/sanitizers/lsan.supp.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$logs/asan:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export OPENBLAS_NUM_THREADS=1
export QT_QPA_PLATFORM=offscreen
export QTEST_FUNCTION_TIMEOUT=1800000  # ms: instrumented training runs take longer than Qt Test's 300 s

cd "$build"
status=0
if [[ $# -gt 0 ]]; then
    ctest --output-on-failure --timeout 1800 "$@" || status=$?
else
    regex="^($(IFS='|'; echo "${suites[*]}"))\$"
    ctest --output-on-failure --timeout 1800 -R "$regex" || status=$?
fi
if compgen -G "$logs/*" >/dev/null; then
    echo "ci-sanitizers: sanitizer reports:"
    for f in "$logs"/*; do
        echo "== $f"
        head -60 "$f"
    done
    exit 1
fi
echo "ci-sanitizers: no sanitizer reports"
exit $status
