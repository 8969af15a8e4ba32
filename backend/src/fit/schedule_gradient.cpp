// SPDX-License-Identifier: GPL-3.0-or-later
// The loss after the last update of a schedule and its gradient with respect to every LR, for the
// two curve laws (schedule_optimizer.h). Analytic, O(T): the optimiser of METHODS 2.1 calls this
// once per iteration, so no finite differences and no O(T^2) sums.
#include <algorithm>
#include <cmath>
#include <string>

#include "anneal/error.h"
#include "anneal/fit/fit_options.h"
#include "anneal/fit/law.h"
#include "anneal/fit/schedule_optimizer.h"
#include "mpl_eval.h"

namespace anneal::fit {

namespace {

/// First index of the largest LR in lr[0..W] (the peak of both laws' warmup convention).
size_t peakIndex(const std::vector<double>& lr, int64_t W) {
    return static_cast<size_t>(std::max_element(lr.begin(), lr.begin() + W + 1) - lr.begin());
}

/// Multi-Power Law (mpl.h), u = n = T - 1:
///   L = L0 + A P^-alpha - B sum_{k=W..n} d_k (1 - q_k),  q_k = (1 + c_k S_k)^-beta, c_k = C eta_k^-gamma,
///   P = eta_0 + ... + eta_n, S_k = eta_k + ... + eta_n, d_k = eta_{k-1} - eta_k (eta_{W-1} := peak).
/// With g_k = 1 - q_k and r_k = dg_k/dS_k = beta c_k q_k / (1 + c_k S_k), for j >= W:
///   dL/deta_j = -alpha A P^-alpha-1
///               - B (-g_j + g_{j+1} + sum_{k=W..j} d_k r_k - gamma d_j S_j r_j / eta_j)
/// (g_{n+1} := 0: S_k holds eta_j for every k <= j; eta_j^-gamma is in c_j only), and the peak
/// eta_m, m <= W, adds -B g_W through d_W. Warmup LRs other than the peak enter through P only.
double mplFinal(const std::vector<double>& p, const std::vector<double>& lr, int64_t W,
                std::vector<double>* grad) {
    const double L0 = p[0], A = p[1], alpha = p[2], B = p[3], logC = std::log(p[4]), beta = p[5],
                 gamma = p[6];
    const size_t n = lr.size() - 1;
    const size_t w = static_cast<size_t>(W);
    const size_t m = peakIndex(lr, W);
    const double peak = lr[m];
    double P = 0.0;
    for (double v : lr) {
        P += v;
    }
    if (!(P > 0.0)) {
        return kNaN;
    }
    std::vector<double> g, dr, S;
    if (grad) {
        g.assign(lr.size() + 1, 0.0);
        dr.assign(lr.size(), 0.0);
        S.assign(lr.size(), 0.0);
    }
    // From the last update back, summing S_k in the order of the direct evaluator (mpl_eval.cpp).
    double s = 0.0, k0 = 0.0;
    for (size_t k = n + 1; k-- > w;) {
        s += lr[k];
        const double d = (k == w ? peak : lr[k - 1]) - lr[k];
        if (!(lr[k] > 0.0)) {
            throw Error(ErrorCode::InvalidInput, "the mpl gradient needs every LR after warmup > 0",
                        "lr[" + std::to_string(k) + "]", "> 0");
        }
        // log(1 + c s) with c = C eta_k^-gamma, from logs (detail::log1pExpOf: c overflows on degenerate
        // fits).
        const double lg = detail::log1pExpOf(logC - gamma * std::log(lr[k]) + std::log(s));
        const double q = std::exp(-beta * lg);
        k0 += d * q;
        if (grad) {
            g[k] = -std::expm1(-beta * lg);               // 1 - q, without cancellation when q ~ 1
            dr[k] = d * beta * q * -std::expm1(-lg) / s;  // d beta c q / (1 + c s), as c s / (1 + c s) / s
            S[k] = s;
        }
    }
    const double pw = std::pow(P, -alpha);
    const double loss = L0 + A * pw - B * ((peak - lr[n]) - k0);
    if (grad) {
        grad->assign(lr.size(), -alpha * A * pw / P);
        double R = 0.0;
        for (size_t j = w; j <= n; ++j) {
            R += dr[j];
            const double own = gamma * S[j] * dr[j] / lr[j];  // gamma d_j S_j r_j / eta_j
            (*grad)[j] -= B * (-g[j] + g[j + 1] + R - own);
        }
        (*grad)[m] -= B * g[w];
    }
    return loss;
}

/// LR-annealing law (annealing_walk.h): L = L0 + A S1^-alpha - C S2, S2 = sum_u drop_u w_u with
/// w_u = sum_{v=u..n} lambda^(v-u) (w_n = 1, w_u = 1 + lambda w_{u+1}). The value runs the same forward
/// recurrence as the fit; the gradient is -alpha A S1^-alpha-1 on every LR in S1, and -C w_u / +C w_u on
/// the earlier / later LR of every drop that is not clamped.
double annealingFinal(const std::vector<double>& p, WarmupMode mode, const std::vector<double>& lr, int64_t W,
                      std::vector<double>* grad) {
    const double L0 = p[0], A = p[1], alpha = p[2], C = p[3], lambda = p[4];
    const size_t n = lr.size() - 1;
    const size_t w = static_cast<size_t>(W);
    const bool after = mode == WarmupMode::StartAfterWarmup;
    const size_t m = peakIndex(lr, W);
    double s1 = 0.0, s2 = 0.0, mom = 0.0, peak = 0.0;
    for (size_t u = 0; u <= n; ++u) {  // the recurrence of walkAnnealingAreas, same order
        peak = std::max(peak, lr[u]);
        double prev = u == 0 ? lr[u] : lr[u - 1];
        if (after) {
            if (u < w) {
                continue;
            }
            if (u == w) {
                prev = peak;
            }
        }
        double drop = prev - lr[u];
        if (!after && u <= w) {
            drop = std::max(drop, 0.0);
        }
        mom = lambda * mom + drop;
        s1 += lr[u];
        s2 += mom;
    }
    if (!(s1 > 0.0)) {
        return kNaN;
    }
    const double pw = std::exp(-alpha * std::log(s1));
    const double loss = L0 + A * pw - C * s2;
    if (grad) {
        grad->assign(lr.size(), 0.0);
        const double ds1 = -alpha * A * pw / s1;
        double wu = 0.0;
        for (size_t u = n + 1; u-- > 0;) {
            wu = 1.0 + lambda * wu;
            if (after && u < w) {
                continue;
            }
            (*grad)[u] += ds1;
            if (u == 0 && !after) {
                continue;  // eta_{-1} := eta_0: no drop
            }
            const size_t prevIdx = after && u == w ? m : u - 1;
            const bool active = after || u > w || lr[prevIdx] - lr[u] > 0.0;
            if (active) {
                (*grad)[prevIdx] -= C * wu;
                (*grad)[u] += C * wu;
            }
        }
    }
    return loss;
}

}  // namespace

double finalLossGradient(const FitResult& fit, const std::vector<double>& lr, int64_t warmupSteps,
                         std::vector<double>* grad) {
    if (!isCurveLaw(fit.law)) {
        throw Error(ErrorCode::InvalidInput,
                    "the schedule optimiser needs an mpl or lr_annealing fit, not " + fit.law, "law",
                    "mpl | lr_annealing");
    }
    if (lr.empty()) {
        throw Error(ErrorCode::InvalidInput, "the schedule is empty", "lr", "at least one update");
    }
    for (size_t i = 0; i < lr.size(); ++i) {
        if (!std::isfinite(lr[i]) || lr[i] < 0.0) {
            throw Error(ErrorCode::InvalidInput, "LR must be finite and >= 0",
                        "lr[" + std::to_string(i) + "]", ">= 0");
        }
    }
    if (warmupSteps < 0) {
        warmupSteps = static_cast<int64_t>(peakIndex(lr, static_cast<int64_t>(lr.size()) - 1));
    } else if (warmupSteps >= static_cast<int64_t>(lr.size())) {
        throw Error(ErrorCode::InvalidInput, "warmup is longer than the LR sequence", "warmupSteps",
                    "< " + std::to_string(lr.size()));
    }
    const std::vector<double> p = fit.values();
    if (fit.law == "mpl") {
        return mplFinal(p, lr, warmupSteps, grad);
    }
    return annealingFinal(p, fit.options.warmup, lr, warmupSteps, grad);
}

}  // namespace anneal::fit
