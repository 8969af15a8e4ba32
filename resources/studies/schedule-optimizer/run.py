#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The schedule-optimizer study (README.md): closes the loop from fitted laws to a trained schedule.

Stage 1 runs plan.toml (three seeds of constant, cosine and linear runs; two WSD cooldowns branched
from each constant run). Then, for each law (mpl, lr_annealing): one fit on the six constant and
cosine validation curves (points from --min-step on), its predictions of every run (PredE, WorstE,
final-loss error), and `anneal-cli schedule optimize` on base.toml's steps, peak and warmup. Stage 2
trains each optimised schedule with the same three seeds. The summary compares measured final
validation losses (mean and sample standard deviation over the seeds, and the paired differences)
with the laws' predictions.

Only the Python standard library and anneal-cli are used; every number comes from anneal-cli's JSON.
Re-running resumes: completed runs are not trained again (fits and predictions are recomputed).

  resources/studies/schedule-optimizer/run.py --db schedopt.db --out schedopt-out [--cli anneal-cli]
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAWS = ["mpl", "lr_annealing"]
GROUP = "schedule-optimizer"
OPT_GROUP = "schedule-optimizer-opt"
SEEDS = [1, 2, 3]


def cli(args, ns, quiet=False):
    cmd = [ns.cli] + args + ["--db", ns.db]
    if not quiet:
        print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"anneal-cli failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def cli_json(args, ns):
    return json.loads(cli(args, ns, quiet=True))


def schedule_of(name):
    """'constant seed=2/wsd20-linear' -> ('wsd20-linear', 2); 'opt-mpl-from400@1a2b3c4d seed=1' ->
    ('opt-mpl-from400', 1): the hash names the optimised schedule's file, so a changed schedule is
    trained again under a new name rather than mixed with runs of the old one."""
    head, _, branch = name.partition("/")
    variant, _, seed = head.partition(" seed=")
    return (branch or variant).partition("@")[0], int(seed)


def file_hash(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:8]


def final_val(run_id, ns):
    rows = cli_json(["metrics", str(run_id), "--name", "val_loss", "--with-history", "--json"], ns)
    return rows[-1]["step"], rows[-1]["value"]


def mean_sd(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def fmt(m_sd, digits=4):
    m, s = m_sd
    return f"{m:.{digits}f} ± {s:.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cli", default=os.environ.get("ANNEAL_CLI", "anneal-cli"))
    ap.add_argument("--min-step", type=int, default=400, help="fit and score losses from this step on")
    ap.add_argument("--jobs", type=int, default=2)
    ns = ap.parse_args()
    os.makedirs(ns.out, exist_ok=True)

    # Stage 1: the plan (a completed run is skipped).
    cli(["sweep", os.path.join(HERE, "plan.toml"), "--jobs", str(ns.jobs)], ns)
    runs = [r for r in cli_json(["runs", "--json"], ns) if r["group"] == GROUP and r["status"] == "completed"]
    fit_ids = [r["id"] for r in runs if schedule_of(r["name"])[0] in ("constant", "cosine")]
    if len(fit_ids) != 6:
        sys.exit(f"expected 6 completed constant and cosine runs, found {len(fit_ids)}")

    result = {"min_step": ns.min_step, "laws": {}, "runs": {}}
    for law in LAWS:
        fit = cli_json(["fit", "--law", law, "--runs", ",".join(map(str, fit_ids)), "--metric", "val_loss",
                        "--min-step", str(ns.min_step), "--name", f"{GROUP}-{law}", "--json"], ns)
        opt = cli_json(["schedule", "optimize", "--fit", str(fit["fit_id"]), "--experiment",
                        os.path.join(HERE, "base.toml"), "--out", os.path.join(ns.out, f"opt-{law}.csv"),
                        "--out-experiment", os.path.join(ns.out, f"opt-{law}.toml"), "--json"], ns)
        opt.pop("knots", None)
        result["laws"][law] = {"fit_id": fit["fit_id"], "params": fit["params"], "optimize": opt}

    # Stage 2: each optimised schedule, three seeds (a completed one is not trained again).
    label = {law: f"opt-{law}-from{ns.min_step}@{file_hash(os.path.join(ns.out, f'opt-{law}.csv'))}"
             for law in LAWS}
    done = {r["name"] for r in cli_json(["runs", "--json"], ns) if r["status"] == "completed"}
    todo = [(law, s) for law in LAWS for s in SEEDS if f"{label[law]} seed={s}" not in done]

    def train(job):
        law, seed = job
        return cli(["run", os.path.join(ns.out, f"opt-{law}.toml"), "--set", f"seed={seed}", "--set",
                    "train.threads=1", "--name", f"{label[law]} seed={seed}", "--group", OPT_GROUP, "--quiet",
                    "--json"], ns)

    with concurrent.futures.ThreadPoolExecutor(max_workers=ns.jobs) as pool:
        list(pool.map(train, todo))

    # Every run: measured final validation loss, and each law's prediction of its curve.
    mine = {f"{label[law]} seed={s}" for law in LAWS for s in SEEDS}
    all_runs = [r for r in cli_json(["runs", "--json"], ns) if r["status"] == "completed" and
                (r["group"] == GROUP or (r["group"] == OPT_GROUP and r["name"] in mine))]
    for r in all_runs:
        sched, seed = schedule_of(r["name"])
        step, val = final_val(r["id"], ns)
        entry = {"id": r["id"], "schedule": sched, "seed": seed, "final_step": step, "final_val_loss": val,
                 "role": "fit" if r["id"] in fit_ids else "predicted"}
        own = max(ns.min_step, r["branch_step"] or 0)
        for law in LAWS:
            p = cli_json(["predict", "--fit", str(result["laws"][law]["fit_id"]), "--run", str(r["id"]),
                          "--min-step", str(own), "--json"], ns)
            entry[law] = {k: p[k] for k in ("pred_e", "worst_e", "final_error", "final_predicted", "n_steps")}
        result["runs"][r["name"]] = entry

    with open(os.path.join(ns.out, "summary.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    with open(os.path.join(ns.out, "summary.md"), "w") as f:
        f.write(summary_markdown(result))
    print(summary_markdown(result))


def summary_markdown(res):
    m = res["min_step"]
    order = ["constant", "cosine", "linear", "wsd20-linear", "wsd10-1sqrt", f"opt-mpl-from{m}",
             f"opt-lr_annealing-from{m}"]
    by = {}
    for e in res["runs"].values():
        by.setdefault(e["schedule"], {})[e["seed"]] = e
    out = []
    out.append("| schedule | role | measured final val_loss (mean ± sd, 3 seeds) | mpl predicted | "
               "mpl final error | mpl PredE | lr_annealing predicted | lr_annealing final error | "
               "lr_annealing PredE |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for s in order:
        if s not in by:
            continue
        es = [by[s][k] for k in sorted(by[s])]
        row = [s, es[0]["role"], fmt(mean_sd([e["final_val_loss"] for e in es]))]
        for law in LAWS:
            row.append(fmt(mean_sd([e[law]["final_predicted"] for e in es])))
            row.append(fmt(mean_sd([100 * e[law]["final_error"] for e in es]), 2) + " %")
            row.append(fmt(mean_sd([100 * e[law]["pred_e"] for e in es]), 2) + " %")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append("Gains of the optimised schedules (final val_loss of the reference minus the optimised "
               "one's; measured: mean ± sd of the per-seed paired differences; predicted: the same law's "
               "prediction of the trained runs):")
    out.append("")
    out.append("| optimised | against | measured gain | predicted gain (its own law) |")
    out.append("|---|---|---|---|")
    for law in LAWS:
        o = f"opt-{law}-from{m}"
        if o not in by:
            continue
        for ref in ("cosine", "wsd20-linear", "wsd10-1sqrt", "linear"):
            if ref not in by:
                continue
            seeds = sorted(set(by[o]) & set(by[ref]))
            meas = [by[ref][k]["final_val_loss"] - by[o][k]["final_val_loss"] for k in seeds]
            pred = [by[ref][k][law]["final_predicted"] - by[o][k][law]["final_predicted"] for k in seeds]
            out.append(f"| {o} | {ref} | {fmt(mean_sd(meas))} | {statistics.mean(pred):.4f} |")
    out.append("")
    for law in LAWS:
        L = res["laws"][law]
        opt = L["optimize"]
        params = ", ".join(f"{k} = {v:.4g}" for k, v in L["params"].items())
        refs = ", ".join(f"{k} {v:.5f}" for k, v in sorted(opt.get("references", {}).items()))
        out.append(f"* `{law}` fit {L['fit_id']}: {params}. Optimiser: predicted final loss "
                   f"{opt['final_loss']:.5f} (references under the same law: {refs}); "
                   f"{opt['iterations']} iterations, converged {opt['converged']}, {opt['seconds']:.2f} s")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
