#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Why does lr_annealing underpredict the cooldowns of Anneal's runs? (docs/FITTING.md, "Cooldown gains")

On the stage-1 runs of the schedule-optimizer study (run.py), fits each law with one fitting choice
changed at a time (the minimum step, lambda fixed or fitted, the warmup treatment) on the six constant
and cosine curves, and reports for the cooldowns (WSD branches, linear decay) of the three seeds:
the final-loss error, and the share of the measured cooldown gain the law predicts, where the gain is
the seed's constant run's final validation loss minus the cooldown run's (measured), and the law's
prediction of the one minus its prediction of the other (predicted). It also estimates the validation
loss's own noise: the standard deviation of the constant runs' step-to-step differences over the
second half, divided by sqrt(2).

  resources/studies/schedule-optimizer/ablate_laws.py --db schedopt.db [--cli anneal-cli] > ablation.md
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys

GROUP = "schedule-optimizer"


def cli_json(ns, args):
    cmd = [ns.cli] + args + ["--db", ns.db]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"anneal-cli failed: {' '.join(cmd)}\n{r.stderr}")
    return json.loads(r.stdout)


def schedule_of(name):
    head, _, branch = name.partition("/")
    variant, _, seed = head.partition(" seed=")
    return (branch or variant), int(seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--cli", default=os.environ.get("ANNEAL_CLI", "anneal-cli"))
    ns = ap.parse_args()
    runs = [r for r in cli_json(ns, ["runs", "--json"]) if r["group"] == GROUP and r["status"] == "completed"]
    by = {schedule_of(r["name"]): r for r in runs}
    fit_ids = [r["id"] for (s, _), r in by.items() if s in ("constant", "cosine")]
    cooldowns = [k for k in sorted(by) if k[0] in ("wsd20-linear", "wsd10-1sqrt", "linear")]

    # The validation noise: constant runs, second half, step-to-step differences.
    noise = []
    for seed in (1, 2, 3):
        rows = cli_json(ns, ["metrics", str(by[("constant", seed)]["id"]), "--name", "val_loss", "--json"])
        v = [r["value"] for r in rows if r["step"] >= 1000]
        noise.append(statistics.stdev([b - a for a, b in zip(v, v[1:])]) / math.sqrt(2))
    print(f"Validation noise (sd of one val_loss estimate, constant runs, steps >= 1000): "
          f"{statistics.mean(noise):.4f} nats (seeds: {', '.join(f'{x:.4f}' for x in noise)})\n")

    configs = [
        ("mpl", "min-step 400", ["--min-step", "400"]),
        ("mpl", "min-step 0", []),
        ("mpl", "min-step 800", ["--min-step", "800"]),
        ("lr_annealing", "min-step 400, lambda 0.999, clamp", ["--min-step", "400"]),
        ("lr_annealing", "min-step 0", []),
        ("lr_annealing", "min-step 800", ["--min-step", "800"]),
        ("lr_annealing", "min-step 400, lambda 0.99", ["--min-step", "400", "--lambda", "0.99"]),
        ("lr_annealing", "min-step 400, lambda 0.995", ["--min-step", "400", "--lambda", "0.995"]),
        ("lr_annealing", "min-step 400, lambda fitted", ["--min-step", "400", "--fit-lambda"]),
        ("lr_annealing", "min-step 400, warmup after", ["--min-step", "400", "--warmup", "after"]),
    ]
    print("| law | fitting choice | fitted params | final error, wsd20-linear | wsd10-1sqrt | linear | "
          "share of the gain over constant predicted (wsd20, wsd10, linear) |")
    print("|---|---|---|---|---|---|---|")
    for law, label, extra in configs:
        # predict needs a stored fit: it is stored under a name that says it is an ablation.
        fit = cli_json(ns, ["fit", "--law", law, "--runs", ",".join(map(str, fit_ids)), "--metric",
                            "val_loss", "--name", f"ablation {law} {label}", "--json"] + extra)
        pred = {}
        for key in cooldowns + [("constant", s) for s in (1, 2, 3)]:
            r = by[key]
            p = cli_json(ns, ["predict", "--fit", str(fit["fit_id"]), "--run", str(r["id"]), "--min-step",
                              str(max(400, r["branch_step"] or 0)), "--json"])
            pred[key] = (p["final_observed"], p["final_predicted"])
        errs, shares = {}, {}
        for sched in ("wsd20-linear", "wsd10-1sqrt", "linear"):
            e = [100 * (pred[(sched, s)][1] - pred[(sched, s)][0]) / pred[(sched, s)][0] for s in (1, 2, 3)]
            errs[sched] = f"{statistics.mean(e):+.2f} ± {statistics.stdev(e):.2f} %"
            g = []
            for s in (1, 2, 3):
                measured = pred[("constant", s)][0] - pred[(sched, s)][0]
                predicted = pred[("constant", s)][1] - pred[(sched, s)][1]
                g.append(100 * predicted / measured)
            shares[sched] = f"{statistics.mean(g):.0f} ± {statistics.stdev(g):.0f} %"
        params = ", ".join(f"{k} {v:.4g}" for k, v in fit["params"].items())
        print(f"| {law} | {label} | {params} | {errs['wsd20-linear']} | {errs['wsd10-1sqrt']} | "
              f"{errs['linear']} | {shares['wsd20-linear']}, {shares['wsd10-1sqrt']}, {shares['linear']} |",
              flush=True)


if __name__ == "__main__":
    main()
