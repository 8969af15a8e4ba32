// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: the S1/S2 recurrence of METHODS 2 as one streaming walk over the updates, shared by
// annealingAreas() (every update) and the lr_annealing model (only the logged steps, every
// objective evaluation when lambda is fitted, so no allocation here).

#include <algorithm>
#include <cstdint>
#include <vector>

#include "anneal/fit/fit_options.h"

namespace anneal::fit::detail {

/// Calls visit(u, s1, s2, ds2dLambda) for u = 0..last, in order.
///
/// Recurrence (METHODS 2, Tissue et al.): m_u = lambda m_{u-1} + (eta_{u-1} - eta_u), S2 = sum m,
/// S1 = sum eta, with eta_{-1} := eta_0 (no drop before the first update). Warmup (W = warmup, the
/// index of the first update after warmup) is not specified by the paper [not confirmed], so:
///  * ClampDrops: S1 includes warmup; drops are clamped to >= 0 for u <= W, so the rising LR of warmup
///    adds no negative annealing area. Later LR increases (re-warming) stay signed.
///  * StartAfterWarmup: S1 = S2 = 0 before W; accumulation starts at W with eta_{W-1} := eta_max, the
///    largest LR up to W.
/// d S2 / d lambda follows from dm_u = m_{u-1} + lambda dm_{u-1}.
template <class Visit>
void walkAnnealingAreas(const std::vector<double>& lr, double lambda, WarmupMode mode, int64_t warmup,
                        int64_t last, Visit&& visit) {
    double s1 = 0.0, s2 = 0.0, ds2 = 0.0, m = 0.0, dm = 0.0;
    double peak = 0.0;
    for (int64_t u = 0; u <= last; ++u) {
        const double eta = lr[static_cast<size_t>(u)];
        peak = std::max(peak, eta);
        double prev = u == 0 ? eta : lr[static_cast<size_t>(u - 1)];
        if (mode == WarmupMode::StartAfterWarmup) {
            if (u < warmup) {
                visit(u, 0.0, 0.0, 0.0);
                continue;
            }
            if (u == warmup) {
                prev = peak;
            }
        }
        double drop = prev - eta;
        if (mode == WarmupMode::ClampDrops && u <= warmup) {
            drop = std::max(drop, 0.0);
        }
        dm = m + lambda * dm;
        m = lambda * m + drop;
        s1 += eta;
        s2 += m;
        ds2 += dm;
        visit(u, s1, s2, ds2);
    }
}

}  // namespace anneal::fit::detail
