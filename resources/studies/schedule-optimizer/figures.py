#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Figures of the schedule-optimizer study from run.py's summary.json, drawn by anneal-render:

  schedules.png  the LR of seed 1's runs: cosine, linear, WSD 20 %, and the optimised schedules
  curves.png     their validation loss over the last 60 % (solid) with the mpl fit's prediction of
                 each (dashed), from `anneal-cli predict --run`

  resources/studies/schedule-optimizer/figures.py --db schedopt.db --summary out800/summary.json \\
      --extra out400/summary.json --skip opt-lr_annealing-from400 --out docs/studies/schedule-optimizer \\
      [--cli anneal-cli] [--render anneal-render]
"""
import argparse
import json
import os
import subprocess
import sys

SHOWN = ["cosine", "linear", "wsd20-linear"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--summary", required=True, help="summary.json of run.py")
    ap.add_argument("--extra", action="append", default=[], help="another summary.json whose optimised runs to add")
    ap.add_argument("--skip", action="append", default=[], help="a schedule label to leave out")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cli", default=os.environ.get("ANNEAL_CLI", "anneal-cli"))
    ap.add_argument("--render", default="anneal-render")
    ns = ap.parse_args()
    summaries = [json.load(open(p)) for p in [ns.summary] + ns.extra]
    main_summary = summaries[0]
    fit_id = main_summary["laws"]["mpl"]["fit_id"]
    picked = []  # (label, run id, is branch)
    for name, e in sorted(main_summary["runs"].items()):
        if e["seed"] == 1 and e["schedule"] in SHOWN:
            picked.append((e["schedule"], e["id"]))
    for s in summaries:
        for name, e in sorted(s["runs"].items()):
            if (e["seed"] == 1 and e["schedule"].startswith("opt-") and e["schedule"] not in ns.skip and
                    (e["schedule"], e["id"]) not in picked):
                picked.append((e["schedule"], e["id"]))
    picked.sort(key=lambda p: p[1])

    lr_series, loss_series = [], []
    lo, hi = float("inf"), 0.0
    for colour, (label, run) in enumerate(picked):
        lr_series.append({"label": label, "metric": "lr", "run": run, "style": "line", "with_history": True,
                          "color": colour})
        loss_series.append({"label": label, "metric": "val_loss", "run": run, "style": "line",
                            "with_history": True, "color": colour})
        r = subprocess.run([ns.cli, "predict", "--fit", str(fit_id), "--run", str(run), "--min-step", "800",
                            "--json", "--db", ns.db], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(r.stderr)
        curve = json.loads(r.stdout)["curve"]
        xs = [row["step"] for row in curve]
        ys = [row["predicted"] for row in curve]
        obs = [row["observed"] for row in curve]
        lo, hi = min(lo, *ys, *obs), max(hi, *ys, *obs)
        loss_series.append({"label": f"{label} (mpl from step 800, predicted)", "style": "dash",
                            "x": xs, "y": ys, "color": colour})
    pad = 0.05 * (hi - lo)
    figures = {"db": os.path.abspath(ns.db), "figures": [
        {"out": "schedules.png", "title": "Learning rate of each schedule (seed 1)", "x": "step",
         "x_label": "step", "y_label": "learning rate", "width": 960, "height": 540, "log_x": False,
         "log_y": False, "reference_lines": [], "series": lr_series},
        {"out": "curves.png", "title": "Validation loss (solid) and the mpl fit's prediction (dashed), seed 1",
         "x": "step", "x_label": "step", "y_label": "loss (nats/token)", "width": 960, "height": 540,
         "log_x": False, "log_y": False, "reference_lines": [], "x_range": [800.0, 2000.0],
         "y_range": [lo - pad, hi + pad], "series": loss_series},
    ]}
    os.makedirs(ns.out, exist_ok=True)
    path = os.path.join(ns.out, "figures.json")
    with open(path, "w") as f:
        json.dump(figures, f, indent=1, sort_keys=True)
    subprocess.run([ns.render, path, "--db", ns.db], check=True)


if __name__ == "__main__":
    main()
