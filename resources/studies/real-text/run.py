#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real-text versions of four studies, three seeds each, with mean ± sample sd over the seeds.

  run.py STUDY --db DB [--no-sweep] [--cli anneal-cli] [--out FILE.md]

STUDY is one of
  wsd-vs-cosine      resources/studies/wsd-vs-cosine/real-text/plan.toml: final validation loss and
                     bits per byte per domain of each schedule, paired differences against cosine;
  lr-annealing-law   the same sweep (same plan, same database: its `wsd` variant is the constant run,
                     `cosine` the second fitted schedule, the cooldown branches the predicted runs):
                     per seed, `anneal-cli fit` of lr_annealing (lambda fixed at 0.999 and fitted)
                     and mpl on that seed's constant and cosine curves, `anneal-cli predict --run` of
                     every run; the errors and the share of each cooldown's gain predicted;
  upsample-window    resources/studies/upsample-window/real-text/plan.toml: each window's change of
                     the target (German) and general losses against no upsampling;
  noisy-reweighting  resources/studies/noisy-reweighting/real-text/plan.toml: clean validation loss
                     of the noisy domain, and how the stored per-sample weights separate clean from
                     noisy samples (AUC, Mann-Whitney, as `anneal-cli report` computes it).

The sweep runs first (`anneal-cli sweep PLAN --db DB`; a completed run is skipped, an interrupted
one resumed), then every number comes from anneal-cli's JSON (`runs`, `metrics`, `weights`, `fit`,
`predict`). Seeds are paired: a difference is taken per seed, then its mean ± sd over the seeds.
The markdown goes to stdout and to docs/studies/STUDY/real-text.md, the per-seed numbers to
real-text.json beside it. Only the Python standard library is used. The corpus is found through
ANNEAL_CORPUS (`anneal-cli corpus prepare`); set ANNEAL_CACHE_DIR to share the token cache.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
STUDIES_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(STUDIES_DIR))

STUDIES = {
    "wsd-vs-cosine": {"plan": "wsd-vs-cosine/real-text/plan.toml", "ref": "cosine", "ref2": "cool20-1sqrt",
                      "order": ["cosine", "wsd", "cool10-1sqrt", "cool20-1sqrt", "cool30-1sqrt", "cool20-linear"]},
    "lr-annealing-law": {"plan": "wsd-vs-cosine/real-text/plan.toml", "ref": "wsd",
                         "order": ["wsd", "cosine", "cool10-1sqrt", "cool20-1sqrt", "cool30-1sqrt",
                                   "cool20-linear"]},
    "upsample-window": {"plan": "upsample-window/real-text/plan.toml", "ref": "none", "target": "german",
                        "order": ["none", "window05", "window10", "window20", "window30"]},
    "noisy-reweighting": {"plan": "noisy-reweighting/real-text/plan.toml", "ref": "none", "noisy": "prose",
                          "order": ["none", "linupper", "meta-0.1", "meta-0.5"]},
}

# lr-annealing-law: the fits made on each seed's constant (`wsd`) and cosine curves.
LAW_FITS = [
    ("lr_annealing λ 0.999", ["--law", "lr_annealing", "--min-step", "400"]),
    ("lr_annealing λ fitted", ["--law", "lr_annealing", "--fit-lambda", "--min-step", "400"]),
    ("mpl", ["--law", "mpl", "--min-step", "800"]),
]


def cli(args, ns, capture=True):
    cmd = [ns.cli] + args + ["--db", ns.db]
    if not capture:
        print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
        return subprocess.run(cmd).returncode
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"anneal-cli failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def cli_json(args, ns):
    return json.loads(cli(args, ns))


def mean_sd(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else float("nan")), len(xs)


def fmt(v, digits=4, scale=1.0, signed=False):
    if v is None:
        return "–"
    m, s, n = v
    sign = "+" if signed else ""
    out = f"{scale * m:{sign}.{digits}f} ± {scale * s:.{digits}f}"
    return out if n == 3 else out + f" (n={n})"


def label_of(run):
    """'wsd seed=2/cool20-linear' -> 'cool20-linear'; 'cosine seed=1' -> 'cosine'."""
    head, _, branch = run["name"].partition("/")
    return branch or head.partition(" seed=")[0]


def final_value(run_id, name, ns):
    rows = cli_json(["metrics", str(run_id), "--name", name, "--json"], ns)
    return (rows[-1]["step"], rows[-1]["value"]) if rows else (None, None)


def study_runs(plan, ns):
    group = plan["name"]
    runs = [r for r in cli_json(["runs", "--json"], ns) if r["group"] == group]
    done = [r for r in runs if r["status"] == "completed"]
    return runs, done


def collect(done, domains, ns):
    """Per label and seed: the final val_loss, val_loss.<d>, val_bpb.<d>, wall time and throughput."""
    by = {}
    for r in done:
        e = {"id": r["id"], "seed": r["seed"], "wall_s": r["wall_seconds"], "steps": r["steps_total"],
             "branch_step": r["branch_step"]}
        e["final_step"], e["val_loss"] = final_value(r["id"], "val_loss", ns)
        for d in domains:
            e["val_loss." + d] = final_value(r["id"], "val_loss." + d, ns)[1]
            e["val_bpb." + d] = final_value(r["id"], "val_bpb." + d, ns)[1]
        tps = [x["value"] for x in cli_json(["metrics", str(r["id"]), "--name", "tokens_per_s", "--json"], ns)]
        e["tokens_per_s_median"] = statistics.median(tps) if tps else None
        by.setdefault(label_of(r), {})[r["seed"]] = e
    return by


def over_seeds(by, label, key):
    return mean_sd([e[key] for e in by.get(label, {}).values()])


def paired(by, label, ref, key, fn=None):
    seeds = sorted(set(by.get(label, {})) & set(by.get(ref, {})))
    fn = fn or (lambda a, b: a - b)
    return mean_sd([fn(by[label][s][key], by[ref][s][key]) for s in seeds])


def final_tables(by, order, ref, domains, unit="val_loss"):
    out = []
    keys = ["val_loss"] + [f"{unit}.{d}" for d in domains] if unit == "val_loss" else [f"{unit}.{d}" for d in domains]
    head = ["run"] + [k if k != "val_loss" else "val_loss (mix)" for k in keys]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for lab in order:
        if lab in by:
            out.append("| " + " | ".join([lab] + [fmt(over_seeds(by, lab, k)) for k in keys]) + " |")
    out.append("")
    out.append(f"Paired differences against `{ref}` (per seed, then mean ± sd; negative: lower than `{ref}`):")
    out.append("")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for lab in order:
        if lab in by and lab != ref:
            out.append("| " + " | ".join([lab] + [fmt(paired(by, lab, ref, k), signed=True) for k in keys]) + " |")
    out.append("")
    return out


def cost_lines(runs, done, by, sweep_s):
    out = []
    wall = [r["wall_seconds"] for r in done]
    tps = [e["tokens_per_s_median"] for lab in by for e in by[lab].values() if e["tokens_per_s_median"]]
    steps = sum(r["steps_total"] - (r["branch_step"] or 0) for r in done)
    out.append(f"Runs completed: {len(done)} of {len(runs)} in the group; {steps} steps trained "
               f"(branches from their branch step); run wall times sum to {sum(wall):.0f} s"
               + (f"; this invocation's sweep took {sweep_s:.0f} s" if sweep_s is not None else "") + ".")
    if tps:
        out.append(f"Training throughput (median `tokens_per_s` of each run): median {statistics.median(tps):.0f}, "
                   f"range {min(tps):.0f}–{max(tps):.0f} tokens/s per run.")
    out.append("")
    return out


def report_schedules(study, plan, by, domains):
    out = [f"## Final validation loss, nats/token (mean ± sd over seeds)", ""]
    out += final_tables(by, study["order"], study["ref"], domains)
    out += ["## Final validation bits per byte", ""]
    out += final_tables(by, study["order"], study["ref"], domains, unit="val_bpb")
    second = study.get("ref2")
    if second and second in by:
        out += [f"## Against `{second}`", "",
                f"Paired differences of the final `val_loss` (mix) against `{second}` (per seed, then mean ± sd):", "",
                "| run | Δ val_loss (mix) | Δ val_bpb, mean over domains |", "|---|---|---|"]
        for lab in study["order"]:
            if lab in by and lab != second:
                for e in by[lab].values():
                    e["bpb_mean"] = statistics.mean(e["val_bpb." + d] for d in domains)
                for e in by[second].values():
                    e["bpb_mean"] = statistics.mean(e["val_bpb." + d] for d in domains)
                out.append(f"| {lab} | {fmt(paired(by, lab, second, 'val_loss'), signed=True)} | "
                           f"{fmt(paired(by, lab, second, 'bpb_mean'), signed=True)} |")
        out.append("")
    return out


def report_upsample(study, plan, by, domains):
    tgt = study["target"]
    weights = {d["name"]: d["weight"] for d in plan["_base"]["data"]["domain"]}
    general = [d for d in domains if d != tgt]
    wsum = sum(weights[d] for d in general)
    for lab in by:
        for e in by[lab].values():
            e["general"] = sum(weights[d] * e["val_loss." + d] for d in general) / wsum
            e["general_bpb"] = sum(weights[d] * e["val_bpb." + d] for d in general) / wsum
    out = report_schedules(study, plan, by, domains)
    out += ["## Target gain against general cost", "",
            f"Target: `val_loss.{tgt}`; general: the other domains' `val_loss` averaged with their base weights "
            f"({', '.join(f'{d} {weights[d]}' for d in general)}). Changes against `none`, paired by seed "
            "(target: negative is a gain; general: positive is a cost).", "",
            "| window | Δ target (nats) | Δ general (nats) | Δ target (bpb) | Δ general (bpb) | gain / cost (means) |",
            "|---|---|---|---|---|---|"]
    for lab in study["order"]:
        if lab == "none" or lab not in by:
            continue
        dt = paired(by, lab, "none", "val_loss." + tgt)
        dg = paired(by, lab, "none", "general")
        ratio = f"{-dt[0] / dg[0]:.2f}" if dt and dg and dg[0] > 0 else "– (no cost)"
        out.append(f"| {lab} | {fmt(dt, signed=True)} | {fmt(dg, signed=True)} | "
                   f"{fmt(paired(by, lab, 'none', 'val_bpb.' + tgt), signed=True)} | "
                   f"{fmt(paired(by, lab, 'none', 'general_bpb'), signed=True)} | {ratio} |")
    out.append("")
    return out


def auc(rows):
    """P(weight of a clean sample > weight of a noisy one), ties counting half (report_output.cpp)."""
    v = sorted((r["weight"], r["noisy"]) for r in rows if r["weight"] is not None)
    n_noisy = sum(1 for _, z in v if z)
    n_clean = len(v) - n_noisy
    if not n_noisy or not n_clean:
        return None
    below = total = 0.0
    i = 0
    while i < len(v):
        j = i
        tn = tc = 0
        while j < len(v) and v[j][0] == v[i][0]:
            tn, tc = tn + (1 if v[j][1] else 0), tc + (0 if v[j][1] else 1)
            j += 1
        total += tc * (below + 0.5 * tn)
        below += tn
        i = j
    return total / (n_clean * n_noisy)


def report_noisy(study, plan, by, domains, ns):
    nd = study["noisy"]
    base = plan["_base"]
    steps = base["train"]["steps"]
    for lab in by:
        for e in by[lab].values():
            cfg = {}
            for v in plan.get("variant", []):
                if v["name"] == lab:
                    cfg = v.get("set", {})
            burnin = cfg.get("reweight.burnin_steps", 0) if cfg.get("reweight.strategy", "none") != "none" else 0
            rows = [w for w in cli_json(["weights", str(e["id"]), "--json"], ns) if w["step"] >= burnin]
            mine = [w for w in rows if w["domain"] == nd]
            other = [w["weight"] for w in rows if w["domain"] != nd and w["weight"] is not None]
            e["auc"] = auc(mine)
            e["auc_late"] = auc([w for w in mine if w["step"] >= steps - steps // 4])
            clean = [w["weight"] for w in mine if not w["noisy"] and w["weight"] is not None]
            noisy = [w["weight"] for w in mine if w["noisy"] and w["weight"] is not None]
            e["w_clean"] = statistics.mean(clean) if clean else None
            e["w_noisy"] = statistics.mean(noisy) if noisy else None
            e["w_other"] = statistics.mean(other) if other else None
    out = report_schedules(study, plan, by, domains)
    out += ["## Separation of the planted noise by the stored weights", "",
            f"AUC: the probability that a clean sample of `{nd}` gets a larger stored weight than a noisy one, "
            "over every weight snapshot after burn-in (0.5: no separation; `none` is 0.5 by construction). "
            "Mean weights are relative to plain averaging (1).", "",
            "| run | AUC after burn-in | AUC, last quarter | mean weight clean | mean weight noisy | "
            "mean weight, other domain |", "|---|---|---|---|---|---|"]
    for lab in study["order"]:
        if lab in by:
            out.append("| " + " | ".join([lab] + [fmt(over_seeds(by, lab, k), 3) for k in
                                                   ("auc", "auc_late", "w_clean", "w_noisy", "w_other")]) + " |")
    out.append("")
    return out


def report_lrlaw(study, plan, by, domains, ns):
    """Per seed: fit each law on (constant, cosine), predict every run of that seed."""
    res = {}
    seeds = sorted(set(by.get("wsd", {})) & set(by.get("cosine", {})))
    stored = {f["name"]: f for f in cli_json(["fits", "--json"], ns)}
    for name, args in LAW_FITS:
        res[name] = {}
        for s in seeds:
            ids = [by["wsd"][s]["id"], by["cosine"][s]["id"]]
            fit_name = f"{plan['name']} {name} seed={s}"
            source = f"runs {ids[0]},{ids[1]} of "
            if fit_name in stored and stored[fit_name]["source"].startswith(source):
                # fitted by an earlier invocation on the same runs: reuse it
                fit = cli_json(["fits", str(stored[fit_name]["id"]), "--export", "json"], ns)
                fit["fit_id"], fit["params"] = stored[fit_name]["id"], stored[fit_name]["params"]
            else:
                fit = cli_json(["fit"] + args + ["--runs", ",".join(map(str, ids)), "--metric", "val_loss",
                                                 "--name", fit_name, "--json"], ns)
            warnings = [f"{w.get('field', '')}: {w.get('message', '')}" if isinstance(w, dict) else str(w)
                        for w in fit.get("warnings", [])]
            entry = {"fit_id": fit["fit_id"], "params": fit["params"], "warnings": warnings, "runs": {}}
            min_step = int(args[args.index("--min-step") + 1])
            for lab in study["order"]:
                if s not in by.get(lab, {}):
                    continue
                e = by[lab][s]
                own = max(min_step, e["branch_step"] or 0)
                p = cli_json(["predict", "--fit", str(fit["fit_id"]), "--run", str(e["id"]), "--min-step",
                              str(own), "--json"], ns)
                entry["runs"][lab] = {k: p.get(k) for k in ("pred_e", "worst_e", "final_error", "final_predicted")}
            res[name][s] = entry
    out = ["## Measured final validation loss (mean ± sd over seeds)", ""]
    out.append("| run | role | val_loss (mix) | gain over the constant run (paired) |")
    out.append("|---|---|---|---|")
    for lab in study["order"]:
        if lab in by:
            role = "fit" if lab in ("wsd", "cosine") else "predicted"
            g = paired(by, lab, "wsd", "val_loss", lambda a, b: b - a) if lab != "wsd" else None
            out.append(f"| {lab}{' (constant)' if lab == 'wsd' else ''} | {role} | "
                       f"{fmt(over_seeds(by, lab, 'val_loss'))} | {fmt(g, signed=True) if g else '–'} |")
    out.append("")
    for name, _ in LAW_FITS:
        per = res[name]
        if not per:
            continue
        pnames = list(next(iter(per.values()))["params"])
        out.append(f"## `{name}`, fitted per seed on the constant and cosine curves")
        out.append("")
        out.append("Parameters (mean ± sd over seeds): " + ", ".join(
            f"{k} = {fmt(mean_sd([per[s]['params'][k] for s in per]), 4)}" for k in pnames) + ".")
        warns = sorted({w for s in per for w in per[s]["warnings"]})
        if warns:
            out.append("")
            out.append("Warnings: " + " / ".join(warns))
        out.append("")
        out.append("| run | predicted final | final error | PredE | share of the gain over constant predicted |")
        out.append("|---|---|---|---|---|")
        for lab in study["order"]:
            rows = [(s, per[s]["runs"][lab]) for s in per if lab in per[s]["runs"]]
            if not rows:
                continue
            share = None
            if lab != "wsd":
                sh = []
                for s, r in rows:
                    meas = by["wsd"][s]["val_loss"] - by[lab][s]["val_loss"]
                    pred = per[s]["runs"]["wsd"]["final_predicted"] - r["final_predicted"]
                    sh.append(100 * pred / meas if meas else None)
                share = mean_sd(sh)
            out.append(f"| {lab} | {fmt(mean_sd([r['final_predicted'] for _, r in rows]))} | "
                       f"{fmt(mean_sd([r['final_error'] for _, r in rows]), 2, 100, True)} % | "
                       f"{fmt(mean_sd([r['pred_e'] for _, r in rows]), 2, 100)} % | "
                       f"{fmt(share, 0) + ' %' if share else '–'} |")
        out.append("")
        # ordering of the cooldowns' predicted against measured final losses, per seed
        cools = [c for c in ("cool10-1sqrt", "cool20-1sqrt", "cool30-1sqrt", "cool20-linear")
                 if c in by]
        right = total = 0
        for s in per:
            cs = [c for c in cools if c in per[s]["runs"] and s in by[c]]
            for i in range(len(cs)):
                for j in range(i + 1, len(cs)):
                    a, b = cs[i], cs[j]
                    dm = by[a][s]["val_loss"] - by[b][s]["val_loss"]
                    dp = per[s]["runs"][a]["final_predicted"] - per[s]["runs"][b]["final_predicted"]
                    total += 1
                    right += (dm > 0) == (dp > 0)
        if total:
            out.append(f"Cooldown pairs ordered as measured: {right} of {total} (over seeds).")
            out.append("")
    return out, res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("study", choices=sorted(STUDIES))
    ap.add_argument("--db", required=True)
    ap.add_argument("--cli", default=os.environ.get("ANNEAL_CLI", "anneal-cli"))
    ap.add_argument("--out", help="markdown file (default docs/studies/STUDY/real-text.md)")
    ap.add_argument("--no-sweep", action="store_true", help="only aggregate what the database holds")
    ap.add_argument("--jobs", type=int, help="runs at a time (default: the plan's resources.jobs)")
    ns = ap.parse_args()
    study = STUDIES[ns.study]
    plan_path = os.path.join(STUDIES_DIR, study["plan"])
    with open(plan_path, "rb") as f:
        plan = tomllib.load(f)
    with open(os.path.join(os.path.dirname(plan_path), plan["base"]), "rb") as f:
        plan["_base"] = tomllib.load(f)
    domains = [d["name"] for d in plan["_base"]["data"]["domain"]]

    sweep_s = None
    if not ns.no_sweep:
        t0 = time.monotonic()
        rc = cli(["sweep", plan_path] + (["--jobs", str(ns.jobs)] if ns.jobs else []), ns, capture=False)
        sweep_s = time.monotonic() - t0
        if rc != 0:
            print(f"warning: the sweep exited with {rc}; aggregating the completed runs", file=sys.stderr)

    runs, done = study_runs(plan, ns)
    by = collect(done, domains, ns)
    lines = [f"# {ns.study}: real text, three seeds", "",
             f"Generated by `resources/studies/real-text/run.py {ns.study}` from the sweep "
             f"`{os.path.relpath(plan_path, REPO)}` (group `{plan['name']}`). {plan.get('description', '')}.", ""]
    lines += cost_lines(runs, done, by, sweep_s)
    extra = None
    if ns.study == "wsd-vs-cosine":
        lines += report_schedules(study, plan, by, domains)
    elif ns.study == "upsample-window":
        lines += report_upsample(study, plan, by, domains)
    elif ns.study == "noisy-reweighting":
        lines += report_noisy(study, plan, by, domains, ns)
    else:
        more, extra = report_lrlaw(study, plan, by, domains, ns)
        lines += more
    text = "\n".join(lines) + "\n"
    out = ns.out or os.path.join(REPO, "docs", "studies", ns.study, "real-text.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump({"study": ns.study, "plan": os.path.relpath(plan_path, REPO), "runs": by, "fits": extra},
                  f, indent=1, sort_keys=True)
    print(text)


if __name__ == "__main__":
    main()
