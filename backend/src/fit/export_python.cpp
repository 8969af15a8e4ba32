// SPDX-License-Identifier: GPL-3.0-or-later
// Python export: a self-contained `def law(...)` with the fitted values written to round-trip exactly
// (%.17g), so it evaluates to the same doubles as the C++ law (same formula, same operation order).
#include <sstream>

#include "anneal/fit/fit_export.h"
#include "anneal/fit/law.h"
#include "export_format.h"

namespace anneal::fit {

namespace {

std::string py(double v) {
    if (std::isnan(v)) {
        return "float(\"nan\")";
    }
    if (std::isinf(v)) {
        return v > 0 ? "float(\"inf\")" : "-float(\"inf\")";
    }
    return detail::exactNumber(v);
}

void constants(std::ostringstream& out, const FitResult& fit, const std::vector<std::string>& skip = {}) {
    for (const ParamEstimate& p : fit.params) {
        bool skipped = false;
        for (const auto& s : skip) {
            skipped = skipped || s == p.name;
        }
        if (!skipped) {
            out << "    " << p.name << " = " << py(p.value) << "\n";
        }
    }
}

}  // namespace

std::string fitToPython(const FitResult& fit, const Provenance& prov) {
    std::ostringstream out;
    out << "# Scaling law fitted by Anneal" << (prov.annealVersion.empty() ? "" : " " + prov.annealVersion)
        << " (law: " << fit.law << ", " << fit.nPoints << " points).\n";
    if (!prov.source.empty()) {
        out << "# Source: " << prov.source << "\n";
    }
    if (!prov.filePath.empty()) {
        out << "# Data file: " << prov.filePath << "\n";
    }
    if (!prov.fileSha256.empty()) {
        out << "# SHA-256: " << prov.fileSha256 << "\n";
    }
    out << "# " << lawByName(fit.law).equation() << "\n";
    if (fit.bootstrapResamples > 0) {
        out << "# " << detail::exactNumber(100.0 * fit.ciLevel).substr(0, 4)
            << "% bootstrap percentile intervals (" << fit.bootstrapResamples << " resamples):\n";
        for (const ParamEstimate& p : fit.params) {
            if (!p.fixed) {
                out << "#   " << p.name << " in [" << py(p.ciLow) << ", " << py(p.ciHigh) << "]\n";
            }
        }
    }
    out << "\n\n";
    if (fit.law == "chinchilla") {
        out << "def law(N, D):\n    \"\"\"Loss (nats/token) at N parameters and D tokens; floats or NumPy "
               "arrays.\"\"\"\n";
        constants(out, fit);
        out << "    return E + A * N ** -alpha + B * D ** -beta\n";
    } else if (fit.law == "power") {
        out << "def law(x):\n    \"\"\"Loss at x = " << fit.options.variable
            << "; floats or NumPy arrays.\"\"\"\n";
        constants(out, fit);
        out << "    return E + A * x ** -alpha\n";
    } else if (fit.law == "kaplan") {
        out << "def law(N, D):\n    \"\"\"Loss (nats/token) at N parameters and D tokens (Kaplan et al. 2020 "
               "form).\"\"\"\n";
        constants(out, fit);
        out << "    return ((Nc / N) ** (alphaN / alphaD) + Dc / D) ** alphaD\n";
    } else if (fit.law == "steplaw") {
        out << "def law(N, D):\n    \"\"\"(optimal learning rate, optimal batch size in tokens) at N "
               "parameters, D tokens.\"\"\"\n"
               "    import math\n";
        constants(out, fit);
        out << "    return (math.exp(c_lr + c_N * math.log(N) + c_D * math.log(D)),\n"
               "            math.exp(c_bs + c_bD * math.log(D)))\n";
    } else if (fit.law == "mpl") {
        out << "def law(lr, steps=None, warmup_steps=None):\n"
            << "    \"\"\"Predicted loss after each update u in `steps` (default: every update) of the LR "
               "list `lr`.\n\n"
               "    Multi-Power Law (Luo et al., arXiv:2503.12811): L(u) = L0 + A*(S1 + S_W)**-alpha - "
               "LD(u),\n"
               "    LD(u) = B * sum_k (eta_{k-1} - eta_k) * (1 - (C*eta_k**-gamma*S_k(u) + 1)**-beta),\n"
               "    S_k(u) = lr[k] + ... + lr[u]. Update u applies lr[u], so S1 + S_W = lr[0] + ... + "
               "lr[u].\n"
               "    warmup_steps: index of the first update after warmup (None: the first maximum of lr); LD "
               "sums\n"
               "    over k = warmup_steps..u with eta_{warmup_steps-1} = max(lr[:warmup_steps+1]). An LR of "
               "0 after\n"
               "    warmup counts with G = 1 once a later LR is > 0 and G = 0 before. NaN where no LR was "
               "seen.\n"
               "    Direct sum (NumPy), O(u) per step; Anneal's fast evaluator agrees to ~1e-13 relative.\n"
               "    \"\"\"\n"
               "    import numpy as np\n";
        constants(out, fit);
        out << "    lr = np.asarray(lr, dtype=float)\n"
               "    w = (int(np.argmax(lr)) if len(lr) else 0) if warmup_steps is None else "
               "int(warmup_steps)\n"
               "    steps = range(len(lr)) if steps is None else steps\n"
               "    peak = lr[:w + 1].max()\n"
               "    drop = np.concatenate(([peak], lr[w:-1])) - lr[w:]\n"
               "    total = np.cumsum(lr)\n"
               "    out = []\n"
               "    for u in steps:\n"
               "        if not total[u] > 0:\n"
               "            out.append(float(\"nan\"))\n"
               "            continue\n"
               "        loss = L0 + A * total[u] ** -alpha\n"
               "        if u >= w:\n"
               "            eta = lr[w:u + 1]\n"
               "            s = np.cumsum(eta[::-1])[::-1]\n"
               "            g = np.where(s > 0, 1.0, 0.0)\n"
               "            pos = eta > 0\n"
               "            # 1 - (1 + C eta^-gamma S)^-beta from logs: C eta^-gamma can overflow\n"
               "            lg = np.logaddexp(0.0, np.log(C) - gamma * np.log(eta[pos]) + np.log(s[pos]))\n"
               "            g[pos] = -np.expm1(-beta * lg)\n"
               "            loss -= B * np.sum(drop[:u - w + 1] * g)\n"
               "        out.append(float(loss))\n"
               "    return out\n";
    } else {
        const char* mode =
            fit.options.warmup == WarmupMode::ClampDrops ? "clamp_drops" : "start_after_warmup";
        out << "def law(lr, lam=" << py(fit.value("lambda")) << ", warmup_steps=None, warmup=\"" << mode
            << "\"):\n"
            << "    \"\"\"Predicted loss after every update u = 0..len(lr)-1 of the LR list `lr`.\n\n"
               "    L(u) = L0 + A*S1(u)**-alpha - C*S2(u) (Tissue et al., arXiv:2408.11029), S1 = sum of LRs "
               "up to u,\n"
               "    m_u = lam*m_{u-1} + (lr[u-1] - lr[u]), S2 = sum of m. warmup_steps: index of the first\n"
               "    update after warmup (None: the first maximum of lr). warmup: 'clamp_drops' counts "
               "warmup\n"
               "    in S1 and ignores LR increases up to warmup_steps; 'start_after_warmup' starts S1 and "
               "S2\n"
               "    there. Entries with S1 = 0 are NaN.\n    \"\"\"\n";
        constants(out, fit, {"lambda"});
        out << "    lr = [float(v) for v in lr]\n"
               "    if warmup_steps is None:\n"
               "        warmup_steps = lr.index(max(lr)) if lr else 0\n"
               "    out = []\n"
               "    s1 = s2 = m = peak = 0.0\n"
               "    for u, eta in enumerate(lr):\n"
               "        peak = max(peak, eta)\n"
               "        prev = eta if u == 0 else lr[u - 1]\n"
               "        if warmup == \"start_after_warmup\":\n"
               "            if u < warmup_steps:\n"
               "                out.append(float(\"nan\"))\n"
               "                continue\n"
               "            if u == warmup_steps:\n"
               "                prev = peak\n"
               "        drop = prev - eta\n"
               "        if warmup == \"clamp_drops\" and u <= warmup_steps:\n"
               "            drop = max(drop, 0.0)\n"
               "        m = lam * m + drop\n"
               "        s1 += eta\n"
               "        s2 += m\n"
               "        out.append(L0 + A * s1 ** -alpha - C * s2 if s1 > 0 else float(\"nan\"))\n"
               "    return out\n";
    }
    return out.str();
}

}  // namespace anneal::fit
