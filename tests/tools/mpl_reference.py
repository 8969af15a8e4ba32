#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Direct reference for the Multi-Power Law (Luo et al., docs/METHODS.md section 2), run by
tests/backend/test_fit_mpl.cpp with /usr/bin/python3 and NumPy:

    mpl_reference.py CASE_DIR

CASE_DIR/cases.json (written by the test) holds a list of cases, each with "lr" (the LR of every
update, Anneal's update u applying lr[u]), "warmup" (W, the index of the first update after warmup),
"params" ([L0, A, alpha, B, C, beta, gamma]) and "steps" (the updates after which to evaluate); with
"precise": true, G is computed with mpmath at 60 digits (python3-mpmath), for parameters where
C eta^-gamma overflows a double.
The script writes CASE_DIR/out.json: {"loss": [[...], ...]}, one list per case.

It imports nothing of Anneal's and follows METHODS section 2 in the paper's own indexing: after
warmup, t counts updates (eta_1 .. eta_t are lr[W .. W + t - 1]), eta_0 is the peak LR of warmup,
S_W is the LR sum of warmup and

    L(t)   = L0 + A (S1(t) + S_W)^-alpha - LD(t),     S1(t) = sum_{tau=1..t} eta_tau
    LD(t)  = B sum_{k=1..t} (eta_{k-1} - eta_k) G(eta_k^-gamma S_k(t)),  S_k(t) = sum_{tau=k..t} eta_tau
    G(x)   = 1 - (C x + 1)^-beta

summed directly, O(t) for each requested update (O(T^2) for a whole curve). Conventions of Anneal's
that the paper does not cover (docs/FITTING.md): during warmup (u < W) the loss is
L0 + A (lr[0] + ... + lr[u])^-alpha; an eta_k = 0 has G = 1 when S_k(t) > 0 and 0 when S_k(t) = 0.
"""

import json
import math
import sys

import numpy as np


def g_precise(C, eta, gamma, s_k, beta):
    """G at 60 digits (mpmath): C eta^-gamma overflows a double on degenerate fits (gamma ~ 100)."""
    import mpmath
    mpmath.mp.dps = 60
    x = mpmath.mpf(C) * mpmath.mpf(eta) ** -mpmath.mpf(gamma) * mpmath.mpf(s_k)
    return float(1 - (x + 1) ** -mpmath.mpf(beta))


def mpl_loss(lr, warmup, params, u, precise=False):
    L0, A, alpha, B, C, beta, gamma = params
    lr = np.asarray(lr, dtype=np.float64)
    if u < warmup:
        return L0 + A * math.fsum(lr[: u + 1]) ** -alpha
    s_w = math.fsum(lr[:warmup])
    t = u - warmup + 1
    eta = np.empty(t + 1)
    eta[0] = lr[: warmup + 1].max()
    eta[1:] = lr[warmup : u + 1]
    s1 = math.fsum(eta[1:])
    ld = 0.0
    for k in range(1, t + 1):
        s_k = math.fsum(eta[k:]) if t - k < 64 else float(np.sum(eta[k:]))
        if eta[k] > 0 and precise:
            g = g_precise(C, eta[k], gamma, s_k, beta)
        elif eta[k] > 0:
            g = 1.0 - (C * eta[k] ** -gamma * s_k + 1.0) ** -beta
        else:
            g = 1.0 if s_k > 0 else 0.0
        ld += (eta[k - 1] - eta[k]) * g
    return L0 + A * (s1 + s_w) ** -alpha - B * ld


def main():
    case_dir = sys.argv[1]
    with open(f"{case_dir}/cases.json") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        precise = case.get("precise", False)
        out.append([mpl_loss(case["lr"], case["warmup"], case["params"], u, precise) for u in case["steps"]])
    with open(f"{case_dir}/out.json", "w") as f:
        json.dump({"loss": out}, f)


if __name__ == "__main__":
    main()
