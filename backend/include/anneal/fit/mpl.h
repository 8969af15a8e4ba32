// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file mpl.h
/// The Multi-Power Law of Luo et al. (arXiv:2503.12811, code thu-yao-01-luo/MultiPowerLaw; METHODS 2):
///
///   L(t)  = L0 + A (S1(t) + S_W)^-alpha - LD(t)
///   LD(t) = B sum_{k=1..t} (eta_{k-1} - eta_k) G(eta_k^-gamma S_k(t)),   S_k(t) = sum_{tau=k..t} eta_tau
///   G(x)  = 1 - (C x + 1)^-beta
///
/// with t counted after warmup and S_W the LR sum of warmup (METHODS 2, "[code]").
///
/// Index convention (as for lr_annealing, fit_input.h): update u (0-based) applies lr[u]; the loss logged
/// after update u has seen lr[0..u]. W = warmupSteps is the index of the first update after warmup
/// (-1: the first maximum of lr), so S1(u) + S_W = lr[0] + ... + lr[u]; LD sums over k = W..u only, with
/// eta_{W-1} := max(lr[0..W]) (the peak; no drop at the first post-warmup update of a usual warmup).
/// Losses logged during warmup have LD = 0. Two choices of ours, not from the paper (not confirmed):
///  * an update with LR 0 after warmup contributes its drop with G = 1 once a later update has LR > 0
///    and G = 0 while every LR since is 0 (the limit of eta_k -> 0 for gamma < 1; the paper's schedules
///    never reach 0);
///  * entries with S1 + S_W = 0 (no LR seen yet) are NaN.
///
/// Parameters, in this order everywhere: L0, A, alpha, B, C, beta, gamma.
/// Thread-safety: pure functions. Throw Error(InvalidInput) for a negative or non-finite LR, unsorted or
/// out-of-range steps, a warmup beyond the sequence or the wrong number of parameters.

#include <cstdint>
#include <vector>

namespace anneal::fit {

enum class MplMethod {
    Auto,    ///< the cheaper of the two below for these steps
    Direct,  ///< the sum over k for every requested step: O(sum of steps) pairs, exact to rounding
    Fast,    ///< one pass over the updates with an exponential-sum kernel: O(updates x ~60), ~1e-13 relative
};

struct MplEvaluation {
    std::vector<double> loss;      ///< predicted loss after each requested update
    std::vector<double> gradient;  ///< d loss / d params, row-major (steps x 7); empty unless requested
};

/// The law after each update in `steps` (strictly increasing, each < lr.size()).
MplEvaluation mplEvaluate(const std::vector<double>& params, const std::vector<double>& lr,
                          const std::vector<int64_t>& steps, int64_t warmupSteps = -1,
                          bool withGradient = false, MplMethod method = MplMethod::Auto);

/// The law after every update u = 0..lr.size()-1.
std::vector<double> mplCurve(const std::vector<double>& params, const std::vector<double>& lr,
                             int64_t warmupSteps = -1, MplMethod method = MplMethod::Auto);

}  // namespace anneal::fit
