// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file annealing_area.h
/// The forward area S1 and the annealing area S2 of the LR-annealing law (Tissue et al.,
/// arXiv:2408.11029; METHODS 2):
///
///   S1(s) = sum_{i<=s} eta_i,   m_i = lambda m_{i-1} + (eta_{i-1} - eta_i),   S2(s) = sum_{i<=s} m_i
///
/// Index convention: entry u of every output vector belongs to the loss logged after update u
/// (0-based), which applied lr[u]; the drop of update 0 is taken against eta_{-1} := lr[0] (no drop
/// before the first update). METHODS 8.4 counts steps from 1: its S(1000) is our entry 999.
/// Units: S1 and S2 are in LR x updates. Pure functions, thread-safe; throw Error(InvalidInput) for
/// a negative or non-finite LR, lambda outside [0, 1] or a warmup longer than the sequence.

#include <cstdint>
#include <vector>

#include "anneal/fit/fit_options.h"

namespace anneal::fit {

struct AnnealingAreas {
    std::vector<double> s1;          ///< forward area after each update
    std::vector<double> s2;          ///< annealing area after each update
    std::vector<double> ds2dLambda;  ///< d S2 / d lambda (for fitting lambda)
};

/// S1, S2 for every update of lr. warmupSteps = -1: index of the first maximum of lr.
AnnealingAreas annealingAreas(const std::vector<double>& lr, double lambda,
                              WarmupMode mode = WarmupMode::ClampDrops, int64_t warmupSteps = -1);

/// Index of the first maximum of lr (the end of warmup by our convention); 0 for an empty sequence.
int64_t detectWarmupSteps(const std::vector<double>& lr);

}  // namespace anneal::fit
