#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Anneal's training step on a CUDA GPU against PyTorch eager on the same GPU: GPT-2 small's shape
# (12 layers, d_model 768, 12 heads, context 1024, byte vocabulary), tokens/s and MFU. Prepared, not run
# yet: the development VMs have no GPU (see bench/gpu/README.md for what it does and what to expect).
#
#   bench/gpu/run_gpu_bench.sh [WORK_DIR]      (default: build-gpu beside the sources)
#   PYTHON=python3            an interpreter with a CUDA PyTorch (>= 2.0; its bundled LibTorch is used)
#   BATCH=8 STEPS=30 WARMUP=10 REPS=3
#   PEAK_TFLOPS=989           the GPU's dense bf16 peak (H100/H200 SXM: 989; A100: 312) for MFU
#   PEAK_TFLOPS_FP32=67       its fp32 (non-tensor-core) peak; with TF32 matmuls: 495 (H100) / 156 (A100)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-$root/build-gpu}"
py="${PYTHON:-python3}"
batch="${BATCH:-8}"; steps="${STEPS:-30}"; warmup="${WARMUP:-10}"; reps="${REPS:-3}"
peak="${PEAK_TFLOPS:-989}"; peak32="${PEAK_TFLOPS_FP32:-67}"

command -v nvidia-smi >/dev/null || { echo "run_gpu_bench: no nvidia-smi: this machine has no NVIDIA GPU" >&2; exit 1; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
"$py" - <<'PY'
import sys, torch
assert torch.cuda.is_available(), "this PyTorch has no CUDA device"
major = int(torch.__version__.split(".")[0])
assert major >= 2, "PyTorch >= 2.0 needed (scaled_dot_product_attention, bf16 autocast)"
# Debian's SQLite/TOML/Ceres libraries use the C++11 ABI: LibTorch must too (wheels since 2.7, or the
# cxx11-abi LibTorch zip for older versions).
assert torch._C._GLIBCXX_USE_CXX11_ABI, "this PyTorch's LibTorch uses the old C++ ABI; use torch >= 2.7 or a cxx11-abi LibTorch"
print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))
PY
torch_dir="$("$py" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')/Torch"

# 1. Build the backend and the training driver against PyTorch's LibTorch (no GUI, no tests).
cmake -S "$root" -B "$work" -DCMAKE_BUILD_TYPE=Release -DANNEAL_BUILD_GUI=OFF -DANNEAL_BUILD_TESTS=OFF \
      -DANNEAL_WITH_CUDA=ON -DTorch_DIR="$torch_dir" -DCMAKE_CUDA_ARCHITECTURES="80;90"
cmake --build "$work" -j"$(nproc)" --target bench_train
"$work/bin/bench_train" step --model tiny --steps 3 --warmup 1 --device cuda >/dev/null  # CUDA really used

# 2. Interleaved: Anneal (fp32; with LibTorch >= 2 the model uses scaled_dot_product_attention with
#    is_causal), PyTorch eager fp32 with the same attention, PyTorch eager with bf16 autocast.
out="$work/gpu-bench-$(date +%Y%m%d-%H%M%S)"; mkdir -p "$out"
key() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }
for ((r = 1; r <= reps; r++)); do
    "$work/bin/bench_train" step --model gpt2-small --batch "$batch" --steps "$steps" --warmup "$warmup" --device cuda \
        > "$out/anneal-$r.txt"
    "$py" "$here/../train_step_torch.py" --model gpt2-small --batch "$batch" --steps "$steps" --warmup "$warmup" \
        --device cuda --attention sdpa --amp none > "$out/torch-fp32-$r.txt"
    "$py" "$here/../train_step_torch.py" --model gpt2-small --batch "$batch" --steps "$steps" --warmup "$warmup" \
        --device cuda --attention sdpa --amp bf16 > "$out/torch-bf16-$r.txt"
    echo "rep $r: anneal $(key step_ms_median "$out/anneal-$r.txt") ms, torch fp32 $(key step_ms_median "$out/torch-fp32-$r.txt") ms," \
         "torch bf16 $(key step_ms_median "$out/torch-bf16-$r.txt") ms"
done

# 3. Medians, tokens/s and MFU (6N·tokens/s + attention, Anneal's FLOPs/token convention, over the peak).
med() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for kind in anneal torch-fp32 torch-bf16; do
    ms=$(for f in "$out/$kind"-*.txt; do key step_ms_median "$f"; done | med)
    fl=$(for f in "$out/$kind"-*.txt; do key flops_per_s_with_attention "$f"; done | med)
    tps=$(for f in "$out/$kind"-*.txt; do key tokens_per_s "$f"; done | med)
    p=$([[ $kind == torch-bf16 ]] && echo "$peak" || echo "$peak32")
    awk -v k="$kind" -v ms="$ms" -v t="$tps" -v f="$fl" -v p="$p" \
        'BEGIN { printf "%-11s step %8.1f ms  %9.0f tokens/s  %6.1f TFLOP/s  MFU %5.1f %% of %s TFLOP/s\n", k, ms, t, f / 1e12, 100 * f / (p * 1e12), p }'
done | tee "$out/summary.txt"
echo "ratio anneal/torch-fp32: $(awk -v a="$(grep '^anneal' "$out/summary.txt" | awk '{print $3}')" -v b="$(grep '^torch-fp32' "$out/summary.txt" | awk '{print $3}')" 'BEGIN { printf "%.3f", a / b }')" | tee -a "$out/summary.txt"
echo "raw outputs: $out"
