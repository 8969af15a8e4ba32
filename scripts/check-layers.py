#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the backend's modules include only modules below them (docs/ARCHITECTURE.md).

    scripts/check-layers.py [ROOT]

Every file under backend/src/<module>/ and every public header under backend/include/anneal/
belongs to one module; a quoted #include of another module's header must go down the order below
(a module may include its own headers and those of lower layers, never one of its own layer or
above). The backend includes no Qt header, and no file outside ui/, app/gui/ and tests/ includes
ui/. Prints each violation as `file:line: <module> includes <header> (<module>, layer N >= M)` and
exits 1 when there is one; exit 0 and one summary line otherwise.
"""
import os
import re
import sys

# Layers, lowest first. Modules of one layer are independent of each other.
LAYERS = [
    ["core"],               # errors, version, event structs, the experiment struct, TOML reading, tables, hashing
    ["model", "schedule"],  # the GPT; LR and mixture schedules (pure functions of the step)
    ["data"],               # sources, dataset, mixture sampling (draws by the mixture schedule)
    ["config"],             # experiment parsing/writing and validation (asks data whether a source exists)
    ["reweight"],           # per-sample weighting strategies
    ["store"],              # SQLite: runs, metrics, checkpoints index, weights, fits
    ["train"],              # the trainer, the run session (writes to the store)
    ["fit", "sweep"],       # scaling-law fitting (reads runs from the store); sweep plans
    ["report"],             # study reports (fits, runs, sweeps)
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}

# Public headers (backend/include/anneal/...) and the module each belongs to.
PUBLIC = {
    "error.h": "core", "version.h": "core", "events.h": "core", "experiment.h": "core",
    "metric_names.h": "core", "table.h": "core", "sha256.h": "core",
    "data_source.h": "data", "dataset.h": "data", "corpus.h": "data",
    "config.h": "config", "config_schema.h": "config", "lr_sequence.h": "config",
    "schedule.h": "schedule", "mixture.h": "schedule", "lr_table.h": "schedule",
    "reweight.h": "reweight",
    "store.h": "store", "store_writer.h": "store", "curve_query.h": "store", "import_curve.h": "store",
    "run_experiment.h": "store",
    "trainer.h": "train", "run_session.h": "train", "allocator.h": "train",
    "sweep.h": "sweep",
    "report.h": "report",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def module_of_header(path):
    """The module of an included header path as written, or None when it is not the backend's."""
    if path.startswith("anneal/fit/"):
        return "fit"
    if path.startswith("anneal/"):
        return PUBLIC.get(path[len("anneal/"):], "?")
    first = path.split("/", 1)[0]
    if "/" in path and first in RANK:
        return first
    return None


def module_of_file(rel):
    parts = rel.split("/")
    if parts[:2] == ["backend", "src"] and len(parts) > 3:
        return parts[2]
    if parts[:3] == ["backend", "include", "anneal"]:
        return "fit" if parts[3] == "fit" else PUBLIC.get(parts[3], "?")
    return None


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    problems, checked = [], 0
    for top in ("backend", "app", "bench", "fuzz"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root)
                mod = module_of_file(rel)
                if mod == "?":
                    problems.append(f"{rel}: a public header no layer claims (add it to PUBLIC in {argv[0]})")
                    continue
                if mod is not None and mod not in RANK:
                    problems.append(f"{rel}: backend/src/{mod}/ is not a module of docs/ARCHITECTURE.md")
                    continue
                checked += 1
                with open(full, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        bracket, inc = m.groups()
                        where = f"{rel}:{lineno}"
                        if rel.startswith("backend/") and bracket == "<" and re.match(r"Q[A-Za-z]*(/|$|\.h)", inc):
                            problems.append(f"{where}: the backend includes a Qt header <{inc}>")
                            continue
                        if inc.startswith("ui/") or (rel.startswith(("backend/", "app/cli/")) and inc.startswith("ui/")):
                            problems.append(f"{where}: includes the desktop UI ({inc}) outside ui/ and app/gui/")
                            continue
                        if mod is None or bracket == "<":
                            continue
                        target = module_of_header(inc)
                        if target is None or target == mod:
                            continue
                        if target == "?":
                            problems.append(f"{where}: {inc} is a public header no layer claims")
                        elif RANK[target] >= RANK[mod]:
                            problems.append(f"{where}: {mod} (layer {RANK[mod]}) includes {inc} "
                                            f"({target}, layer {RANK[target]}): only lower layers may be included")
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} include(s) against docs/ARCHITECTURE.md's layers", file=sys.stderr)
        return 1
    print(f"check-layers: {checked} files, every backend include goes down the layers of docs/ARCHITECTURE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
