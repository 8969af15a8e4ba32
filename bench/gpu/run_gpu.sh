#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Anneal on a CUDA GPU, in one call: builds the backend, anneal-cli, the CUDA test suite and the
# training benchmark against the LibTorch bundled with that machine's PyTorch, runs the CUDA tests
# (ctest -L cuda), then benchmarks GPT-2 small's shape against PyTorch eager (fp32, bf16 autocast)
# and torch.compile on the same GPU, interleaved, and writes a markdown summary (summarize_gpu.py).
#
# On a GPU machine without apt (the device tool's), after bench/gpu/prepare_carry.sh here:
#     device call: carry [".gpu-carry"], command: bash bench/gpu/run_gpu.sh, timeout ~540 s
# Here, without a GPU, to check everything but the GPU (build against Debian's CPU LibTorch, the
# CUDA suite's logic on CPU, argument handling, the summary):
#     bash bench/gpu/run_gpu.sh --cpu-check
#
# Options:
#   --cpu-check          Debian's LibTorch, device cpu, the tiny model, few steps (not a measurement)
#   --out DIR            where the raw outputs and summary.md go (default: $OUT if set, else BUILD/gpu-out)
#   --build DIR          build directory (default: build-gpu beside the sources)
#   --carry DIR          unpacked Debian packages to build against (default: .gpu-carry if it exists)
#   --skip-build         reuse BUILD as it is
#   --skip-tests         do not run ctest -L cuda
#   --programs LIST      comma-separated subset of anneal-fp32,torch-fp32,torch-bf16,compile-bf16
# Environment: PYTHON (a CUDA PyTorch >= 2.0; default python3), BATCH=8 STEPS=30 WARMUP=10 REPS=3,
#   PEAK_TFLOPS (dense bf16 peak for MFU; default from the GPU's name: H100/H200 989, A100 312).
# Exit status: 0 when it ran to the summary (failed tests and missing rows are in the summary),
#   1 when the machine cannot run it (no GPU, no CUDA PyTorch, build failure), 2 on bad arguments.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() { sed -n '/^# Options:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode=gpu build="$root/build-gpu" out="" carry="" skip_build=0 skip_tests=0
programs="anneal-fp32,torch-fp32,torch-bf16,compile-bf16"
while [[ $# -gt 0 ]]; do
    case $1 in
        --cpu-check) mode=cpu-check ;;
        --out) [[ $# -ge 2 ]] || usage; out=$2; shift ;;
        --build) [[ $# -ge 2 ]] || usage; build=$2; shift ;;
        --carry) [[ $# -ge 2 ]] || usage; carry=$2; shift ;;
        --skip-build) skip_build=1 ;;
        --skip-tests) skip_tests=1 ;;
        --programs) [[ $# -ge 2 ]] || usage; programs=$2; shift ;;
        -h|--help) usage ;;
        *) echo "run_gpu.sh: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
for p in ${programs//,/ }; do
    case $p in
        anneal-fp32|torch-fp32|torch-bf16|compile-bf16) ;;
        *) echo "run_gpu.sh: --programs: '$p' is not one of anneal-fp32, torch-fp32, torch-bf16, compile-bf16" >&2; exit 2 ;;
    esac
done
for v in BATCH STEPS WARMUP REPS; do
    if [[ -n ${!v:-} && ! ${!v} =~ ^[1-9][0-9]*$ ]]; then
        echo "run_gpu.sh: $v=${!v}: expected a positive integer" >&2
        exit 2
    fi
done
[[ -z $carry && -d $root/.gpu-carry/debs ]] && carry="$root/.gpu-carry"
out="${out:-${OUT:-$build/gpu-out}}"
raw="$out/raw"
mkdir -p "$raw" || exit 1
env_txt="$raw/env.txt"
: > "$env_txt"
note() { echo "$1: $2" >> "$env_txt"; }
say() { echo "[run_gpu $(date +%H:%M:%S)] $*"; }

if [[ $mode == cpu-check ]]; then
    py=/usr/bin/python3 model=tiny device=cpu attention=manual  # torch 1.13 has no SDPA
    batch=${BATCH:-8} steps=${STEPS:-5} warmup=${WARMUP:-2} reps=${REPS:-1}
    programs=$(echo "$programs" | tr ',' '\n' | grep -v -e bf16 | paste -sd,)  # no bf16 / compile on CPU 1.13
    note gpu "CPU ($(nproc) cores)"
else
    py=${PYTHON:-python3} model=gpt2-small device=cuda attention=sdpa
    batch=${BATCH:-8} steps=${STEPS:-30} warmup=${WARMUP:-10} reps=${REPS:-3}
    command -v nvidia-smi >/dev/null || { echo "run_gpu.sh: no nvidia-smi: no NVIDIA GPU here (use --cpu-check)" >&2; exit 1; }
    gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
    note gpu "$gpu_name"
    note driver "$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)"
fi
note mode "$mode"
note model "$model"
note batch "$batch"
note steps "$steps"
note warmup "$warmup"
note reps "$reps"
note date "$(date -u +%Y-%m-%dT%H:%MZ)"
note commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
note os "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"

if ! torch_info=$("$py" - "$mode" <<'PY'
import sys, torch
mode = sys.argv[1]
if mode == "gpu":
    assert torch.cuda.is_available(), "this PyTorch sees no CUDA device"
    assert int(torch.__version__.split(".")[0]) >= 2, "PyTorch >= 2.0 needed (SDPA, torch.compile)"
    # Debian's SQLite/TOML/Ceres/Qt libraries use the C++11 ABI: so must the LibTorch we link.
    assert torch._C._GLIBCXX_USE_CXX11_ABI, "this PyTorch's LibTorch uses the pre-C++11 ABI (torch < 2.7 wheels)"
print(torch.__version__, torch.version.cuda or "none", torch.utils.cmake_prefix_path)
PY
); then
    echo "run_gpu.sh: $py cannot provide what this needs (above)" >&2
    exit 1
fi
read -r torch_version cuda_version torch_prefix <<< "$torch_info"
note torch "$torch_version"
note cuda "$cuda_version"
if [[ $mode == gpu ]]; then
    case $gpu_name in
        *H100*|*H200*|*H800*|*GH200*) def_peak=989 ;;
        *A100*|*A800*) def_peak=312 ;;
        *L40S*) def_peak=362 ;;
        *) def_peak="" ;;
    esac
    peak=${PEAK_TFLOPS:-$def_peak}
    [[ -n $peak ]] && note peak_bf16_tflops "$peak" || note note_peak "unknown GPU: set PEAK_TFLOPS for MFU"
fi

for tool in cmake c++; do
    command -v "$tool" >/dev/null || { echo "run_gpu.sh: no $tool on this machine's PATH: the build needs it" >&2; exit 1; }
done

. "$here/unpack_deb.sh"

# 1. The carried Debian packages (headers, CMake configs, libraries), unpacked once.
prefix_args=()
if [[ -n $carry ]]; then
    sysroot="$carry/root"
    if [[ ! -f $sysroot/.unpacked ]]; then
        say "unpacking $(ls "$carry"/debs/*.deb | wc -l) packages from $carry"
        rm -rf "$sysroot" && mkdir -p "$sysroot"
        for deb in "$carry"/debs/*.deb; do
            unpack_deb "$deb" "$sysroot"
        done
        touch "$sysroot/.unpacked"
    fi
    multiarch="$sysroot/usr/lib/x86_64-linux-gnu"
    prefix_args=(-DCMAKE_PREFIX_PATH="$sysroot/usr" -DCMAKE_FIND_ROOT_PATH="$sysroot"
                 -DCMAKE_INCLUDE_PATH="$sysroot/usr/include" -DCMAKE_LIBRARY_PATH="$multiarch")
    export LD_LIBRARY_PATH="$multiarch:$sysroot/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export PATH="$sysroot/usr/lib/qt6/libexec:$sysroot/usr/bin:$PATH"
    note carry "$(ls "$carry"/debs/*.deb | wc -l) Debian packages ($(cat "$carry/origin.txt" 2>/dev/null))"
fi

# 2. Build: the backend, anneal-cli, the CUDA suite and bench_train (no GUI).
if [[ $skip_build == 0 ]]; then
    torch_args=()
    if [[ $mode == gpu ]]; then
        torch_args=(-DTorch_DIR="$torch_prefix/Torch" -DANNEAL_WITH_CUDA=ON)
        # Torch's CMake package looks for the CUDA toolkit; a wheel's own nvidia/ packages do for headers.
        for c in /usr/local/cuda "$(dirname "$(dirname "$(command -v nvcc 2>/dev/null || echo /x/x)")")"; do
            [[ -x $c/bin/nvcc ]] && torch_args+=(-DCUDAToolkit_ROOT="$c" -DCMAKE_CUDA_COMPILER="$c/bin/nvcc") && break
        done
    fi
    say "configuring $build"
    t0=$(date +%s)
    if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DANNEAL_BUILD_GUI=OFF -DANNEAL_BUILD_TESTS=ON \
            -DANNEAL_BUILD_BENCH=ON "${torch_args[@]}" "${prefix_args[@]}" > "$raw/configure.txt" 2>&1; then
        tail -40 "$raw/configure.txt" >&2
        echo "run_gpu.sh: configure failed (the whole log: $raw/configure.txt)" >&2
        exit 1
    fi
    say "building"
    if ! cmake --build "$build" -j"$(nproc)" --target anneal-cli bench_train test_cuda_training > "$raw/build.txt" 2>&1; then
        grep -E "error|Error" "$raw/build.txt" | head -40 >&2
        echo "run_gpu.sh: build failed (the whole log: $raw/build.txt)" >&2
        exit 1
    fi
    note build "Release, anneal-cli + bench_train + test_cuda_training, $(nproc) jobs"
    note build_seconds "$(( $(date +%s) - t0 ))"
fi
[[ -x $build/bin/bench_train ]] || { echo "run_gpu.sh: no $build/bin/bench_train (build first)" >&2; exit 1; }

# 3. The CUDA tests (on --cpu-check: their logic, on CPU).
if [[ $skip_tests == 0 ]]; then
    say "ctest -L cuda"
    if [[ $mode == cpu-check ]]; then
        export ANNEAL_TEST_DEVICE=cpu
    fi
    (cd "$build" && OPENBLAS_NUM_THREADS=1 ctest -L cuda --output-on-failure -V --timeout 300) > "$raw/ctest.txt" 2>&1
    grep -E "tests passed|QINFO|FAIL" "$raw/ctest.txt" | head -30
    unset ANNEAL_TEST_DEVICE
fi

# 4. The benchmark, interleaved by repetition; GPU memory sampled while each program runs.
run_program() {  # run_program PROGRAM REP
    local p=$1 r=$2 f="$raw/$1-$2" sampler=""
    if [[ $mode == gpu ]]; then
        echo "baseline_mib $(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0)" > "$f.mem"
        nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 -lms 100 > "$f.samples" &
        sampler=$!
    fi
    case $p in
        anneal-fp32) "$build/bin/bench_train" step --model "$model" --batch "$batch" --steps "$steps" \
                         --warmup "$warmup" --device "$device" ;;
        torch-fp32) "$py" "$root/bench/train_step_torch.py" --model "$model" --batch "$batch" --steps "$steps" \
                        --warmup "$warmup" --device "$device" --attention "$attention" --amp none ;;
        torch-bf16) "$py" "$root/bench/train_step_torch.py" --model "$model" --batch "$batch" --steps "$steps" \
                        --warmup "$warmup" --device "$device" --attention "$attention" --amp bf16 ;;
        compile-bf16) "$py" "$root/bench/train_step_torch.py" --model "$model" --batch "$batch" --steps "$steps" \
                          --warmup "$warmup" --device "$device" --attention "$attention" --amp bf16 --compile ;;
    esac > "$f.txt" 2> "$f.err"
    local rc=$?
    if [[ -n $sampler ]]; then
        kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
        echo "peak_mib $(sort -n "$f.samples" | tail -1)" >> "$f.mem"
    fi
    [[ $rc == 0 ]] || { echo "$p rep $r failed ($rc): $(tail -3 "$f.err" | tr '\n' ' ')"; note "note_$p" "rep $r failed: $(tail -1 "$f.err")"; }
    awk -v p="$p" -v r="$r" '$1 == "step_ms_median" { printf "  %-13s rep %d: %9.2f ms/step\n", p, r, $2 }' "$f.txt"
}
say "benchmark: $model, batch $batch, $warmup + $steps steps, $reps reps, on $device: ${programs//,/ }"
for ((r = 1; r <= reps; r++)); do
    for p in ${programs//,/ }; do
        run_program "$p" "$r"
    done
done
note note_precision "Anneal has no train.precision = \"bf16\" yet: its row is fp32 (TF32 off), PyTorch's bf16 rows are the target"

# 5. The summary.
"$py" "$here/summarize_gpu.py" "$raw" --out "$out/summary.md" || /usr/bin/python3 "$here/summarize_gpu.py" "$raw" --out "$out/summary.md"
cat "$out/summary.md"
say "raw outputs in $raw"
exit 0
