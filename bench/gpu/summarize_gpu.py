#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the raw outputs of bench/gpu/run_gpu.sh into one markdown summary.

    summarize_gpu.py RAW_DIR [--out FILE]

RAW_DIR holds what run_gpu.sh wrote:
  env.txt             `key: value` lines (gpu, driver, torch, cuda, os, commit, peak_bf16_tflops, mode,
                      batch, steps, warmup, reps, build, build_seconds, note...)
  PROGRAM-REP.txt     the `key value` lines of bench_train step / train_step_torch.py (step_ms_median,
                      tokens_per_s, flops_per_s_with_attention, ...), PROGRAM one of PROGRAMS below
  PROGRAM-REP.mem     `peak_mib N` and `baseline_mib N`: GPU memory in use (nvidia-smi) at most while
                      it ran, and before it started
  ctest.txt           the output of `ctest -L cuda`
Missing programs are listed as not run; a table row is the median over its repetitions.
Exit status 0, also when runs are missing (the summary says which); 2 on bad arguments.
"""
import argparse
import glob
import os
import re
import statistics
import sys

PROGRAMS = [  # (file prefix, program, precision)
    ("anneal-fp32", "Anneal", "fp32"),
    ("anneal-bf16", "Anneal", "bf16 autocast"),
    ("torch-fp32", "PyTorch eager", "fp32"),
    ("torch-bf16", "PyTorch eager", "bf16 autocast"),
    ("compile-bf16", "PyTorch torch.compile", "bf16 autocast"),
]

MODEL_SHAPES = {  # bench_train's and train_step_torch.py's --model names
    "gpt2-small": "GPT-2 small's shape: 12 layers, d_model 768, 12 heads, context 1024",
    "default": "2 layers, d_model 128, 4 heads, context 64",
    "tiny": "1 layer, d_model 64, 4 heads, context 64",
}


def read_kv(path, sep=None):
    """`key value` (sep None) or `key: value` lines; later keys win; unparsable lines are skipped."""
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(sep, 1) if sep else line.split(None, 1)
                if len(parts) == 2 and parts[0].strip():
                    out[parts[0].strip()] = parts[1].strip()
    except OSError:
        pass
    return out


def number(d, key):
    try:
        v = float(d[key])
    except (KeyError, ValueError):
        return None
    return v if v == v else None  # NaN -> None


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def collect(raw, prefix):
    reps = sorted(glob.glob(os.path.join(raw, prefix + "-*.txt")))
    runs = [read_kv(p) for p in reps]
    runs = [r for r in runs if number(r, "step_ms_median") is not None]
    mems = [read_kv(p[:-4] + ".mem") for p in reps]
    peak = median_of([number(m, "peak_mib") for m in mems])
    base = median_of([number(m, "baseline_mib") for m in mems])
    if not runs:
        return None
    return {
        "reps": len(runs),
        "step_ms": median_of([number(r, "step_ms_median") for r in runs]),
        "tokens_per_s": median_of([number(r, "tokens_per_s") for r in runs]),
        "flops": median_of([number(r, "flops_per_s_with_attention") for r in runs]),
        "loss": median_of([number(r, "final_loss") for r in runs]),
        "peak_mib": None if peak is None else peak - (base or 0.0),
    }


def ctest_line(raw):
    path = os.path.join(raw, "ctest.txt")
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return "not run"
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", text)
    if not m:
        return "no result (see ctest.txt)" if text.strip() else "not run"
    failed, total = int(m.group(2)), int(m.group(3))
    skipped = len(re.findall(r"\*\*\*Skipped|Not Run", text))
    failed_names = re.findall(r"^\s*\d+ - (\S+) \((?:Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)", text, re.M)
    line = f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped (of {total})"
    if failed_names:
        line += ": failed " + ", ".join(failed_names)
    return line


def fmt(v, spec, dash="—"):
    return dash if v is None else format(v, spec)


def summarize(raw):
    env = read_kv(os.path.join(raw, "env.txt"), sep=":")
    peak_tflops = number(env, "peak_bf16_tflops")
    cpu = env.get("mode", "gpu") == "cpu-check"
    rows = {p: collect(raw, p) for p, _, _ in PROGRAMS}
    lines = []
    title = env.get("gpu", "unknown device")
    lines.append(f"# Anneal vs PyTorch on {title}" + (" (CPU check, not a GPU measurement)" if cpu else ""))
    lines.append("")
    facts = [env.get(k) for k in ("date", "commit") if env.get(k)]
    for key, label in (("torch", "torch"), ("cuda", "CUDA"), ("driver", "driver"), ("os", "")):
        if env.get(key):
            facts.append((label + " " if label else "") + env[key])
    lines.append(" · ".join(facts) if facts else "(no env.txt)")
    lines.append("")
    model = env.get("model", "gpt2-small")
    shape = MODEL_SHAPES.get(model, "shape unknown")
    lines.append(f"Model: {model} ({shape}, byte vocabulary), batch {env.get('batch', '?')}, {env.get('steps', '?')} timed steps after "
                 f"{env.get('warmup', '?')} warm-up; each row the median over its repetitions (interleaved).")
    lines.append("")
    peak_label = f"{peak_tflops:g}" if peak_tflops else "unknown"
    lines.append(f"| program | precision | reps | step ms (median) | tokens/s | model TFLOP/s | MFU (% of {peak_label} TFLOP/s dense bf16) "
                 "| peak GPU memory (MiB) | final loss |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    not_run = []
    for prefix, program, precision in PROGRAMS:
        r = rows[prefix]
        if r is None:
            not_run.append(f"{program} {precision}")
            continue
        mfu = None if (r["flops"] is None or not peak_tflops) else 100.0 * r["flops"] / (peak_tflops * 1e12)
        tflops = None if r["flops"] is None else r["flops"] / 1e12
        lines.append(f"| {program} | {precision} | {r['reps']} | {fmt(r['step_ms'], '.1f')} | {fmt(r['tokens_per_s'], ',.0f')} "
                     f"| {fmt(tflops, '.1f')} | {fmt(mfu, '.1f')} | {fmt(r['peak_mib'], ',.0f')} | {fmt(r['loss'], '.3f')} |")
    lines.append("")

    def tps(p):
        return rows[p]["tokens_per_s"] if rows[p] and rows[p]["tokens_per_s"] else None

    def ratio(a, b):
        return None if tps(a) is None or tps(b) is None else tps(a) / tps(b)

    best = "anneal-bf16" if tps("anneal-bf16") else "anneal-fp32"
    best_label = "Anneal bf16" if best == "anneal-bf16" else "Anneal fp32"
    r_eager_bf16 = ratio(best, "torch-bf16")
    ratios = [
        f"{best_label} / PyTorch eager bf16: **{fmt(r_eager_bf16, '.3f')}** (goal ≥ 1.0: "
        + ("n/a" if r_eager_bf16 is None else ("met" if r_eager_bf16 >= 1.0 else "not met")) + ")",
        f"Anneal fp32 / PyTorch eager fp32: {fmt(ratio('anneal-fp32', 'torch-fp32'), '.3f')}",
        f"{best_label} / torch.compile bf16: {fmt(ratio(best, 'compile-bf16'), '.3f')}",
    ]
    if rows[best] and rows[best]["flops"] and peak_tflops:
        mfu = 100.0 * rows[best]["flops"] / (peak_tflops * 1e12)
        ratios.append(f"{best_label} MFU: **{mfu:.1f} %** (goal ≥ 40 %: {'met' if mfu >= 40 else 'not met'})")
    lines.append("Ratios of tokens/s: " + "; ".join(ratios) + ".")
    lines.append("")
    lines.append(f"CUDA tests (`ctest -L cuda`): {ctest_line(raw)}.")
    if env.get("build"):
        lines.append(f"Build: {env['build']}" + (f" in {env['build_seconds']} s" if env.get("build_seconds") else "") + ".")
    if not_run:
        lines.append("Not run: " + ", ".join(not_run) + ".")
    lines.append("MFU counts 6·N_non-embedding + 6·n_layer·context·d_model FLOPs per token (Anneal's convention) "
                 "against the dense bf16 peak for every row; peak memory is nvidia-smi's memory in use while the "
                 "program ran, less what was in use before it (CUDA context and allocator cache included).")
    for k in sorted(env):
        if k.startswith("note"):
            lines.append(f"Note: {env[k]}")
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw", help="the raw output folder of run_gpu.sh")
    ap.add_argument("--out", help="write the summary here (default: stdout)")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.raw):
        ap.error(f"RAW_DIR {a.raw} is not a folder")
    text = summarize(a.raw)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
