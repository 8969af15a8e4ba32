// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An independent reference for the Multi-Power Law (Luo et al., docs/METHODS.md section 2), written out
// from the formula for tests that check what the app and the CLI draw or report with an mpl fit. It uses
// nothing of the library's evaluators (mpl_eval.cpp, mpl_fast.cpp) and follows tests/tools/mpl_reference.py
// in the paper's own indexing: after warmup, t counts updates (eta_1 .. eta_t are lr[W .. W + t - 1]),
// eta_0 is the peak LR of warmup, S_W the LR sum of warmup and
//
//   L(t)  = L0 + A (S1(t) + S_W)^-alpha - B sum_{k=1..t} (eta_{k-1} - eta_k) G(eta_k^-gamma S_k(t))
//   G(x)  = 1 - (C x + 1)^-beta,   S_k(t) = sum_{tau=k..t} eta_tau
//
// summed directly (O(t) per requested update). Anneal's conventions the paper does not cover
// (docs/FITTING.md): during warmup (u < W) the loss is L0 + A (lr[0] + ... + lr[u])^-alpha; eta_k = 0 has
// G = 1 when S_k(t) > 0 and 0 when S_k(t) = 0.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace anneal::test {

/// W of a schedule whose warmup is not given: the index of the first maximum of lr.
inline std::int64_t firstMaximum(const std::vector<double>& lr) {
    return static_cast<std::int64_t>(std::max_element(lr.begin(), lr.end()) - lr.begin());
}

/// The MPL loss after update u of `lr` with W = warmup (the first update after warmup) and parameters
/// {L0, A, alpha, B, C, beta, gamma}.
inline double mplDirect(const std::vector<double>& p, const std::vector<double>& lr, std::int64_t warmup,
                        std::int64_t u) {
    const double L0 = p[0], A = p[1], alpha = p[2], B = p[3], C = p[4], beta = p[5], gamma = p[6];
    if (u < warmup) {
        double s = 0.0;
        for (std::int64_t k = 0; k <= u; ++k) {
            s += lr[static_cast<std::size_t>(k)];
        }
        return L0 + A * std::pow(s, -alpha);
    }
    double sw = 0.0;
    for (std::int64_t k = 0; k < warmup; ++k) {
        sw += lr[static_cast<std::size_t>(k)];
    }
    const std::int64_t t = u - warmup + 1;
    std::vector<double> eta(static_cast<std::size_t>(t + 1));
    eta[0] = *std::max_element(lr.begin(), lr.begin() + warmup + 1);
    for (std::int64_t k = 1; k <= t; ++k) {
        eta[static_cast<std::size_t>(k)] = lr[static_cast<std::size_t>(warmup + k - 1)];
    }
    // From k = t down to 1: S_k(t) grows by eta_k.
    double sk = 0.0, ld = 0.0;
    for (std::int64_t k = t; k >= 1; --k) {
        const double e = eta[static_cast<std::size_t>(k)];
        sk += e;
        // G = 1 - (1 + x)^-beta written as -expm1(-beta log1p(x)): the same function without the
        // cancellation of 1 - (1 + x)^-beta at small C x (fits may drive C to 1e-13 and B to 1e9).
        const double x = C * std::pow(e, -gamma) * sk;
        const double g = e > 0 ? -std::expm1(-beta * std::log1p(x)) : (sk > 0 ? 1.0 : 0.0);
        ld += (eta[static_cast<std::size_t>(k - 1)] - e) * g;
    }
    // sk is now S_1(t).
    return L0 + A * std::pow(sk + sw, -alpha) - B * ld;
}

/// mplDirect after each update in `steps`.
inline std::vector<double> mplDirect(const std::vector<double>& p, const std::vector<double>& lr,
                                     std::int64_t warmup, const std::vector<std::int64_t>& steps) {
    std::vector<double> out;
    for (std::int64_t u : steps) {
        out.push_back(mplDirect(p, lr, warmup, u));
    }
    return out;
}

}  // namespace anneal::test
