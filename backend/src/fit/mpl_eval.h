// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: the Multi-Power Law evaluator behind mplEvaluate() and the mpl model (law_mpl.cpp). A schedule
// is prepared once (prefix sums, drops, log LR); evaluations then take parameters and requested steps.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "anneal/fit/mpl.h"

namespace anneal::fit::detail {

inline constexpr int kMplParams = 7;  // L0, A, alpha, B, C, beta, gamma

struct MplSchedule {
    std::vector<double> lr;
    int64_t warmup = 0;          // W: first update after warmup (resolved)
    std::vector<double> prefix;  // prefix[u] = lr[0] + ... + lr[u]
    std::vector<double> drop;    // drop[k] = eta_{k-1} - eta_k for k >= W (eta_{W-1} := peak), 0 before W
    std::vector<double> logLr;   // log lr[k] (-inf for 0)
    double peak = 0.0;           // max lr[0..W]
};

/// log(1 + C eta^-gamma S) from lx = log C - gamma log eta + log S, without forming C eta^-gamma: a fit
/// can land where that overflows (gamma = 99, C = 1e-209 on Anneal's own runs; at eta = 3e-9 the product
/// is 1e1250), and 1 + inf made G = 1 instead of ~5e-5, turning predicted losses to -3670.
inline double log1pExpOf(double lx) {
    return lx > 0.0 ? lx + std::log1p(std::exp(-lx)) : std::log1p(std::exp(lx));
}

/// Validates lr and warmupSteps (-1: first maximum) and prepares the sums. Throws Error(InvalidInput).
MplSchedule prepareMplSchedule(const std::vector<double>& lr, int64_t warmupSteps);

/// Loss at `steps` (strictly increasing, < lr.size(); checked by the caller) into loss[i]; with grad not
/// null, d loss / d params into grad[7 i + j]. Returns the method used.
MplMethod evaluateMpl(const MplSchedule& s, const double* params, const int64_t* steps, size_t n,
                      double* loss, double* grad, MplMethod method);

/// The fast evaluator (mpl_fast.cpp). Unless `force`, it declines (returns false, writes nothing) when the
/// direct sum is cheaper for these steps; it also declines when the kernel would need too many nodes.
bool evaluateMplFast(const MplSchedule& s, const double* params, const int64_t* steps, size_t n, double* loss,
                     double* grad, bool force);

/// Loss (and gradient row) at update u from the annealing sum K(u) over updates with LR > 0 (k0pos), the
/// drops of LR-0 updates still pending (zero) and dK / d(C, beta, gamma) (dk).
void finish(const MplSchedule& s, const double* params, int64_t u, double k0pos, double zero,
            const double* dk, double* loss, double* grad);
/// dK / d(C, beta, gamma) from K0 = sum d g^-beta, K1 = sum d g^-beta-1, Eb = sum -d log g g^-beta,
/// Eg0 = sum log eta d g^-beta, Eg1 = sum log eta d g^-beta-1 (g = 1 + c S).
void kDerivatives(const double* params, double k0, double k1, double eb, double eg0, double eg1, double* dk);

}  // namespace anneal::fit::detail
