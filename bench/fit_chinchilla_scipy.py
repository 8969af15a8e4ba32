#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""SciPy reference for bench/fit_chinchilla.cpp: Epoch's "replicate exactly" procedure (METHODS 7.2/7.3).

Hoffmann et al.'s 4500-point grid, scipy.optimize.minimize(method="L-BFGS-B") on the SUMMED Huber
(delta = 1e-3) of log residuals with the log-sum-exp prediction, on the 240 points left after dropping the
5 highest losses of tests/data/reference/chinchilla_svg_extracted.csv; best objective among successful starts.
As in Epoch's notebook no gradient is passed, so L-BFGS-B uses finite differences (--jac passes the
analytic gradient instead, a faster variant that is not Epoch's procedure).

Run with Debian's Python: /usr/bin/python3 bench/fit_chinchilla_scipy.py [--csv PATH] [--jac] [--limit K]
Prints "fit_seconds <s>", the best objective and parameters.
"""
import argparse
import csv
import itertools
import os
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CSV = os.path.join(HERE, "..", "tests", "data", "reference", "chinchilla_svg_extracted.csv")


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    n = np.array([float(r["Model Size"]) for r in rows])
    c = np.array([float(r["Training FLOP"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    d = c / (6.0 * n)
    cut = sorted(loss)[-5]          # Epoch: keep loss < sorted(loss)[-5]
    keep = loss < cut
    return n[keep], d[keep], loss[keep]


def objective(params, log_n, log_d, log_l):
    a, b, e, alpha, beta = params
    pred = logsumexp(np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)]), axis=0)
    return np.sum(huber(1e-3, pred - log_l))


def objective_and_grad(params, log_n, log_d, log_l):
    a, b, e, alpha, beta = params
    t = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    pred = logsumexp(t, axis=0)
    w = np.exp(t - pred)
    r = pred - log_l
    psi = np.clip(r, -1e-3, 1e-3)
    g = np.array([np.sum(psi * w[0]), np.sum(psi * w[1]), np.sum(psi * w[2]),
                  -np.sum(psi * w[0] * log_n), -np.sum(psi * w[1] * log_d)])
    return np.sum(huber(1e-3, r)), g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=DEFAULT_CSV)
    ap.add_argument("--jac", action="store_true", help="pass the analytic gradient (not Epoch's procedure)")
    ap.add_argument("--limit", type=int, default=0, help="only the first K grid points (for quick checks)")
    args = ap.parse_args()
    n, d, loss = load(args.csv)
    log_n, log_d, log_l = np.log(n), np.log(d), np.log(loss)
    grid = list(itertools.product(np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(-1, 1.5, 0.5),
                                  np.arange(0, 30, 5), np.arange(0, 30, 5)))
    if args.limit:
        grid = grid[: args.limit]
    t0 = time.perf_counter()
    best = (np.inf, None)
    converged = 0
    for alpha, beta, e, a, b in grid:
        x0 = [a, b, e, alpha, beta]
        if args.jac:
            res = minimize(objective_and_grad, x0, args=(log_n, log_d, log_l), method="L-BFGS-B", jac=True)
        else:
            res = minimize(objective, x0, args=(log_n, log_d, log_l), method="L-BFGS-B")
        converged += bool(res.success)
        if res.success and res.fun < best[0]:
            best = (res.fun, res.x)
    seconds = time.perf_counter() - t0
    print(f"fit_seconds {seconds:.4f}")
    print(f"points {len(n)} starts {len(grid)} converged {converged}")
    print(f"objective {best[0]:.9e}")
    a, b, e, alpha, beta = best[1]
    for name, v in (("E", np.exp(e)), ("A", np.exp(a)), ("B", np.exp(b)), ("alpha", alpha), ("beta", beta)):
        print(f"param {name} {v:.8g}")


if __name__ == "__main__":
    main()
